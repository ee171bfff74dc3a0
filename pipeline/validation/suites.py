"""Validation runs here: the contract's rules (rules.py) as Great Expectations suites on a staged table,
and the contract's warnings (pipeline/contract/warnings.py) in pandas. Errors block publication;
warnings are reported and never block. Offending rows are named by their lineage: file, sheet,
line, column and value.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
import os
import sys
import types
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import ahead
from pipeline.contract import LINEAGE_COLUMNS, TABLES, RowRule, Table, cross_rules_for, warnings_for
from pipeline.contract.row_rules import read_columns
from pipeline.contract.rows import Frames
from pipeline.problems import EXAMPLES_SHOWN, Failure, Problem
from pipeline.readers import group_problems
from pipeline.store import Store
from pipeline.store.files import to_frame
from pipeline.validation.rules import ERROR, WARNING, Rule, contract_rules, reference_keys

# GX would otherwise try to send usage statistics over the network, whoever imports it first.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
INDEX_COLUMNS = ["source_file", "source_sheet", "source_line"]
# A first pass asks only whether each rule holds, which halves GX's work on a valid table; the
# rules that fail run again for every offending row's index, which leads back to its lineage.
VERDICT_ONLY = {"result_format": "BOOLEAN_ONLY"}
EVERY_ROW = {"result_format": "COMPLETE"}
# Rows validated at once: GX's memory grows with the frame it is given, several times the rows' own; but
# each batch also costs GX about 45 ms of its own whatever its size (measured at 3,000,000 rows: 12 batches
# of 250,000 took 2.1-2.5 s, 4 of 750,000 1.8 s, with 130 MB more). A large table is cut in BATCHES, of
# at least BATCH_ROWS rows and at most MAX_BATCH_ROWS.
BATCH_ROWS, MAX_BATCH_ROWS, BATCHES = 250_000, 1_000_000, 4


def batch_rows(rows: int) -> int:
    return min(max(-(-rows // BATCHES), BATCH_ROWS), MAX_BATCH_ROWS)


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
    return validate_batches(table, [rows], rows, read_problems, references)


def validate_batches(
    table: Table,
    batches: Iterable[pd.DataFrame],
    keys: pd.DataFrame,
    read_problems: list[Problem],
    references: dict[str, list] | None = None,
) -> Outcome:
    """Like `validate_table`, with the rows given in batches (each with its lineage), so that GX never
    holds a large table whole; whether keys are unique is asked of `keys`, every row's key columns
    and lineage."""
    rules = [rule for rule in contract_rules(table) if not rule.across]
    # A cell already reported as unreadable is not reported again as empty.
    unreadable = {(p.file, p.sheet, p.line, p.column) for p in read_problems}
    groups: dict[str | None, list[Rule]] = {}  # the rules of a list column run on its items
    for rule in rules:
        groups.setdefault(rule.column if rule.items else None, []).append(rule)
    by_frame = {column: [rule for rule in group if not _is_unique(rule)] for column, group in groups.items()}
    references = {name: _key_array(keys) for name, keys in (references or {}).items()}  # once, not per batch
    found: dict[Rule, Found] = {}
    for rows in batches:
        for list_column, frame_rules in by_frame.items():
            if list_column is None:
                # GX fingerprints the whole frame it is given: the lineage stays out of it.
                values = rows.drop(columns=LINEAGE_COLUMNS, errors="ignore")
                frame = _with_references(values, frame_rules, references)
                lineage = rows
            else:
                frame = lineage = _items(rows, list_column)
            for rule, offending in _offending(table.name, frame, lineage, frame_rules):
                found.setdefault(rule, Found()).add(_not_unreadable(offending, rule, unreadable), rule)
    unique = [rule for rule in rules if _is_unique(rule)]
    verdicts = _run_suite(table.name, keys[list(table.key)], unique, VERDICT_ONLY) if unique else []
    repeated = {rule: _duplicates(rule, table, keys) for rule, v in zip(unique, verdicts, strict=True) if not v.success}
    failures = group_problems(table.name, read_problems)
    for rule in (rule for group in groups.values() for rule in group):
        if rule in repeated:
            failures.append(repeated[rule])
        elif found.get(rule) and found[rule].count:
            failures.append(found[rule].failure(table.name, rule))
    return Outcome(table.name, rules, failures)


@dataclass
class Found:
    """The rows offending one rule, gathered batch by batch: how many, the first few, in which files."""

    count: int = 0
    examples: list[Problem] = field(default_factory=list)
    files: set[str] = field(default_factory=set)

    def add(self, offending: pd.DataFrame, rule: Rule) -> None:
        if not len(offending):
            return
        self.count += len(offending)
        self.files.update(offending["source_file"].unique())
        for _, row in offending.head(EXAMPLES_SHOWN - len(self.examples)).iterrows():
            self.examples.append(_row_problem(row, rule.column, row[rule.column], rule.says))

    def failure(self, table: str, rule: Rule) -> Failure:
        return Failure(table, rule.says, self.count, self.examples, rule.column, ERROR, tuple(sorted(self.files)))


def _not_unreadable(offending: pd.DataFrame, rule: Rule, unreadable: set[tuple]) -> pd.DataFrame:
    if not unreadable:
        return offending
    where = zip(offending["source_file"], offending["source_sheet"], offending["source_line"], strict=True)
    return offending[[(f, _plain(s), int(n), rule.column) not in unreadable for f, s, n in where]]


def _is_unique(rule: Rule) -> bool:
    return rule.expectation.endswith("ToBeUnique")


def _offending(name: str, frame: pd.DataFrame, lineage: pd.DataFrame, rules: list[Rule]):
    """Each rule that fails on `frame`, with the lineage of its offending rows."""
    verdicts = _run_suite(name, frame, rules, VERDICT_ONLY)
    for rule, verdict in zip(rules, verdicts, strict=True):
        if verdict.exception_info and verdict.exception_info.get("raised_exception"):
            message = verdict.exception_info.get("exception_message")
            raise RuntimeError(f"{name}: rule {rule.name} could not run: {message}")
    failed = [r for r, v in zip(rules, verdicts, strict=True) if not v.success]
    for rule, result in zip(failed, _run_suite(name, frame, failed, EVERY_ROW), strict=True):
        yield rule, lineage.loc[result.result.get("unexpected_index_list") or []]


def validate_staged(data_dir: str, name: str) -> Outcome:
    """Validate table `name` as staged in the data folder: its rows, the problems met while
    reading them and the keys of the tables it refers to. Reads only files, so that a worker
    process can run it (runtime/worker.py)."""
    staging, table = Store(data_dir).staging, TABLES[name]
    references = reference_keys(table, lambda other, column: staging.read(other, [column]).column(0))
    columns = [*table.column_names, *INDEX_COLUMNS]
    size = batch_rows(staging.rows(name))
    batches = (to_frame(rows) for rows in staging.batches(name, columns, size))
    keys = to_frame(staging.read(name, [*table.key, *INDEX_COLUMNS])) if table.key else None
    outcome = validate_batches(table, batches, keys, staging.read_problems(name), references)
    across = cross_rules_for(name)
    if across:
        outcome.rules += [rule for rule in contract_rules(table) if rule.across]
        outcome.failures += found_on_staged(Store(data_dir), name, across, None, ERROR)
    return outcome


def found_on_staged(
    store: Store, table: str, rules: list[RowRule], day: dt.date | None, severity: str
) -> list[Failure]:
    """What rules across tables (cross rules, warnings) find on the staged `table`, reading of each table they
    read only the columns they declare. Such a rule names rows of `table`: an empty one has none, whatever the
    others hold (without IATI files, transfers are not read again: 0.4 s and 60 MB at 1,000,000 rows)."""
    if not store.staging.rows(table):
        return []
    read = {name for rule in rules for name in rule.reads}
    frames = {name: staged_rows(store, name, read_columns(rules, name)) for name in read}
    return _found(table, rules, frames, day, severity)


def validate_ahead(store: Store, name: str, key: str) -> None:
    """Ask the validation worker, if there is one, to validate a table just staged (ahead.py)."""
    ahead.ahead((str(store.data), name, key), validate_staged, str(store.data), name)


def validated(store: Store, name: str, key: str) -> Outcome:
    """A staged table's validation: the one asked for ahead under the same key, or a new one."""
    return ahead.call(validate_staged, str(store.data), name, key=(str(store.data), name, key))


