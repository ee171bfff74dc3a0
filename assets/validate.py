"""Validate: the contract's rules as blocking asset checks on the staged tables, warnings as
non-blocking ones, and publication of the whole set once every blocking check has passed. The
checks of a family's tables run in one step, `validate_<family>`.

A failing blocking check does not stop Dagster from recording the checked asset, which is
why ingest only stages: `published_tables` runs only when no blocking check failed, and
it refuses to publish a set in which any staged table has not passed its checks.
"""

import datetime as dt
import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

import pipeline.warehouse
from assets.ingest import INGEST_ASSETS, SOURCE_FILES_SCHEMA, STAGED_BY
from pipeline import contract, readers, validation, worker
from pipeline.contract import FAMILIES, TABLES, Table, tables_of
from pipeline.previews import markdown_preview
from pipeline.problems import Failure
from pipeline.settings import POOL, Settings
from pipeline.validation import (
    ERROR,
    WARNING,
    Rule,
    check_warnings,
    references_of,
    staged_rows,
    validate_staged,
    warnings_for,
)
from pipeline.warehouse import Warehouse, write_parquet

CONTRACT_CHECK = "contract_rules"
# Downstream assets follow their inputs, but never past a failed blocking check.
AUTOMATION = dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
WARNINGS_CHECK = "warnings"

RESULTS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("checked_at", pa.timestamp("s", tz="UTC")),
        ("table", pa.string()),
        ("check", pa.string()),
        ("rule", pa.string()),
        ("column", pa.string()),
        ("severity", pa.string()),
        ("passed", pa.bool_()),
        ("offending", pa.int64()),
        ("examples", pa.list_(pa.string())),
        ("staged_by_run", pa.string()),
    ]
)


def stamp_of(path: Path) -> str:
    """The run that staged a table, as its Parquet file records it (the staged or the published copy)."""
    metadata = pq.read_schema(path).metadata or {}
    return metadata.get(STAGED_BY, b"").decode()


def results_path(warehouse: Warehouse, table: str, check: str):
    return warehouse.checks / f"{table}.{check}.parquet"


def results_table(
    run_id: str, table: str, check: str, stamp: str, rules: list[Rule], failures: list[Failure]
) -> pa.Table:
    """One row per rule run, passed or not; rows for problems met while reading come first."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    by_rule = {(f.column, f.rule): f for f in failures}
    ruled = {(r.column, r.says) for r in rules}

    def row(rule: str, column: str | None, severity: str, failure: Failure | None) -> dict:
        return {
            "run_id": run_id,
            "checked_at": now,
            "table": table,
            "check": check,
            "rule": rule,
            "column": column,
            "severity": severity,
            "passed": failure is None,
            "offending": failure.count if failure else 0,
            "examples": [str(p) for p in failure.examples] if failure else [],
            "staged_by_run": stamp,
        }

    rows = [row(f.rule, f.column, f.severity, f) for f in failures if (f.column, f.rule) not in ruled]
    rows += [row(r.name, r.column, r.severity, by_rule.get((r.column, r.says))) for r in rules]
    return pa.Table.from_pylist(rows, schema=RESULTS_SCHEMA)


def summary(failures: list[Failure], rules_run: int) -> str:
    if not failures:
        return f"All {rules_run} rules passed."
    return "\n\n".join(str(f) for f in failures)


def rejection_reasons(errors: list[Failure]) -> dict[str, str]:
    """For each file with rows that break a blocking rule, the first of them."""
    reasons: dict[str, str] = {}
    for failure in errors:
        for file in failure.files:
            example = next((p for p in failure.examples if p.file == file), None)
            reasons.setdefault(file, str(example) if example else f"{failure.rule} ({failure.column})")
    return reasons


def mark_rejected(warehouse: Warehouse, table: str, reasons: dict[str, str]) -> None:
    """Files with rows that break a blocking rule are rejected in the register, with the reason."""
    if not reasons:
        return
    path = warehouse.register / f"{table}.parquet"
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        if row["path"] in reasons and row["status"] == "accepted":
            row["status"], row["reason"] = "rejected", reasons[row["path"]]
    write_parquet(path, pa.Table.from_pylist(rows, schema=SOURCE_FILES_SCHEMA))


# What a check's verdict depends on besides the files: the contract, and the code that reads and checks.
CODE = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (contract, readers, validation, pipeline.warehouse))
).hexdigest()


def fingerprint(warehouse: Warehouse, tables: list[str]) -> str:
    """The content a check sees: the files (and sheets) each table was read from, by SHA-256."""
    digest = hashlib.sha256(CODE.encode())
    for name in sorted(tables):
        register = pq.read_table(warehouse.register / f"{name}.parquet", columns=["path", "sheet", "sha256"])
        digest.update(json.dumps([name, register.to_pylist()], sort_keys=True).encode())
    return digest.hexdigest()


@dataclass
class Verdict:
    results: pa.Table
    description: str
    reasons: dict[str, str]
    reused: bool


def validated(warehouse: Warehouse, table: str, check: str, key: str, run_id: str, validate) -> Verdict:
    """The check's results: those of an earlier run if nothing it reads has changed since, else new ones."""
    path = results_path(warehouse, table, check)
    stamp = stamp_of(warehouse.staged(table))
    if path.exists():
        earlier = pq.read_table(path)
        saved = earlier.schema.metadata or {}
        if saved.get(b"fingerprint", b"").decode() == key:
            n = earlier.num_rows
            results = earlier.set_column(earlier.schema.get_field_index("run_id"), "run_id", pa.array([run_id] * n))
            results = results.set_column(
                results.schema.get_field_index("staged_by_run"), "staged_by_run", pa.array([stamp] * n)
            )
            write_parquet(path, results.replace_schema_metadata(saved))
            return Verdict(results, saved[b"description"].decode(), json.loads(saved[b"reasons"]), True)
    results, description, reasons = validate(stamp)
    metadata = {
        b"fingerprint": key.encode(),
        b"description": description.encode(),
        b"reasons": json.dumps(reasons).encode(),
    }
    write_parquet(path, results.replace_schema_metadata(metadata))
    return Verdict(results, description, reasons, False)


