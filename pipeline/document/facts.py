"""What the template reads: the key figures and the rows of the report tables, each number with where
it came from, and the filters that say them in UN style. Nothing is computed here: every value is a
row of key_figures or of a report table (assets/derive/derived_assets.py); this module only wraps and formats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pyarrow as pa

from pipeline.catalogue import FIGURES, REPORT_TABLES, TOTAL, ReportTable, provenance_of
from pipeline.catalogue.figures import LABELS
from pipeline.catalogue.model import ROW_UNIT, STATED_UNITS
from pipeline.contract import REGIONS
from pipeline.countries import M49_REGIONS
from pipeline.editions import Dates
from pipeline.languages import glossary, un_style
from pipeline.languages.forms import style
from pipeline.reference import OBJECTIVES, THEMATIC_AREAS


@dataclass(frozen=True)
class Provenance:
    """Where a figure in the text comes from: shown in its Word comment and its paragraph's footnote."""

    name: str
    definition: str
    tables: tuple[str, ...]
    files: tuple[str, ...]
    rows: int
    figure: bool = False  # a key figure (the draft reports which it states)


@dataclass(frozen=True, eq=False)
class Fact:
    """A number the draft states: its value, its unit and its provenance. `phrase` is the text a
    filter made of it ("3 findings of progress")."""

    value: float | None
    unit: str
    provenance: Provenance | None = None
    phrase: str | None = None
    before: float | None = None  # its value as of the date compared with (the previous edition's cut-off)
    compared: bool = False  # whether there was a date to compare with
    # The day the value counts to: for an earlier value, the date compared with, or for a flow by year the end of
    # the last year ended by then (`at the end of {{ mptf_deposits_total_usd.previous.counted_to.year }}`).
    counted_to: dt.date | None = None
    before_counted_to: dt.date | None = None

    @property
    def previous(self) -> Fact:
        """`{{ country_networks.previous }}`: the value in the previous report; no value says so."""
        provenance = self.provenance and replace(self.provenance, name=f"{self.provenance.name}.previous")
        phrase = None if self.compared else "no previous report"
        return Fact(self.before, self.unit, provenance, phrase, counted_to=self.before_counted_to)

    @property
    def change(self) -> Fact:
        """`{{ mptf_deposits_total_usd.change }}`: `up $12.3 million`, `unchanged`, `not stated in the previous
        report`."""
        if not self.compared:
            return Fact(None, self.unit, self.provenance, "no previous report to compare with")
        moved = None if self.value is None or self.before is None else self.value - self.before
        return Fact(moved, self.unit, self.provenance, style().change(self.value, self.before, self.unit))

    @property
    def difference(self) -> Fact:
        """`{{ mptf_deposits_total_usd.difference }}`: by how much it moved (`$7.2 million`), taken from the two
        figures as printed; no value when either is missing."""
        now, before = un_style.as_shown(self.value, self.unit), un_style.as_shown(self.before, self.unit)
        moved = None if now is None or before is None else float(abs(now - before))
        return Fact(moved, self.unit, self.provenance)

    @property
    def text(self) -> str:
        return self.phrase if self.phrase is not None else style().figure(self.value, self.unit)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, Fact) else other)

    def __lt__(self, other: object) -> bool:
        return self.value < (other.value if isinstance(other, Fact) else other)

    def __gt__(self, other: object) -> bool:
        return self.value > (other.value if isinstance(other, Fact) else other)

    __hash__ = None


class Text(str):
    """A text field of a report table's row (a commission, a region): said as it is, and citing its
    table in the paragraph's footnote, without a comment of its own."""

    provenance: Provenance | None = None


