"""Validation: the contract's rules as Great Expectations suites, cross-table rules and warnings.

Every rule is derived from the one contract declaration (pipeline/contract.py) or, for the
warnings, declared once below. Errors block publication; warnings are reported and never block.
Offending rows are named by their lineage: file, sheet, line, column and value.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.contract import ISO3, LINEAGE_COLUMNS, LIST_ISO3, REGIONS, TABLES, Column, Table
from pipeline.countries import ISO3_CODES
from pipeline.problems import EXAMPLES_SHOWN, Failure, Problem
from pipeline.readers import group_problems
from pipeline.warehouse import Warehouse, to_frame

# GX would otherwise try to send usage statistics over the network, whoever imports it first.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
ERROR, WARNING = "error", "warning"
INDEX_COLUMNS = ["source_file", "source_sheet", "source_line"]
# A first pass asks only whether each rule holds, which halves GX's work on a valid table; the
# rules that fail run again for every offending row's index, which leads back to its lineage.
VERDICT_ONLY = {"result_format": "BOOLEAN_ONLY"}
EVERY_ROW = {"result_format": "COMPLETE"}


@dataclass(frozen=True)
class Rule:
    """One rule of one table, as a drafter reads it, and the GX expectation that checks it."""

    table: str
    name: str
    says: str
    expectation: str
    arguments: dict = field(default_factory=dict, hash=False)
    column: str | None = None
    items: bool = False  # checked on each element of a list column
    reference: str | None = None  # "table.column" whose keys the values must be among
    severity: str = ERROR


def contract_rules(table: Table) -> list[Rule]:
    """The rules of `table` derived from the contract, cross-table references included."""
    rules: list[Rule] = []
    for c in table.columns:
        rules += _column_rules(table, c)
    if table.key:
        key = list(table.key)
        expectation = "ExpectColumnValuesToBeUnique" if len(key) == 1 else "ExpectCompoundColumnsToBeUnique"
        arguments = {"column": key[0]} if len(key) == 1 else {"column_list": key}
        name = f"({', '.join(key)}) unique" if len(key) > 1 else f"{key[0]} unique"
        rules.append(Rule(table.name, name, "must be unique", expectation, arguments, ", ".join(key)))
    return rules


def _column_rules(table: Table, c: Column) -> list[Rule]:
    rules = []

    def add(name: str, says: str, expectation: str, items: bool = False, reference: str | None = None, **arguments):
        if "column_A" not in arguments:  # a pair rule names its two columns instead
            arguments.setdefault("column", c.name)
        rules.append(Rule(table.name, f"{c.name} {name}", says, expectation, arguments, c.name, items, reference))

    if c.required and c.required_when is None:
        add("required", "required: the cell is empty", "ExpectColumnValuesToNotBeNull")
    if c.required_when:
        other, value = c.required_when
        add(
            f"required when {other} is {value}",
            f"required when {other} is {value}",
            "ExpectColumnValuesToNotBeNull",
            row_condition=f'{other}=="{value}"',
            condition_parser="pandas",
        )
    if c.allowed:
        add(
            "in its list",
            f"must be one of: {', '.join(c.allowed)}",
            "ExpectColumnValuesToBeInSet",
            value_set=list(c.allowed),
        )
    if c.type in (ISO3, LIST_ISO3):
        add(
            "ISO 3166-1 alpha-3",
            "not an ISO 3166-1 alpha-3 code",
            "ExpectColumnValuesToBeInSet",
            items=c.is_list,
            value_set=sorted(ISO3_CODES),
        )
    if c.min is not None or c.max is not None:
        says = f"must be {_n(c.min)} to {_n(c.max)}" if c.max is not None else f"must be {_n(c.min)} or more"
        add("range", says, "ExpectColumnValuesToBeBetween", items=c.is_list, min_value=c.min, max_value=c.max)
    if c.above is not None:
        add(
            "above",
            f"must be more than {_n(c.above)}",
            "ExpectColumnValuesToBeBetween",
            min_value=c.above,
            strict_min=True,
        )
    if c.pattern:
        add("form", f"must be {c.pattern[1]}", "ExpectColumnValuesToMatchRegex", regex=c.pattern[0])
    if c.not_before:
        add(
            f"not before {c.not_before}",
            f"must not be before {c.not_before}",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A=c.name,
            column_B=c.not_before,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    if c.pairs_with:
        add(
            f"matches {c.pairs_with}",
            f"must be the {c.pairs_with}'s own ({'; '.join(f'{r}: {m}' for r, m in REGIONS.items())})",
            "ExpectColumnPairValuesToBeInSet",
            column_A=c.pairs_with,
            column_B=c.name,
            value_pairs_set=list(REGIONS.items()),
        )
    if c.references:
        ref_table, ref_column = c.references.split(".")
        # Membership in a table's keys, which may be many, is computed with pandas before GX
        # runs (see _with_references): GX then checks a column of yes/no, not a huge value set.
        add(
            f"exists in {ref_table}",
            f"must exist in {ref_table} ({ref_column})",
            "ExpectColumnValuesToBeInSet",
            reference=c.references,
            column=f"{c.name} exists in {ref_table}",
            value_set=[True],
        )
    return rules


def _n(number: float | None) -> str:
    return str(int(number)) if number is not None and float(number).is_integer() else str(number)


@dataclass
class Outcome:
    """What validating one table found: every rule run, and the failures among them."""

    table: str
    rules: list[Rule]
    failures: list[Failure]

    @property
    def errors(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == ERROR]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == WARNING]


def validate_table(
    table: Table, rows: pd.DataFrame, read_problems: list[Problem], references: dict[str, list] | None = None
) -> Outcome:
    """Run the contract's rules on the rows of one table with Great Expectations; `references`
    gives the keys of the tables it refers to ("reviews.review_id" -> [...])."""
    rules = contract_rules(table)
    failures = group_problems(table.name, read_problems)
    # A cell already reported as unreadable is not reported again as empty.
    unreadable = {(p.file, p.sheet, p.line, p.column) for p in read_problems}
    by_frame: dict[str | None, list[Rule]] = {}
    for rule in rules:
        by_frame.setdefault(rule.column if rule.items else None, []).append(rule)
    for list_column, frame_rules in by_frame.items():
        if list_column is None:
            # GX fingerprints the whole frame it is given: the lineage stays out of it.
            frame = _with_references(rows.drop(columns=LINEAGE_COLUMNS, errors="ignore"), frame_rules, references or {})
            lineage = rows
        else:
            frame = lineage = _items(rows, list_column)
        verdicts = _run_suite(table.name, frame, frame_rules, VERDICT_ONLY)
        for rule, verdict in zip(frame_rules, verdicts, strict=True):
            if verdict.exception_info and verdict.exception_info.get("raised_exception"):
                message = verdict.exception_info.get("exception_message")
                raise RuntimeError(f"{table.name}: rule {rule.name} could not run: {message}")
        failed = [r for r, v in zip(frame_rules, verdicts, strict=True) if not v.success]
        located = [r for r in failed if not r.expectation.endswith("ToBeUnique")]
        results = dict(zip(located, _run_suite(table.name, frame, located, EVERY_ROW), strict=True))
        for rule in failed:
            if rule not in results:
                failures.append(_duplicates(rule, table, rows))
                continue
            offending = lineage.loc[results[rule].result.get("unexpected_index_list") or []]
            if unreadable:
                where = zip(offending["source_file"], offending["source_sheet"], offending["source_line"], strict=True)
                offending = offending[[(f, _plain(s), int(n), rule.column) not in unreadable for f, s, n in where]]
            if len(offending):
                examples = [
                    _row_problem(row, rule.column, row[rule.column], rule.says)
                    for _, row in offending.head(EXAMPLES_SHOWN).iterrows()
                ]
                files = tuple(sorted(offending["source_file"].unique()))
                failures.append(Failure(table.name, rule.says, len(offending), examples, rule.column, ERROR, files))
    return Outcome(table.name, rules, failures)


def validate_staged(data_dir: str, name: str) -> Outcome:
    """Validate table `name` as staged in the data folder: its rows, the problems met while
    reading them and the keys of the tables it refers to. Reads only files, so that a worker
    process can run it (pipeline/worker.py)."""
    warehouse, table = Warehouse(data_dir), TABLES[name]
    references = reference_keys(table, lambda other, column: warehouse.read_staged(other, [column]).column(0))
    return validate_table(table, staged_rows(warehouse, name), warehouse.read_problems(name), references)


def staged_rows(warehouse: Warehouse, name: str) -> pd.DataFrame:
    """A staged table as the rules read it. Rows are named by file, sheet and line: each row's
    SHA-256 would only take time and memory."""
    return to_frame(warehouse.read_staged(name, [*TABLES[name].column_names, *INDEX_COLUMNS]))


def warm() -> None:
    """Import Great Expectations and make its context, before the first table needs them."""
    _whole_frames()


def _with_references(rows: pd.DataFrame, rules: list[Rule], references: dict[str, list]) -> pd.DataFrame:
    flags = {}
    for rule in rules:
        if rule.reference:
            # pyarrow's is_in: pandas' isin on Arrow strings makes a scalar of every key first.
            values = pa.array(rows[rule.column], pa.string())
            keys = pa.array(references.get(rule.reference, []), pa.string())
            known = pc.fill_null(pc.is_in(values, value_set=keys), False)
            flags[rule.arguments["column"]] = pc.or_(pc.is_null(values), known).to_numpy(zero_copy_only=False)
    return rows.assign(**flags) if flags else rows


def _items(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per element of a list column, keeping the row's lineage."""
    return rows[INDEX_COLUMNS + [column]].explode(column, ignore_index=True).dropna(subset=[column])


