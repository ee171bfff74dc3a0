"""Rules across tables that block publication, like the contract's column rules: rows of one table that rows
of others make wrong. Declared as the warnings are (row_rules.py); validation names each offending row."""

from __future__ import annotations

from pipeline.contract import iati
from pipeline.contract.row_rules import RowRule
from pipeline.contract.source_tables import TABLES

CROSS_RULES = [
    RowRule(
        "iati_transactions",
        "iati_identifier",
        "counted once: a programme's transfers from one organization in one year come from one source",
        ("iati_transactions", "iati_activities", "transfers"),
        iati.counted_twice,
        detail="mapped to {programme_id} ({mapping_file} line {mapping_line}), but {transfers_file} line "
        "{transfers_line} already gives {programme_id}'s transfers to {organization} in {year}: give that year's "
        "money in one source only, or remove the mapping",
    ),
]
assert all(r.table in TABLES and set(r.reads) <= set(TABLES) and r.table in r.reads for r in CROSS_RULES)


def cross_rules_for(table: str) -> list[RowRule]:
    return [r for r in CROSS_RULES if r.table == table]