class Row:
    """One row of a report table: numbers as Facts, text citing its table, everything else as it is."""

    def __init__(self, table: ReportTable, values: dict, provenance: dict | None):
        self._table, self._values, self._provenance = table, values, provenance

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._values:
            raise AttributeError(f"{self._table.name} has no field {name!r}")
        value, unit = self._values[name], self._table.field(name).unit
        unit = self._values["unit"] if unit == ROW_UNIT else unit
        if unit in STATED_UNITS:
            return Fact(value, unit, self._cell_provenance(name))
        if isinstance(value, str) and self._provenance is not None:
            text = Text(value)
            text.provenance = self._cell_provenance(name)
            return text
        return value

    @property
    def is_total(self) -> bool:
        return bool(self._values.get(TOTAL))

    def _cell_provenance(self, name: str) -> Provenance | None:
        if self._provenance is None:
            return None
        table, key = self._table, self._table.key
        row = f"[{self._values[key]}]" if key and self._values.get(key) is not None else ""
        return Provenance(
            f"{table.name}{row}.{name}", table.field(name).words or table.words, *_sources(self._provenance)
        )

    def __repr__(self) -> str:
        return f"a row of {self._table.name}"


class Rows(list):
    """The rows of a report table, as the template loops over them; its totals row apart."""

    def __init__(self, rows: list[Row], total: Row | None = None, provenance: Provenance | None = None):
        super().__init__(rows)
        self.total, self.provenance = total, provenance


def table_rows(table: ReportTable, data: pa.Table) -> Rows | Row | None:
    provenance = provenance_of(data) if table.states_data else None
    rows = [Row(table, values, provenance) for values in data.to_pylist()]
    if table.single_row:
        return rows[0] if rows else None
    cited = None
    if provenance is not None:
        cited = Provenance(table.name, table.words, *_sources(provenance))
    return Rows([r for r in rows if not r.is_total], next((r for r in rows if r.is_total), None), cited)


def _sources(provenance: dict) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    return tuple(provenance["source_tables"]), tuple(provenance["source_files"]), provenance["rows_counted"]


def figure_facts(figures: pa.Table) -> dict[str, Fact]:
    facts = {}
    for row in figures.to_pylist():
        provenance = Provenance(
            row["figure"],
            FIGURES[row["figure"]].words,
            tuple(row["source_tables"]),
            tuple(row["source_files"]),
            row["rows_counted"],
            figure=True,
        )
        compared = row.get("previous_as_of") is not None
        facts[row["figure"]] = Fact(
            row["value"],
            row["unit"],
            provenance,
            before=row.get("previous_value"),
            compared=compared,
            before_counted_to=row.get("previous_counted_to"),
        )
    return facts


# What a table's cell may read besides its row: the draft's words for the figures it names.
CELL_WORDS = ("figure_labels", "comparison_words", "year", "year_to_date")


def context(
    as_of: dt.date, config: dict, figures: pa.Table, tables: dict[str, pa.Table], dates: Dates | None = None
) -> dict:
    """Every name the template may use."""
    compare_with = dates.compare_with if dates else None
    plain = {
        "as_of": style().date(as_of),
        "year": str(as_of.year),
        # D's year has not ended: what the sources record for it is the year so far (they carry years, not dates).
        "year_running": (as_of.month, as_of.day) != (12, 31),
        "year_to_date": style().date_range(dt.date(as_of.year, 1, 1), as_of),
        "symbol": config["symbol"],
        "word_limit": style().count(config["word_limit"]),
        "edition": dates.edition.title if dates else "",
        # The date compared with, and the edition it is the cut-off of ("" for an ad hoc date, or none).
        "compared_with": style().date(compare_with) if compare_with else "",
        "previous_edition": dates.previous.title if dates and dates.previous else "",
        # The previous report's figures as it stated them (its draft was made here), not counted again now.
        "previous_stated": any(r.get("previous_source") == "stated" for r in figures.to_pylist()),
        # Each key figure as a reader names it, in the draft's language ([figure_labels] of its report.toml).
        "figure_labels": {**LABELS, **config.get("figure_labels", {})},
        # The words of the comparison's cells ("(to the end of 2021)"), in the draft's language.
        "comparison_words": config["comparison_words"],
        # The previous report as the calendar and the sessions name it: its symbol and the day it was due.
        "previous_symbol": config.get("previous_symbol", ""),
        "previous_issued": style().date(config["previous_issued"]) if config.get("previous_issued") else "",
        "thematic_areas": Fact(len(THEMATIC_AREAS), "count"),  # reference data: said as a count, cited nowhere
        "m49_regions": list(M49_REGIONS),
        "regional_commissions": len(REGIONS),  # one review per commission and cycle
    }
    derived = {name: table_rows(REPORT_TABLES[name], data) for name, data in tables.items()}
    return plain | figure_facts(figures) | derived