def _run_suite(name: str, frame: pd.DataFrame, rules: list[Rule], result_format: dict) -> list:
    if not rules:
        return []
    gx = _great_expectations()
    import great_expectations.expectations as gxe

    _context, whole_frames = _whole_frames()  # first: a suite needs the context to exist
    suite = gx.ExpectationSuite(name=name)
    for number, rule in enumerate(rules):
        suite.add_expectation(getattr(gxe, rule.expectation)(**rule.arguments, meta={"rule": number}))
    batch = whole_frames.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format=result_format)
    # GX keeps the last frame it validated: without this, two large tables would be held at once.
    batch.data.execution_engine.batch_manager.batch_data_cache.clear()
    # GX does not keep the suite's order in its results: each result says which rule it checked.
    return sorted(result.results, key=lambda r: r.expectation_config.meta["rule"])


@functools.cache
def _whole_frames():
    """One in-memory GX context per process, without progress bars, and its one batch definition:
    a whole pandas frame, given at validation. The context is kept: GX needs it alive to validate."""
    gx = _great_expectations()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("staged tables")
    return context, source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("all rows")


def _great_expectations():
    import great_expectations as gx

    return gx


def _plain(value: object) -> object:
    """A cell as a drafter wrote it: no numpy types, no NaN, dates as YYYY-MM-DD."""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _where(row: pd.Series) -> str:
    sheet = _plain(row["source_sheet"])
    return f"{row['source_file']}{':' + sheet if sheet else ''} line {row['source_line']}"


