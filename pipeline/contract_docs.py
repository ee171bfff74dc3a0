"""The project's own documentation of its contract, written from the declarations: docs/contract.md
(`sgr contract`) and the list of every rule and warning (`sgr rules`). A test fails when the file in
the repository and the declarations disagree; `sgr contract > docs/contract.md` mends it.
"""

from __future__ import annotations

from dataclasses import asdict

from pipeline.catalogue import CHARTS, FIGURES, REPORT_TABLES
from pipeline.contract import (
    CALENDAR,
    CONTRACT_VERSION,
    FAMILIES,
    MPTF,
    TABLES,
    WARNINGS,
    Column,
    Table,
    iati,
    tables_of,
    warnings_for,
)
from pipeline.limits import Limits
from pipeline.validation.rules import ERROR, WARNING, contract_rules

INTRODUCTION = """\
What report drafters hand to the pipeline: its user interface for data, kept stable. Optional
columns, extra readers and new tables may be added; nothing here is renamed or dropped without a
new version of the contract and a migration note in the README.

## Where files go

A sources root (`SGR_SOURCES`, default `sources/`) holds one folder per family of sources, and
the deadline calendar at its root:

| folder | family | tables |
| --- | --- | --- |
{families}

Each table arrives as a CSV file named after it (`contributions.csv`, or `contributions-2024.csv`
for more rows of the same table) or as a sheet named after it in any `.xlsx` workbook of its
family's folder (one workbook per regional review is the habit: `ECE-2020.xlsx` with sheets
`reviews`, `review_participants`, ...). Rows of several files are combined; a key that two files
both define is an error that names both.

CSV: UTF-8 (a byte-order mark is accepted), comma separated, a header row, `.` as the decimal mark,
no thousands separator, dates as `YYYY-MM-DD`; lists inside a cell separated by `;`. Workbooks:
real dates or `YYYY-MM-DD` text. Amounts are US dollars. Country codes are ISO 3166-1 alpha-3, and
`XKX` for Kosovo, the code the UN system uses.

Every row keeps where it came from (file, sheet, line, the file's SHA-256), and every message
about a row names them. A text cell may not hold a control character other than tab and line
breaks (a Word document cannot hold one): that is a rule of every text column.

Refused before anything is read, with a message that names the file: a file larger than
{file_mb:,g} MB (`SGR_MAX_FILE_MB`); a CSV row longer than {line_kb:,g} KB (`SGR_MAX_LINE_KB`), a cell
longer than {field_kb:,g} KB (`SGR_MAX_FIELD_KB`), a header of more than {columns:,} columns
(`SGR_MAX_COLUMNS`); a workbook larger than {workbook_mb:,g} MB once unzipped (`SGR_MAX_WORKBOOK_MB`)
or with a part that inflates more than {zip_ratio:,g} times (`SGR_MAX_ZIP_RATIO`), a macro-enabled,
encrypted or Excel 97-2003 workbook; a file whose real place is outside the sources root (a link).
A workbook's formula is read as the value Excel saved with it; one saved without a value is an error.
"""

FIGURES_INTRODUCTION = """\
## Key figures, as of a date

Nothing the report states is typed in: every figure is counted from the rows above as of the
report's reference date D (`SGR_AS_OF`), published in `key_figures` with the tables, rows and
files it was counted from, and stated in the draft with a Word comment that says so. Declared
in `pipeline/catalogue/figures.py`.

Each figure declares its time grain, which says how it is compared with the previous report (Annex I):
a **stock** is compared as of each date (networks open on D); a **flow by date** sums what is dated by
each date (programmes approved); a **flow by year** sums whole calendar years, since contributions and
transfers carry a year, not a date: the earlier value counts to the end of the last year ended by the
date compared with, and the row says so ("to the end of 2021"). A flow of one year (the year's deposits)
counted on a day inside its year is the year so far, named so and not compared with a whole year. The
previous report's figures are those it stated as issued (its last draft made by its due date), when it
was drafted here; otherwise they are counted now, and the column is headed so.
"""

