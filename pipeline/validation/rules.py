"""The contract's rules as Great Expectations expectations, one `Rule` each, derived from the columns'
declarations (pipeline/contract/source_tables.py). Validation runs them; `sgr rules` and docs/contract.md
list them, so that what is documented is what is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.contract import ISO3, LIST_ISO3, LIST_TEXT, REGIONS, TEXT, Column, Table, cross_rules_for
from pipeline.countries import ISO3_CODES

ERROR, WARNING = "error", "warning"
TEXT_TYPES = (TEXT, ISO3, LIST_TEXT, LIST_ISO3)
# The characters XML 1.0, and so Word, cannot hold: C0 controls but tab, line feed and carriage return.
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


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

    @property
    def across(self) -> bool:
        """A rule across tables (pipeline/contract/cross_rules.py), found with pandas, not Great Expectations."""
        return not self.expectation


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
    rules += [Rule(table.name, r.says, r.says, "", column=r.column) for r in cross_rules_for(table.name)]
    return rules


def _column_rules(table: Table, c: Column) -> list[Rule]:
    """A column's rules, one for each property its declaration has, in the order the contract document lists
    them: longer than most functions, as a list of the declarations' properties is."""
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
    if c.type in TEXT_TYPES:
        # A Word document cannot hold these: caught here, the draft never fails on data that passed.
        add(
            "no control characters",
            "a control character (shown as \\x.. in the value) that a Word document cannot hold: remove it",
            "ExpectColumnValuesToNotMatchRegex",
            items=c.is_list,
            regex=CONTROL_CHARACTERS,
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
        # Membership in a table's keys, which may be many, is computed before GX runs (run.py):
        # GX then checks a column of yes/no, not a huge value set.
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


def reference_keys(table: Table, keys_of: Callable[[str, str], object]) -> dict[str, object]:
    """The keys each cross-table rule of `table` checks against, as `keys_of(table, column)` gives them."""
    return {c.references: keys_of(*c.references.split(".")) for c in table.columns if c.references}


def references_of(table: Table) -> list[str]:
    """The tables whose keys `table` refers to, and those its rules across tables read."""
    across = {name for r in cross_rules_for(table.name) for name in r.reads} - {table.name}
    return sorted({c.references.split(".")[0] for c in table.columns if c.references} | across)
