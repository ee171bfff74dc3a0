"""Validate: the contract's rules as blocking asset checks on the staged tables, its warnings as
non-blocking ones, and publication of the whole set once every blocking check has passed. The
checks of a family's tables run in one step, `validate_<family>`.

A failing blocking check does not stop Dagster from recording the checked asset, which is
why ingest only stages: `published_tables` runs only when no blocking check failed, and
it refuses to publish a set in which any staged table has not passed its checks.
"""

from concurrent.futures import Future, ThreadPoolExecutor

import dagster as dg
import pyarrow as pa

from assets.ingest import INGEST_ASSETS
from assets.returned import review_comments
from pipeline.contract import FAMILIES, TABLES, Table, tables_of, warnings_for
from pipeline.previews import markdown_preview
from pipeline.settings import LOCKED, POOL, Settings
from pipeline.store import read_metadata, read_table
from pipeline.validation.rules import ERROR, WARNING, Rule, references_of
from pipeline.validation.run import check_warnings, staged_rows, validated
from pipeline.validation.verdicts import (
    CONTRACT_CHECK,
    WARNINGS_CHECK,
    Verdict,
    check_key,
    contract_key,
    failed_rules,
    mark_rejected,
    rejection_reasons,
    results_table,
    reuse_or_run,
    stamp_of,
    summary,
)
from pipeline.warehouse import Warehouse

# Downstream assets follow their inputs, but never past a failed blocking check.
AUTOMATION = dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()


def contract_result(context: dg.AssetCheckExecutionContext, settings: Settings, table: Table) -> dg.AssetCheckResult:
    warehouse = settings.warehouse
    key = contract_key(warehouse, table)

    def validate(stamp: str):
        outcome = validated(warehouse, table.name, key)
        results = results_table(context.run.run_id, table.name, CONTRACT_CHECK, stamp, outcome.rules, outcome.errors)
        return results, summary(outcome.errors, len(outcome.rules)), rejection_reasons(outcome.errors)

    verdict = reuse_or_run(warehouse, table.name, CONTRACT_CHECK, key, context.run.run_id, validate)
    mark_rejected(warehouse, table.name, verdict.reasons)
    failed = failed_rules(verdict.results, ERROR)
    return check_result(
        table,
        CONTRACT_CHECK,
        verdict,
        failed,
        rules_run=verdict.results.num_rows,
        rules_failed=len(failed),
        offending_rows=sum(r["offending"] for r in failed),
    )


def warnings_result(context: dg.AssetCheckExecutionContext, settings: Settings, table: Table) -> dg.AssetCheckResult:
    warehouse, day = settings.warehouse, settings.as_of_date
    rules = warnings_for(table.name)
    reads = warnings_reads(table)

    def validate(stamp: str):
        frames = {name: staged_rows(warehouse, name) for name in {table.name, *reads}}
        found = check_warnings(table.name, frames, day)
        listed = [Rule(table.name, w.says, w.says, "", severity=WARNING) for w in rules]
        results = results_table(context.run.run_id, table.name, WARNINGS_CHECK, stamp, listed, found)
        return results, summary(found, len(rules)), {}

    key = check_key(warehouse, [table.name, *reads], day if any(w.as_of for w in rules) else None)
    verdict = reuse_or_run(warehouse, table.name, WARNINGS_CHECK, key, context.run.run_id, validate)
    found = failed_rules(verdict.results, WARNING)
    return check_result(table, WARNINGS_CHECK, verdict, found, warnings=sum(r["offending"] for r in found))


def check_result(table: Table, check: str, verdict: Verdict, failed: list[dict], **metadata) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table.name,
        check_name=check,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if check == CONTRACT_CHECK else dg.AssetCheckSeverity.WARN,
        description=verdict.description,
        metadata={
            **metadata,
            "unchanged_since_last_validated": verdict.reused,
            "results": dg.MetadataValue.md(results_markdown(verdict.results)),
        },
    )


def warnings_reads(table: Table) -> list[str]:
    return sorted({name for w in warnings_for(table.name) for name in w.reads} - {table.name})


def check_specs(table: Table) -> list[dg.AssetCheckSpec]:
    referenced = references_of(table)
    specs = [
        dg.AssetCheckSpec(
            CONTRACT_CHECK,
            asset=table.name,
            blocking=True,
            additional_deps=referenced,
            description=f"Every rule of the source contract for {table.name}"
            + (f", including its references to {', '.join(referenced)}" if referenced else "")
            + ". Blocking: a failure stops publication.",
        )
    ]
    if warnings_for(table.name):
        specs.append(
            dg.AssetCheckSpec(
                WARNINGS_CHECK,
                asset=table.name,
                additional_deps=warnings_reads(table),
                description="Warnings, reported but never blocking: "
                + "; ".join(w.says for w in warnings_for(table.name))
                + ".",
            )
        )
    return specs