TABLES_INTRODUCTION = """\
## Report tables and charts

The tables and series the draft states, derived as of D and published in
`warehouse/report_tables/`; the template places a table with `{{table:name}}` and reads the rows
of any of them in loops and conditions. Declared in `pipeline/catalogue/data_tables.py` and `records.py`.
"""


def _required(column: Column) -> str:
    if column.required_when:
        other, value = column.required_when
        return f"when {other} is {value}"
    return "yes" if column.required else "no"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _as_of(table: Table) -> str:
    if table.as_of is not None:
        return table.as_of.words
    parent = next(c.references.split(".")[0] for c in table.columns if c.references)
    return f"with its row of {parent}"


def _table_section(table: Table) -> list[str]:
    rules = contract_rules(table)
    lines = [f"### `{table.name}`", "", table.description, "", f"A row counts as of D: {_as_of(table)}.", ""]
    lines += ["| column | type | required | rules |", "| --- | --- | --- | --- |"]
    for column in table.columns:
        says = [r.says + (" (each item)" if r.items else "") for r in rules if r.column == column.name]
        says = [s for s in says if not s.startswith(("required", "a control character"))]
        lines.append(f"| {column.name} | {column.type} | {_required(column)} | {_cell('; '.join(says))} |")
    if table.key:
        lines += ["", f"Key: ({', '.join(table.key)}), unique across every file."]
    warnings = warnings_for(table.name)
    if warnings:
        lines += ["", "Warnings (reported, never blocking):"]
        lines += [f"- {w.says} (reads {', '.join(w.reads)}{'; as of D' if w.as_of else ''})" for w in warnings]
    return [*lines, ""]