def _duplicates(rule: Rule, table: Table, rows: pd.DataFrame) -> Failure:
    """Each repeat of a key, naming where it was first defined (in another file, if so)."""
    key = list(table.key)
    repeated = rows[rows.duplicated(key, keep=False)]
    examples = []
    for _, group in repeated.groupby(key, sort=False, dropna=False):
        first = group.iloc[0]
        for _, again in group.iloc[1:].iterrows():
            value = _plain(again[key[0]]) if len(key) == 1 else ", ".join(str(_plain(again[k])) for k in key)
            says = f"{rule.says}: also defined in {_where(first)}"
            examples.append(
                Problem(
                    again["source_file"],
                    says,
                    _plain(again["source_sheet"]),
                    int(again["source_line"]),
                    rule.column,
                    value,
                )
            )
    examples.sort(key=lambda p: (p.file, p.sheet or "", p.line))
    return _failure(table.name, rule.says, examples, rule.column)


def _failure(table: str, says: str, problems: list[Problem], column: str | None, severity: str = ERROR) -> Failure:
    files = tuple(sorted({p.file for p in problems}))
    return Failure(table, says, len(problems), problems[:EXAMPLES_SHOWN], column, severity, files)


# Warnings: reported, never blocking. Each names the table it is shown on and the tables it reads.
Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class WarningRule:
    table: str
    says: str
    reads: tuple[str, ...]
    find: Callable[[Frames], list[Problem]]