def family_checks(family: str) -> dg.AssetChecksDefinition:
    """One step runs every selected check of a family's tables. The contract rules are checked in
    a second thread, which waits on the validation worker (if `sgr draft` started one) while this
    thread finds the warnings."""
    specs = [spec for table in tables_of(family) for spec in check_specs(table)]

    @dg.multi_asset_check(
        name=f"validate_{family}", specs=specs, can_subset=True, pool=POOL, required_resource_keys=LOCKED
    )
    def _checks(context: dg.AssetCheckExecutionContext):
        settings: Settings = context.resources.settings
        selected = [
            (spec, TABLES[spec.asset_key.path[-1]]) for spec in specs if spec.key in context.selected_asset_check_keys
        ]
        with ThreadPoolExecutor(max_workers=1) as contract_rules:
            results = {
                spec.key: contract_rules.submit(contract_result, context, settings, table)
                for spec, table in selected
                if spec.name == CONTRACT_CHECK
            }
            for spec, table in selected:
                if spec.name == WARNINGS_CHECK:
                    results[spec.key] = warnings_result(context, settings, table)
            for spec, _table in selected:
                result = results[spec.key]
                yield result.result() if isinstance(result, Future) else result

    return _checks


def results_markdown(results: pa.Table) -> str:
    lines = ["| rule | severity | passed | offending | first example |", "|---|---|---|---|---|"]
    for r in results.to_pylist():
        example = (r["examples"][0] if r["examples"] else "").replace("|", "\\|")
        lines.append(
            f"| {r['rule']} | {r['severity']} | {'yes' if r['passed'] else '**no**'} | {r['offending']} | {example} |"
        )
    return "\n".join(lines)


VALIDATION_CHECKS = [family_checks(family) for family in FAMILIES]


class NotPublishable(Exception):
    pass


def collect_results(warehouse: Warehouse) -> pa.Table:
    """The latest results of every table's checks; refuses a set that has not passed them all."""
    parts, refusals = [], []
    for name in TABLES:
        path = warehouse.check_results(name, CONTRACT_CHECK)
        if not path.exists() or not warehouse.staged(name).exists():
            refusals.append(f"{name}: not yet ingested and validated")
            continue
        results = read_table(path)
        stamp = stamp_of(warehouse.staged(name))
        if set(results.column("staged_by_run").to_pylist()) != {stamp}:
            refusals.append(f"{name}: the staged table changed after it was validated; validate it again")
        failed = [r["rule"] for r in failed_rules(results, ERROR)]
        if failed:
            refusals.append(f"{name}: blocking rules failed when it was last validated: {', '.join(failed)}")
        parts.append(results)
        warnings = warehouse.check_results(name, WARNINGS_CHECK)
        if warnings.exists():
            parts.append(read_table(warnings))
    if refusals:
        raise NotPublishable("Not published:\n" + "\n".join(f"  {r}" for r in refusals))
    return pa.concat_tables(parts)


def publish(warehouse: Warehouse) -> tuple[pa.Table, pa.Table]:
    """Publish the staged set if it passed every blocking check: the tables, the files behind them and
    the validation results. Returns the files and the results."""
    results = collect_results(warehouse)
    warehouse.keep_published()
    registers = [warehouse.read_register(name) for name in TABLES]
    files = pa.concat_tables(registers).sort_by([("path", "ascending"), ("table", "ascending")])
    with warehouse.publication():
        for name in TABLES:
            # A table validated in an earlier run and not read again since is already published as it is.
            path = warehouse.path(name)
            if not path.exists() or stamp_of(warehouse.staged(name)) != stamp_of(path):
                warehouse.publish(name)
        warehouse.write("source_files", files)
        warehouse.write("validation_results", results)
    return files, results


@dg.asset(
    group_name="validate",
    # After the returned drafts are read: a returned draft that cannot be read publishes nothing, so that the
    # published tables never run ahead of the last draft.
    deps=[*INGEST_ASSETS, review_comments],
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    description="Publishes the staged tables into warehouse/, with validation_results and source_files, "
    "only when every table passed every blocking check.",
    kinds={"parquet"},
)
def published_tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings: Settings = context.resources.settings
    warehouse = settings.warehouse
    try:
        files, results = publish(warehouse)
    except NotPublishable as refusal:
        raise dg.Failure(description=str(refusal), allow_retries=False) from None
    warnings = failed_rules(results, WARNING)
    rows = {name: read_metadata(warehouse.path(name)).num_rows for name in TABLES}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(rows.values()),
            "rows_by_table": dg.MetadataValue.json(rows),
            "rules_run": results.num_rows,
            "warnings_outstanding": len(warnings),
            "source_files": dg.MetadataValue.md(markdown_preview(files.drop_columns(["sha256"]), rows=50)),
            "validation_summary": dg.MetadataValue.md(results_markdown(results)),
        }
    )