def contract_markdown() -> str:
    families = "\n".join(
        f"| `{'(root)' if family == CALENDAR else family + '/'}` | {family} | "
        f"{', '.join(t.name for t in tables_of(family))} |"
        for family in FAMILIES
    )
    lines = [
        f"# Source contract, version {CONTRACT_VERSION}",
        "",
        "Written from the declarations in `pipeline/contract/` and `pipeline/catalogue/` by `sgr contract`;",
        "do not edit it by hand (a test fails when it and the declarations disagree).",
        "",
        INTRODUCTION.format(families=families, **asdict(Limits())),
    ]
    for family in FAMILIES:
        lines += [f"## {family}", ""]
        for table in tables_of(family):
            lines += _table_section(table)
        if family == MPTF:
            lines += iati_section()
    lines += [
        FIGURES_INTRODUCTION,
        "| figure | unit | definition | reads | as of | grain |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for figure in FIGURES.values():
        reads = "; ".join(f"{t} ({', '.join(c)})" for t, c in figure.reads.items())
        cells = [figure.name, figure.unit, _cell(figure.words), reads, figure.as_of.words, figure.grain]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", TABLES_INTRODUCTION, "| table | title | holds | reads |", "| --- | --- | --- | --- |"]
    for table in REPORT_TABLES.values():
        shown = f"{table.title}{' (shown as a table)' if table.columns else ''}"
        lines.append(f"| {table.name} | {_cell(shown)} | {_cell(table.words)} | {', '.join(table.reads)} |")
    lines += ["", "| chart | title | draws |", "| --- | --- | --- |"]
    lines += [f"| {c.name} | {c.title} | {c.table} |" for c in CHARTS.values()]
    lines += [
        "",
        "In the report's prose, amounts follow UN style: `$17.5 million` (US dollars, one decimal, the word",
        "million; below one million, `$850,000`); counts are digits (`52 country networks`); shares are",
        "`10.5 per cent`; dates `24 June 2021`.",
    ]
    return "\n".join(lines) + "\n"


IATI_MAPPING = """\
### IATI activity files

What participating organizations publish about the activities the Fund funds, in the International Aid
Transparency Initiative's XML standard, is read from every `.xml` file of `mptf/` (the publisher's own
file, or an export of d-portal or the IATI Datastore) into `iati_transactions`:

- **Files**: `<iati-activities version="2.01">` to `"2.03"`; a file of version 1 is refused naming its
  version, a file with a document type declaration (where entities are declared) is refused, and a
  truncated or malformed file is named with its line. Parsed without entities, DTDs or network, an
  activity at a time, within the size limits above. Attributes and elements in other namespaces (d-portal's
  `dstore:`, the Datastore's `iati-extra:`) are not read.
- **Activities**: those funded by the Fund, which a `participating-org` of role 1 (funding) or a
  transaction's `provider-org` names by a ref ({refs}) or a name ({names}; any letter case and spacing).
  Every other activity is counted and left out ("12 activities: 1 funded by the Fund, 11 not funded by
  the Fund"), which the drafters' dossier says of each file.
- **Rows**: every transaction of such an activity, at the line of its `<transaction>`, with the activity's
  `iati-identifier` and title, its place among the activity's transactions (1, 2, ...), its type (IATI's
  TransactionType codes 1 to 13; another is an error naming the activity and transaction), the year and day
  of `value/@value-date` (required; without it, an error naming the activity and transaction) and its
  provider. `from_fund` is yes when the provider is the Fund, or when an incoming transaction (types 1, 11,
  13) names no provider and the Fund alone funds the activity.
- **Organization**: the `reporting-org`, by its identifier, named as transfers.organization names
  organizations (the table below); an identifier not in it is an error that says to add it.
- **Currency**: the value's `@currency`, else the activity's `@default-currency`. The contract is in US
  dollars: a value in another currency is an error naming the activity and transaction (no rates table
  is read yet).
- **Counted**: for an activity that `iati_activities` maps to a joint programme, a transaction of type 1
  (incoming funds) from the Fund joins the programme's transfers as net funded, one of type 4
  (expenditure) as expenditure, by the reporting organization, in the year of its value date and from that
  day (as of a date before it, it does not count). Other types are kept in `iati_transactions`, not
  counted. An activity funded by the Fund that no row maps is a warning and counts nothing; a mapping row
  whose activity no file gives is a warning. A transaction of a mapped activity whose programme,
  organization and year `transfers` also gives is an error naming both files: the money is counted once.

The Fund's identifiers and the organizations' (`pipeline/contract/iati.toml`, public reference data): the
Fund's MPTF Office Gateway code is {gateway}. Sources: {sources}.

| IATI organisation identifier | organization |
| --- | --- |
{organizations}
"""


def iati_section() -> list[str]:
    fund = iati.REFERENCE["fund"]
    text = IATI_MAPPING.format(
        refs=", ".join(f"`{r}`" for r in fund["refs"]),
        names=", ".join(f"“{n}”" for n in fund["names"]),
        gateway=f"`{fund['gateway_code']}`",
        sources="; ".join(fund["sources"] + iati.REFERENCE["organizations_source"]["urls"]),
        organizations="\n".join(f"| {ref} | {name} |" for ref, name in iati.ORGANIZATIONS.items()),
    )
    return [*text.splitlines(), ""]


def rules_listing() -> str:
    """Every rule, as derived from the contract, with its severity: the documentation of validation."""
    lines = ["table                   severity  rule", "-" * 100]
    lines.append(f"{'(every table)':<23} {ERROR:<9} a file that cannot be read; a cell not of its column's type")
    for name, table in TABLES.items():
        for rule in contract_rules(table):
            scope = " [cross-table]" if rule.reference or rule.across else ""
            lines.append(f"{name:<23} {rule.severity:<9} {rule.name} — {rule.says}{scope}")
    for warning in WARNINGS:
        when = "; as of D" if warning.as_of else ""
        lines.append(f"{warning.table:<23} {WARNING:<9} {warning.says} [reads {', '.join(warning.reads)}{when}]")
    return "\n".join(lines) + "\n"