def _expenditure_above_funding(t: Frames) -> list[Problem]:
    transfers = t["transfers"]
    totals = transfers.groupby(["programme_id", "year"])[["net_funded_usd", "expenditure_usd"]].transform("sum")
    over = transfers[totals["expenditure_usd"] > totals["net_funded_usd"]]
    over = over.drop_duplicates(["programme_id", "year"])
    return [
        _row_problem(
            row,
            "expenditure_usd",
            row["expenditure_usd"],
            f"expenditure above net funded for {row['programme_id']} in {row['year']}",
        )
        for _, row in over.iterrows()
    ]


def _participants_differ(t: Frames) -> list[Problem]:
    listed = t["review_participants"].groupby("review_id")["iso3"].nunique()
    problems = []
    for _, review in t["reviews"].iterrows():
        count = int(listed.get(review["review_id"], 0))
        if count != review["member_states_participating"]:
            problems.append(
                _row_problem(
                    review,
                    "member_states_participating",
                    review["member_states_participating"],
                    f"{count} Member States are listed in review_participants",
                )
            )
    return problems


def _reviews_without_outcomes(t: Frames) -> list[Problem]:
    with_outcomes = set(t["review_findings"]["review_id"]) | set(t["review_recommendations"]["review_id"])
    lacking = t["reviews"][~t["reviews"]["review_id"].isin(with_outcomes)]
    return [
        _row_problem(r, "review_id", r["review_id"], "no findings or recommendations for this review")
        for _, r in lacking.iterrows()
    ]


def _champions_without_network(t: Frames) -> list[Problem]:
    networks = t["country_networks"]
    open_networks = networks[(networks["level"] == "country") & networks["closed_on"].isna()]
    lacking = t["champions"][t["champions"]["left_on"].isna() & ~t["champions"]["iso3"].isin(open_networks["iso3"])]
    return [
        _row_problem(r, "iso3", r["iso3"], "a Champion country without a country network")
        for _, r in lacking.iterrows()
    ]


def _targets_without_deposits(t: Frames) -> list[Problem]:
    contributions = t["contributions"]
    deposited = set(contributions.loc[contributions["deposit_usd"] > 0, "year"])
    lacking = t["targets"][~t["targets"]["year"].isin(deposited)]
    return [_row_problem(r, "year", r["year"], "a target year without deposits") for _, r in lacking.iterrows()]


def _row_problem(row: pd.Series, column: str, value: object, says: str) -> Problem:
    return Problem(
        row["source_file"], says, _plain(row["source_sheet"]), int(row["source_line"]), column, _plain(value)
    )


WARNINGS = [
    WarningRule(
        "transfers", "expenditure above net funded for a programme and year", ("transfers",), _expenditure_above_funding
    ),
    WarningRule(
        "reviews",
        "the participants listed differ from member_states_participating",
        ("reviews", "review_participants"),
        _participants_differ,
    ),
    WarningRule(
        "reviews",
        "a review without findings or recommendations",
        ("reviews", "review_findings", "review_recommendations"),
        _reviews_without_outcomes,
    ),
    WarningRule(
        "champions",
        "a Champion country without a country network",
        ("champions", "country_networks"),
        _champions_without_network,
    ),
    WarningRule("targets", "a target year without deposits", ("targets", "contributions"), _targets_without_deposits),
]


def warnings_for(table: str) -> list[WarningRule]:
    return [w for w in WARNINGS if w.table == table]


def check_warnings(table: str, frames: Frames) -> list[Failure]:
    failures = []
    for warning in warnings_for(table):
        found = warning.find(frames)
        if found:
            failures.append(_failure(table, warning.says, found, None, WARNING))
    return failures


def reference_keys(table: Table, keys_of: Callable[[str, str], object]) -> dict[str, object]:
    """The keys each cross-table rule of `table` checks against, as `keys_of(table, column)` gives them."""
    return {c.references: keys_of(*c.references.split(".")) for c in table.columns if c.references}


def references_of(table: Table) -> list[str]:
    """The tables whose keys `table` refers to."""
    return sorted({c.references.split(".")[0] for c in table.columns if c.references})


assert all(w.table in TABLES and set(w.reads) <= set(TABLES) for w in WARNINGS)
