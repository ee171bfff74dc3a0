"""`sgr draft`: materialise every asset through Dagster and print the draft's path.

Exits 0 with the draft; otherwise non-zero with the failures in plain words (file, sheet,
line, column, value where known), never a bare traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from pipeline import worker
from pipeline.contract import FAMILIES
from pipeline.deadlines import parse_as_of

STARTED = time.perf_counter()

EXIT_FAILED = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sgr", description="Draft the SG report on the Global Compact.")
    commands = parser.add_subparsers(dest="command", required=True)
    draft = commands.add_parser("draft", help="materialise every asset and write the draft report")
    draft.add_argument("--sources", help="sources root (default $SGR_SOURCES or ./sources)")
    draft.add_argument("--data", help="data folder (default $SGR_DATA or ./data)")
    draft.add_argument("--reports", help="drafts folder (default $SGR_REPORTS or ./reports/drafts)")
    draft.add_argument("--as-of", help="reference date YYYY-MM-DD (default $SGR_AS_OF or today)")
    draft.add_argument(
        "--family",
        choices=FAMILIES,
        help="re-read only this family's files, then validate, publish and redraft (what its sensor runs)",
    )
    draft.add_argument("--verbose", action="store_true", help="show Dagster's own log")
    commands.add_parser("rules", help="list every validation rule with its severity")
    args = parser.parse_args(argv)
    if args.command == "rules":
        print(rules_list())
        return 0
    try:
        if args.as_of:
            parse_as_of(args.as_of)
    except ValueError as error:
        print(f"sgr: {error}", file=sys.stderr)
        return EXIT_USAGE
    return run_draft(args)


def rules_list() -> str:
    """Every rule, as derived from the contract, with its severity: the documentation of validation."""
    from pipeline.contract import TABLES
    from pipeline.validation import ERROR, WARNINGS, contract_rules

    lines = ["table                   severity  rule", "-" * 100]
    lines.append(f"{'(every table)':<23} {ERROR:<9} a file that cannot be read; a cell not of its column's type")
    for name, table in TABLES.items():
        for rule in contract_rules(table):
            scope = " [cross-table]" if rule.reference else ""
            lines.append(f"{name:<23} {rule.severity:<9} {rule.name} — {rule.says}{scope}")
    for warning in WARNINGS:
        lines.append(f"{warning.table:<23} {'warning':<9} {warning.says} [reads {', '.join(warning.reads)}]")
    return "\n".join(lines)


def run_config(args: argparse.Namespace) -> dict:
    given = {"sources": args.sources, "data": args.data, "reports": args.reports, "as_of": args.as_of}
    settings = {k: str(Path(v).resolve()) if k != "as_of" else v for k, v in given.items() if v}
    return {
        "resources": {"settings": {"config": settings}},
        "loggers": {"console": {"config": {"log_level": "DEBUG" if args.verbose else "CRITICAL"}}},
    }


def ensure_dagster_home() -> Path:
    """Run history goes to $DAGSTER_HOME, by default a folder beside the sources."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve())))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((Path(__file__).with_name("dagster.yaml")).read_text())
    return home


def run_draft(args: argparse.Namespace) -> int:
    ensure_dagster_home()
    worker.start()  # before Dagster is imported: see pipeline/worker.py
    try:
        return draft(args)
    finally:
        worker.stop()