# Filters: how drafters say the values in the template's own words.


def plural(value: Fact | float, one: str | None = None, many: str | None = None, **forms: str) -> Fact:
    """`1 challenge`, `7 challenges`; in a language with more forms, by CLDR category
    (`plural(one='день', few='дня', many='дней')`); keeps the figure's provenance."""
    fact = value if isinstance(value, Fact) else Fact(value, "count")
    return replace(fact, phrase=style().plural(fact.value, one or forms.get("one", ""), many, **forms))


def series(items) -> Fact | str:
    """`A`, `A and B`, `A, B and C`; figures in the list keep one provenance, merged."""
    items = list(items)
    text = style().series([str(item) for item in items])
    sourced = [item.provenance for item in items if isinstance(item, Fact) and item.provenance]
    if not sourced:
        return text
    if len(set(sourced)) == 1:
        return Fact(None, "count", sourced[0], phrase=text)
    names = sorted({p.name.rsplit(".", 1)[0] for p in sourced})
    merged = Provenance(
        names[0] if len(names) == 1 else ", ".join(p.name for p in sourced),
        "; ".join(dict.fromkeys(p.definition for p in sourced)),
        tuple(sorted({t for p in sourced for t in p.tables})),
        tuple(sorted({f for p in sourced for f in p.files})),
        max(p.rows for p in sourced),
    )
    return Fact(None, "count", merged, phrase=text)


def separator(loop) -> str:
    """Between the items of a `{% for %}` loop: `, `, then ` and ` before the last."""
    if loop.last:
        return ""
    return " and " if loop.revindex == 2 else ", "


def cite(rows: Rows, text: str) -> Text:
    """Words about a table's rows that state none of them ("none"), citing the table all the same."""
    cited = Text(text)
    cited.provenance = rows.provenance
    return cited


def is_zero(value: Fact | float) -> bool:
    return (value.value if isinstance(value, Fact) else value) == 0


def is_stated(value: Fact | object) -> bool:
    """Whether a figure has a value to state: `{% if mptf_target_year_usd is stated %}`."""
    return (value.value if isinstance(value, Fact) else value) is not None


def said_as(value: Fact, words: str) -> Fact:
    """A figure said in words that need not repeat it ("the whole of their commitments"), keeping its
    provenance: the sentence still states it, and the dossier still traces it."""
    return replace(value, phrase=words)


def change(now: Fact, before: Fact) -> str:
    """`{{ now | change(previous) }}` in a table's cell: how a figure moved between two columns."""
    return style().change(now.value, before.value, now.unit)


FILTERS = {
    "change": change,
    "plural": plural,
    "said_as": said_as,
    "cite": cite,
    "series": series,
    "sep": separator,
    "dates": lambda start, end: style().date_range(start, end),
    "iso": lambda day: day.isoformat(),
    "roman": un_style.roman,
    # An objective's title as the Global Compact gives it, in the draft's language.
    "objective": lambda number: glossary.objective(int(number), OBJECTIVES[int(number)][0], style().code),
    # One of the data's terms (a commission, a region, a format) as the UN says it in the draft's language.
    "term": lambda value: glossary.term(str(value), style().code),
}
TESTS = {"zero": is_zero, "stated": is_stated}
