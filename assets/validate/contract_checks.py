"""Validate: the contract's rules as blocking asset checks on the staged tables, its warnings as
non-blocking ones (pipeline/validation/table_checks.py). The checks of a family's tables run in one
step, `validate_<family>`.

A failing blocking check does not stop Dagster from recording the checked asset, which is why ingest
only stages: `published_tables` (published_assets.py) runs only when no blocking check failed.
"""

from concurrent.futures import Future, ThreadPoolExecutor

import dagster as dg
import pyarrow as pa

from assets.resources import LOCKED, POOL
from pipeline.contract import FAMILIES, TABLES, Table, tables_of, warnings_for
from pipeline.validation.rules import references_of
from pipeline.validation.table_checks import Checked, check_contract, check_table_warnings, warnings_reads
from pipeline.validation.verdicts import CONTRACT_CHECK, WARNINGS_CHECK


def with_breaks(text: str) -> str:
    """Lines as the UI keeps them: it renders a description as Markdown, which joins lines without a hard
    break (two spaces at a line's end) into one."""
    lines = text.split("\n")
    return "\n".join(
        f"{line}  " if line and i + 1 < len(lines) and lines[i + 1] else line for i, line in enumerate(lines)
    )


def check_result(table: Table, checked: Checked) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table.name,
        check_name=checked.check,
        passed=not checked.failed,
        severity=dg.AssetCheckSeverity.ERROR if checked.check == CONTRACT_CHECK else dg.AssetCheckSeverity.WARN,
        description=with_breaks(checked.verdict.description),
        metadata={
            **checked.counts,
            "unchanged_since_last_validated": checked.verdict.reused,
            "results": dg.MetadataValue.md(results_markdown(checked.verdict.results)),
        },
    )


# The metadata key of a step that stopped on failed blocking checks: their rows are in the checks' own results.
BLOCKED = "Blocking checks failed"


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
    thread finds the warnings, judged as of the run's as-of date."""
    specs = [spec for table in tables_of(family) for spec in check_specs(table)]

    @dg.multi_asset_check(
        name=f"validate_{family}", specs=specs, can_subset=True, pool=POOL, required_resource_keys=LOCKED
    )
    def _checks(context: dg.AssetCheckExecutionContext):
        store, run_id = context.resources.settings.store, context.run.run_id
        as_of = context.resources.run_dates.as_of
        selected = [
            (spec, TABLES[spec.asset_key.path[-1]]) for spec in specs if spec.key in context.selected_asset_check_keys
        ]
        with ThreadPoolExecutor(max_workers=1) as contract_rules:
            results = {
                spec.key: contract_rules.submit(check_contract, store, table, run_id)
                for spec, table in selected
                if spec.name == CONTRACT_CHECK
            }
            for spec, table in selected:
                if spec.name == WARNINGS_CHECK:
                    results[spec.key] = check_table_warnings(store, table, run_id, as_of)
            broken = []
            for spec, table in selected:
                result = results[spec.key]
                checked = result.result() if isinstance(result, Future) else result
                yield check_result(table, checked)
                if checked.failed and spec.blocking:
                    broken.append(checked.verdict.description)
        if broken:
            # In words, ahead of Dagster's own error for a failed blocking check (a stack trace): the rows to mend.
            raise dg.Failure(
                description=with_breaks("\n\n".join(broken)),
                metadata={BLOCKED: len(broken), "Not published": "the published tables and the last draft are kept"},
                allow_retries=False,
            )

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