def draft(args: argparse.Namespace) -> int:
    import dagster as dg

    from pipeline.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    imported = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        selection = None
        if args.family:
            from pipeline.sensors import family_selection

            selection = [dg.AssetKey(key) for key in family_selection(args.family)]
        result = job.execute_in_process(
            run_config=run_config(args), instance=instance, raise_on_error=False, asset_selection=selection
        )
        run = time.perf_counter() - imported
        worker_peak = worker.stop()
        if os.environ.get("SGR_TIMINGS"):
            records = instance.all_logs(result.run_id)
            write_timings(Path(os.environ["SGR_TIMINGS"]), records, imported - STARTED, run, worker_peak)
    checks = result.get_asset_check_evaluations()
    errors = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR]
    warnings = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.WARN]
    drafted = result.success and not errors and result.asset_materializations_for_node("draft_report")
    if not drafted:
        print(failure_report(result, errors, [node.name for node in job.graph.nodes]), file=sys.stderr)
        print(check_report("Warnings (reported, not blocking):", warnings), file=sys.stderr)
        return EXIT_FAILED
    print_figures(result)
    print(check_report("Warnings (reported, not blocking):", warnings))
    made = result.asset_materializations_for_node("draft_report")[0].metadata
    words, limit = made["words"].value, made["word_limit"].value
    print(f"Draft written ({words:,} words of the {limit:,}-word limit): {made['path'].value}")
    return 0


def stage_of(step: str) -> str:
    if step.startswith("ingest_"):
        return "ingest"
    if step.startswith("validate_") or step == "published_tables":
        return "validation"
    return "report" if step == "draft_report" else "derive"


def write_timings(path: Path, records, imports: float, run: float, worker_peak: float | None) -> None:
    """Seconds by stage, for the benchmark: imports, ingest, validation, derive, report, and Dagster's
    own; the assets materialised; the validation worker's peak memory (MB)."""
    started, steps, materialized = {}, {}, []
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialized.append(event.asset_key.to_user_string())
        elif event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps[event.step_key] = record.timestamp - started[event.step_key]
    stages = {"imports": imports, "ingest": 0.0, "validation": 0.0, "derive": 0.0, "report": 0.0}
    for step, seconds in steps.items():
        stages[stage_of(step)] += seconds
    stages["orchestration"] = max(run - sum(steps.values()), 0.0)
    path.write_text(
        json.dumps(
            {"stages": stages, "steps": steps, "materialized": materialized, "worker_peak_mb": worker_peak}, indent=1
        )
    )


def check_report(title: str, evaluations) -> str:
    if not evaluations:
        return ""
    lines = [title]
    for evaluation in evaluations:
        lines += [f"  {line}".rstrip() for line in (evaluation.description or "").splitlines()]
    return "\n".join(lines) + "\n"


def failure_report(result, errors, steps: list[str]) -> str:
    if result.asset_materializations_for_node("published_tables"):
        headline = [
            "sgr draft failed: the tables were validated and published, but the draft was not rebuilt;",
            "the last draft is unchanged.",
        ]
    else:
        headline = [
            "sgr draft failed: nothing was published and the draft was not rebuilt;",
            "the published tables and the last draft are unchanged.",
        ]
    lines = [*headline, ""]
    if errors:
        lines.append(check_report("Errors (block publication):", errors))
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        if data.error and "DagsterAssetCheckFailedError" in data.error.cls_name:
            continue  # already listed under Errors
        if data.user_failure_data and data.user_failure_data.description:
            text = data.user_failure_data.description
        else:
            error = data.error.cause or data.error if data.error else None
            text = f"{error.cls_name}: {error.message.strip()}" if error else "unknown error"
        lines.append(f"[{event.step_key}]")
        lines += [f"  {line}" for line in text.splitlines()]
        lines.append("")
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    skipped = sorted(set(steps) - started)
    if skipped:
        lines.append(f"Not run because of the errors above: {', '.join(skipped)}\n")
    return "\n".join(lines).rstrip() + "\n"


def print_figures(result) -> None:
    from assets.report import un_style

    made = result.asset_materializations_for_node("key_figures")[0].metadata
    print(f"Key figures as of {made['as_of'].value}:")
    import pyarrow.parquet as pq

    for row in pq.read_table(made["path"].value).to_pylist():
        shown = un_style.figure(row["value"], row["unit"])
        rows = row["rows_counted"]
        print(f"  {row['figure']:<34} {shown:>18}   ({rows} row{'s' if rows != 1 else ''} counted)")


if __name__ == "__main__":
    sys.exit(main())