def failed_rules(results: pa.Table, severity: str) -> list[dict]:
    return [r for r in results.to_pylist() if not r["passed"] and r["severity"] == severity]


def contract_result(context: dg.AssetCheckExecutionContext, warehouse: Warehouse, table: Table) -> dg.AssetCheckResult:
    referenced = references_of(table)

    def validate(stamp: str):
        outcome = worker.call(validate_staged, str(warehouse.root), table.name)
        results = results_table(context.run.run_id, table.name, CONTRACT_CHECK, stamp, outcome.rules, outcome.errors)
        return results, summary(outcome.errors, len(outcome.rules)), rejection_reasons(outcome.errors)

    key = fingerprint(warehouse, [table.name, *referenced])
    verdict = validated(warehouse, table.name, CONTRACT_CHECK, key, context.run.run_id, validate)
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


def warnings_result(context: dg.AssetCheckExecutionContext, warehouse: Warehouse, table: Table) -> dg.AssetCheckResult:
    rules = warnings_for(table.name)
    reads = warnings_reads(table)

    def validate(stamp: str):
        frames = {name: staged_rows(warehouse, name) for name in {table.name, *reads}}
        found = check_warnings(table.name, frames)
        pseudo_rules = [Rule(table.name, w.says, w.says, "", column=None, severity=WARNING) for w in rules]
        results = results_table(context.run.run_id, table.name, WARNINGS_CHECK, stamp, pseudo_rules, found)
        return results, summary(found, len(rules)), {}

    key = fingerprint(warehouse, [table.name, *reads])
    verdict = validated(warehouse, table.name, WARNINGS_CHECK, key, context.run.run_id, validate)
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

    @dg.multi_asset_check(name=f"validate_{family}", specs=specs, can_subset=True, pool=POOL)
    def _checks(context: dg.AssetCheckExecutionContext, settings: Settings):
        warehouse = Warehouse(settings.data_dir)
        selected = [
            (spec, TABLES[spec.asset_key.path[-1]]) for spec in specs if spec.key in context.selected_asset_check_keys
        ]
        with ThreadPoolExecutor(max_workers=1) as contract_rules:
            results = {
                spec.key: contract_rules.submit(contract_result, context, warehouse, table)
                for spec, table in selected
                if spec.name == CONTRACT_CHECK
            }
            for spec, table in selected:
                if spec.name == WARNINGS_CHECK:
                    results[spec.key] = warnings_result(context, warehouse, table)
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
        path = results_path(warehouse, name, CONTRACT_CHECK)
        if not path.exists() or not warehouse.staged(name).exists():
            refusals.append(f"{name}: not yet ingested and validated")
            continue
        results = pq.read_table(path)
        stamp = stamp_of(warehouse.staged(name))
        if set(results.column("staged_by_run").to_pylist()) != {stamp}:
            refusals.append(f"{name}: the staged table changed after it was validated; validate it again")
        failed = [r["rule"] for r in results.to_pylist() if not r["passed"] and r["severity"] == ERROR]
        if failed:
            refusals.append(f"{name}: blocking rules failed when it was last validated: {', '.join(failed)}")
        parts.append(results)
        warnings = results_path(warehouse, name, WARNINGS_CHECK)
        if warnings.exists():
            parts.append(pq.read_table(warnings))
    if refusals:
        raise NotPublishable("Not published:\n" + "\n".join(f"  {r}" for r in refusals))
    return pa.concat_tables(parts)


@dg.asset(
    group_name="validate",
    deps=INGEST_ASSETS,
    pool=POOL,
    automation_condition=AUTOMATION,
    description="Publishes the staged tables into warehouse/, with validation_results and source_files, "
    "only when every table passed every blocking check.",
    kinds={"parquet"},
)
def published_tables(settings: Settings) -> dg.MaterializeResult:
    warehouse = Warehouse(settings.data_dir)
    try:
        results = collect_results(warehouse)
    except NotPublishable as refusal:
        raise dg.Failure(description=str(refusal), allow_retries=False) from None
    for name in TABLES:
        # A table validated in an earlier run and not read again since is already published as it is.
        if not warehouse.path(name).exists() or stamp_of(warehouse.staged(name)) != stamp_of(warehouse.path(name)):
            warehouse.publish(name)
    registers = [pq.read_table(warehouse.register / f"{name}.parquet") for name in TABLES]
    files = pa.concat_tables(registers).sort_by([("path", "ascending"), ("table", "ascending")])
    warehouse.write("source_files", files)
    warehouse.write("validation_results", results)
    warnings = [r for r in results.to_pylist() if r["severity"] == WARNING and not r["passed"]]
    rows = {name: pq.read_metadata(warehouse.path(name)).num_rows for name in TABLES}
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
