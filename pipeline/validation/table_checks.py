"""The two checks of each staged table, without Dagster: its contract rules (blocking) and its warnings
(never blocking), each reusing its earlier results while nothing it reads has changed (verdicts.py).
assets/validate/ reports them as Dagster asset checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.contract import Table, warnings_for
from pipeline.store import Store
from pipeline.validation.rules import ERROR, WARNING, Rule
from pipeline.validation.suites import found_on_staged, validated
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
    summary,
)


@dataclass
class Checked:
    """A check's verdict and the rules it found broken, with what the UI shows of it."""

    check: str
    verdict: Verdict
    failed: list[dict]
    counts: dict[str, int]


def check_contract(store: Store, table: Table, run_id: str) -> Checked:
    """The contract's rules on a staged table (GX, in the validation worker if there is one); the files with
    rows that break one are marked rejected in the register."""
    key = contract_key(store, table)

    def validate(stamp: str):
        outcome = validated(store, table.name, key)
        results = results_table(run_id, table.name, CONTRACT_CHECK, stamp, outcome.rules, outcome.errors)
        return results, summary(outcome.errors, len(outcome.rules)), rejection_reasons(outcome.errors)

    verdict = reuse_or_run(store, table.name, CONTRACT_CHECK, key, run_id, validate)
    mark_rejected(store, table.name, verdict.reasons)
    failed = failed_rules(verdict.results, ERROR)
    counts = {
        "rules_run": verdict.results.num_rows,
        "rules_failed": len(failed),
        "offending_rows": sum(r["offending"] for r in failed),
    }
    return Checked(CONTRACT_CHECK, verdict, failed, counts)


def warnings_reads(table: Table) -> list[str]:
    """The other tables a table's warnings read."""
    return sorted({name for w in warnings_for(table.name) for name in w.reads} - {table.name})


def check_table_warnings(store: Store, table: Table, run_id: str, as_of: dt.date) -> Checked:
    """The contract's warnings on a staged table, those that depend on the date judged as of the run's as-of
    date, the date its figures are counted as of."""
    rules, reads = warnings_for(table.name), warnings_reads(table)

    def validate(stamp: str):
        found = found_on_staged(store, table.name, rules, as_of, WARNING)
        listed = [Rule(table.name, w.says, w.says, "", severity=WARNING) for w in rules]
        results = results_table(run_id, table.name, WARNINGS_CHECK, stamp, listed, found)
        return results, summary(found, len(rules)), {}

    key = check_key(store, [table.name, *reads], as_of if any(w.as_of for w in rules) else None)
    verdict = reuse_or_run(store, table.name, WARNINGS_CHECK, key, run_id, validate)
    found = failed_rules(verdict.results, WARNING)
    return Checked(WARNINGS_CHECK, verdict, found, {"warnings": sum(r["offending"] for r in found)})