def staged_rows(store: Store, name: str, columns: Collection[str] | None = None) -> pd.DataFrame:
    """A staged table as the rules read it (only `columns` of it, if named). Rows are named by file,
    sheet and line: each row's SHA-256 would only take time and memory."""
    kept = [c for c in TABLES[name].column_names if columns is None or c in columns]
    return to_frame(store.staging.read(name, [*kept, *INDEX_COLUMNS]))


def warm() -> None:
    """Import Great Expectations and make its context, before the first table needs them."""
    _whole_frames()


def _key_array(keys) -> pa.Array:
    """A table's keys as one Arrow array of text: pa.array would read a chunked array a value at a time."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    return keys.cast(pa.string()) if isinstance(keys, pa.Array) else pa.array(keys, pa.string())


def _with_references(rows: pd.DataFrame, rules: list[Rule], references: dict[str, pa.Array]) -> pd.DataFrame:
    flags = {}
    for rule in rules:
        if rule.reference:
            # pyarrow's is_in: pandas' isin on Arrow strings makes a scalar of every key first.
            values = pa.array(rows[rule.column], pa.string())
            keys = references.get(rule.reference, pa.array([], pa.string()))
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
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints each batch by hashing every row (a batch marker, read by nothing here): at 1,000,000
    # rows a quarter of validation's time. Frames over the threshold are not hashed; none is hashed now.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("staged tables")
    return context, source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("all rows")


def _great_expectations():
    for name in NOT_USED_BY_OUR_RULES:
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name)
    import great_expectations as gx

    return gx


# GX imports every expectation it has at its own import, and one it has (the KL divergence's) imports these
# two, a third of GX's import time (0.75 s of 2.3 s here); none of the contract's rules uses them.
NOT_USED_BY_OUR_RULES = ("scipy.stats", "altair")


class _Deferred(types.ModuleType):
    """A module imported when something first reads from it: until then, only its name."""

    __spec__ = None  # what the import system asks of a module it finds already imported

    def __getattr__(self, attribute: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        return getattr(module, attribute)


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


def check_warnings(table: str, frames: Frames, day: dt.date) -> list[Failure]:
    """The contract's warnings shown on `table`, on the rows in `frames`, as of D."""
    return _found(table, warnings_for(table), frames, day, WARNING)


def _found(table: str, rules: list[RowRule], frames: Frames, day: dt.date | None, severity: str) -> list[Failure]:
    """Each rule found on rows (a warning, a rule across tables) that rows break, naming them."""
    failures = []
    for rule in rules:
        found = rule.find(frames, pd.Timestamp(day) if day else None)
        problems = []
        for _, row in found.iterrows():
            says = rule.detail.format(**{k: _plain(v) for k, v in row.items()}) if rule.detail else rule.says
            problems.append(_row_problem(row, rule.column, row[rule.column], says))
        if problems:
            column = rule.column if severity == ERROR else None
            failures.append(_failure(table, rule.says, problems, column, severity))
    return failures


def _row_problem(row: pd.Series, column: str, value: object, says: str) -> Problem:
    return Problem(
        row["source_file"], says, _plain(row["source_sheet"]), int(row["source_line"]), column, _plain(value)
    )
