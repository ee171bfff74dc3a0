"""The source contract, version 1, declared once.

    tables.py    the tables: columns, types, rules, keys and when a row counts as of D
    rows.py      the rows that count on D, as figures, report tables and warnings select them
    warnings.py  what looks wrong without breaking the contract: reported, never blocking
    cross_rules.py  rules across tables that block publication (a programme's money counted once)
    iati.py      IATI activity files: the Fund's identifiers, which transactions count, the mapping

Readers, Parquet schemas, validation suites, warnings and docs/contract.md are all derived from
these declarations; a rule of the contract lives here and nowhere else.
"""

from pipeline.contract.cross_rules import CROSS_RULES, cross_rules_for
from pipeline.contract.row_rules import RowRule
from pipeline.contract.source_tables import (
    ARROW_TYPES,
    CALENDAR,
    CONTRACT_VERSION,
    COUNTRY_NETWORKS,
    DATE,
    DEADLINE_KINDS,
    DECIMAL,
    FAMILIES,
    INTEGER,
    ISO3,
    LINEAGE_COLUMNS,
    LINEAGE_FIELDS,
    LIST_INTEGER,
    LIST_ISO3,
    LIST_TEXT,
    MPTF,
    NAMED,
    PUBLIC_SOURCES,
    REGIONAL_REVIEWS,
    REGIONS,
    SG_REPORT,
    TABLES,
    TEXT,
    Column,
    Table,
    tables_of,
)
from pipeline.contract.warnings import WARNINGS, warnings_for

__all__ = [
    "PUBLIC_SOURCES",
    "ARROW_TYPES",
    "CALENDAR",
    "CONTRACT_VERSION",
    "COUNTRY_NETWORKS",
    "DATE",
    "DECIMAL",
    "DEADLINE_KINDS",
    "SG_REPORT",
    "FAMILIES",
    "INTEGER",
    "ISO3",
    "LINEAGE_COLUMNS",
    "LINEAGE_FIELDS",
    "LIST_INTEGER",
    "LIST_ISO3",
    "LIST_TEXT",
    "MPTF",
    "NAMED",
    "REGIONAL_REVIEWS",
    "REGIONS",
    "TABLES",
    "TEXT",
    "WARNINGS",
    "Column",
    "Table",
    "RowRule",
    "CROSS_RULES",
    "cross_rules_for",
    "tables_of",
    "warnings_for",
]
