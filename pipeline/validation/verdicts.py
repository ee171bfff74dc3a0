"""What validation found, kept and reused: one row per rule run, the summary a drafter reads, the
files to mark rejected, and the key under which a check's results are reused while nothing that
can change them has changed.

The key is the data versions of the tables the check reads (the files they were read from, by
SHA-256, and the code version) and, for warnings that depend on it, the as-of date. The code
version covers every module of `pipeline/` and the versions of the libraries that read, type and
check the rows, so that a change to any of them validates again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline.code_version import digest
from pipeline.contract import Table
from pipeline.problems import Failure
from pipeline.store import Store
from pipeline.store.files import exists, read_schema, read_table, write_parquet
from pipeline.validation.rules import Rule, references_of

CONTRACT_CHECK = "contract_rules"
WARNINGS_CHECK = "warnings"
STAGED_BY = b"staged_by_run"  # the run that staged a table, in its Parquet metadata
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
LIBRARIES = ("great_expectations", "pandas", "pyarrow", "numpy", "pycountry", "openpyxl")


@functools.cache
def code_version() -> str:
    """The code that reads, types and checks the rows: every module of pipeline/ and those libraries; read
    once per process, as the code a process runs does not change under it."""
    return digest(("pipeline",), LIBRARIES)[:16]


def data_version(files: list[dict]) -> str:
    """The version of a table as read: the files and sheets it came from, by SHA-256, and the code."""
    content = sorted((f["path"], f["sheet"] or "", f["sha256"]) for f in files)
    return hashlib.sha256(json.dumps([code_version(), content]).encode()).hexdigest()[:16]


def check_key(store: Store, tables: list[str], as_of: dt.date | None = None) -> str:
    versions = [data_version(store.archive.read_register(name).to_pylist()) for name in sorted(tables)]
    return hashlib.sha256(json.dumps([versions, str(as_of or "")]).encode()).hexdigest()


def contract_key(store: Store, table: Table) -> str:
    """The key of a table's contract check: the table and the tables it refers to."""
    return check_key(store, [table.name, *references_of(table)])


def saved_key(store: Store, table: str, check: str) -> str | None:
    """The key under which a check's last results were saved, if any."""
    path = store.staging.check_results(table, check)
    return (read_schema(path).metadata or {}).get(b"key", b"").decode() if exists(path) else None


def stamp_of(path: Path) -> str:
    """The run that staged a table, as its Parquet file records it (the staged or the published copy)."""
    metadata = read_schema(path).metadata or {}
    return metadata.get(STAGED_BY, b"").decode()


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


def mark_rejected(store: Store, table: str, reasons: dict[str, str]) -> None:
    """Files with rows that break a blocking rule are rejected in the register, with the reason."""
    if not reasons:
        return
    rows = store.archive.read_register(table).to_pylist()
    for row in rows:
        if row["path"] in reasons and row["status"] == "accepted":
            row["status"], row["reason"] = "rejected", reasons[row["path"]]
    store.archive.write_register(table, rows)


@dataclass
class Verdict:
    results: pa.Table
    description: str
    reasons: dict[str, str]
    reused: bool


def reuse_or_run(
    store: Store,
    table: str,
    check: str,
    key: str,
    run_id: str,
    validate: Callable[[str], tuple[pa.Table, str, dict[str, str]]],
) -> Verdict:
    """The check's results: those of an earlier run if nothing it reads has changed since, else new ones."""
    path = store.staging.check_results(table, check)
    stamp = stamp_of(store.staging.path(table))
    if saved_key(store, table, check) == key:  # only then are the earlier results read
        earlier = read_table(path)
        saved, n = earlier.schema.metadata, earlier.num_rows
        results = earlier.set_column(earlier.schema.get_field_index("run_id"), "run_id", pa.array([run_id] * n))
        results = results.set_column(
            results.schema.get_field_index("staged_by_run"), "staged_by_run", pa.array([stamp] * n)
        )
        write_parquet(path, results.replace_schema_metadata(saved))
        return Verdict(results, saved[b"description"].decode(), json.loads(saved[b"reasons"]), True)
    results, description, reasons = validate(stamp)
    metadata = {b"key": key.encode(), b"description": description.encode(), b"reasons": json.dumps(reasons).encode()}
    write_parquet(path, results.replace_schema_metadata(metadata))
    return Verdict(results, description, reasons, False)


def failed_rules(results: pa.Table, severity: str) -> list[dict]:
    return [r for r in results.to_pylist() if not r["passed"] and r["severity"] == severity]
