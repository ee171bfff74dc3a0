"""The tables the draft states about the pipeline's own records: the files read, the checks run,
how fresh each family of sources is, the next deadline and the key figures that changed since the
previous draft. Derived like any other report table; shown without provenance notes.
"""

from __future__ import annotations

import pandas as pd

from pipeline.catalogue.figures import FIGURES
from pipeline.catalogue.model import (
    BY_YEAR,
    COUNT,
    DATE,
    FLAG,
    LIST,
    NUMBER,
    ROW_UNIT,
    TEXT,
    USD,
    YEAR,
    Derived,
    Field,
    Frames,
    ReportTable,
    TableColumn,
)
from pipeline.config import Freshness
from pipeline.contract import iati
from pipeline.contract.as_of import InYear
from pipeline.deadlines import deadlines_from, freshness_window, next_deadline, stale_families
from pipeline.reference import THEMATIC_AREAS

# The key figures of the last draft written (data/drafts/), read as a table of its own.
PREVIOUS_FIGURES = "previous_key_figures"
FIGURES_READ = ("figure", "value", "unit", "as_of")


def _deadlines(t: Frames) -> list:
    calendar = t["calendar"].assign(date=lambda c: c["date"].dt.date)
    return deadlines_from(calendar.to_dict("records"))


def source_files_used(t: Frames, day: pd.Timestamp) -> Derived:
    files = t["source_files"].sort_values(["path", "table"], kind="stable")
    frame = (
        files.groupby("path", sort=True)
        .agg(
            sha256=("sha256", "first"),
            tables=("table", list),
            rows=("rows_read", "sum"),
            first_seen=("first_seen", "first"),
        )
        .reset_index()
    )
    frame["first_seen"] = frame["first_seen"].dt.date
    return frame, []


def validation_summary(t: Frames, day: pd.Timestamp) -> Derived:
    results = t["validation_results"]
    outstanding = (results["severity"] == "warning") & ~results["passed"].astype(bool)
    summary = {
        "blocking_rules": int((results["severity"] == "error").sum()),
        "tables": int(results["table"].nunique()),
        "warnings": int(outstanding.sum()),
    }
    return pd.DataFrame([summary]), []


def warnings_outstanding(t: Frames, day: pd.Timestamp) -> Derived:
    results = t["validation_results"]
    warnings = results[(results["severity"] == "warning") & ~results["passed"].astype(bool)]
    frame = pd.DataFrame(
        {
            "table": warnings["table"],
            "rule": warnings["rule"],
            "offending": warnings["offending"],
            "example": [e[0] if e is not None and len(e) else "" for e in warnings["examples"]],
        }
    )
    return frame, []


def _freshness(t: Frames, day: pd.Timestamp, freshness: Freshness) -> tuple[int, dict[str, int]]:
    latest = t["source_files"].groupby("family")["first_seen"].max().dt.date.to_dict()
    deadlines = _deadlines(t)
    window = freshness_window(day.date(), deadlines, freshness).days
    return window, stale_families(latest, day.date(), deadlines, freshness)


def freshness_table(t: Frames, day: pd.Timestamp, freshness: Freshness) -> Derived:
    window, stale = _freshness(t, day, freshness)
    return pd.DataFrame([{"window_days": window, "stale": len(stale)}]), []


def stale_families_table(t: Frames, day: pd.Timestamp, freshness: Freshness) -> Derived:
    _window, stale = _freshness(t, day, freshness)
    return pd.DataFrame({"family": list(stale), "age_days": list(stale.values())}, dtype=object), []


def next_deadline_table(t: Frames, day: pd.Timestamp) -> Derived:
    upcoming = next_deadline(_deadlines(t), day.date())
    records = []
    if upcoming is not None:
        records.append(
            {
                "title": upcoming.title,
                "date": upcoming.date,
                "tentative": upcoming.tentative,
                "days_left": (upcoming.date - day.date()).days,
            }
        )
    return pd.DataFrame(records, columns=["title", "date", "tentative", "days_left"]), []


def _same(old: float | None, new: float | None) -> bool:
    return (pd.isna(old) and pd.isna(new)) or old == new


def _changes(t: Frames) -> list[dict]:
    before = {r["figure"]: r for r in t[PREVIOUS_FIGURES].to_dict("records")}
    changed = []
    for row in t["key_figures"].to_dict("records"):
        old = before.get(row["figure"])
        if old is None or not _same(old["value"], row["value"]):
            changed.append(
                {
                    "figure": row["figure"],
                    "stated_before": old is not None,
                    "previous": None if old is None or pd.isna(old["value"]) else old["value"],
                    "now": None if pd.isna(row["value"]) else row["value"],
                    "unit": row["unit"],
                }
            )
    return changed


def previous_draft(t: Frames, day: pd.Timestamp) -> Derived:
    previous = t[PREVIOUS_FIGURES]
    records = []
    if len(previous):
        records.append({"as_of": previous["as_of"].iloc[0].date(), "figures_changed": len(_changes(t))})
    return pd.DataFrame(records, columns=["as_of", "figures_changed"]), []


def figure_changes(t: Frames, day: pd.Timestamp) -> Derived:
    columns = ["figure", "stated_before", "previous", "now", "unit"]
    changes = _changes(t) if len(t[PREVIOUS_FIGURES]) else []
    return pd.DataFrame(changes, columns=columns), []


COMPARED = [
    "figure",
    "previous",
    "now",
    "unit",
    "counted_to",
    "stated",
    "of_one_year",
    "previous_year",
    "year_running",
    "previous_name",
    "now_name",
]


def figures_compared(t: Frames, day: pd.Timestamp) -> Derived:
    """Each key figure now and as of the date compared with; no rows when there is none (the first edition)."""
    figures = t["key_figures"]
    if not len(figures) or figures["previous_as_of"].isna().all():
        return pd.DataFrame(columns=COMPARED), []
    frame = figures.rename(columns={"value": "now", "previous_value": "previous"})
    # A flow by year compared at a day inside a year counts to the end of the year before: the row says so.
    frame["counted_to"] = figures["previous_counted_to"].where(
        figures["previous_counted_to"] != figures["previous_as_of"]
    )
    frame["stated"] = figures["previous_source"] == "stated"
    # A figure of one year (the year's deposits, the year's target) is of that year, not "to the end" of it.
    of_one_year = {f.name for f in FIGURES if isinstance(f.as_of, InYear)}
    frame["of_one_year"] = figures["figure"].isin(of_one_year)
    frame["previous_year"] = (
        pd.to_datetime(figures["previous_counted_to"]).dt.year.astype("Int64").where(frame["of_one_year"])
    )
    # D's own year is still running: its value is the year's so far, which no whole year can be compared with.
    flows = {f.name for f in FIGURES if f.grain == BY_YEAR}
    frame["year_running"] = frame["of_one_year"] & figures["figure"].isin(flows) & ((day.month, day.day) != (12, 31))
    # A figure that names something (the thematic area with the most programmes) is shown by its name.
    named = frame["unit"] == NUMBER
    for column in ("previous", "now"):
        frame[f"{column}_name"] = frame[column].where(named).map(_area_name)
    return frame[COMPARED].reset_index(drop=True), []


def _area_name(number) -> str | None:
    return None if pd.isna(number) else f"{int(number)}. {THEMATIC_AREAS[int(number)]}"


def iati_files(t: Frames, day: pd.Timestamp) -> Derived:
    files = t["source_files"]
    read = files[(files["table"] == "iati_transactions") & files["note"].notna()]
    return read[["path", "note"]].sort_values("path").reset_index(drop=True), []


def iati_transactions_counted(t: Frames, day: pd.Timestamp) -> Derived:
    """Each transaction of an IATI activity funded by the Fund that counts by D, where it is in its file, and
    the programme it joins (or none: its activity is not mapped, and it is not counted)."""
    transactions = iati.counted(t["iati_transactions"])
    transactions = transactions[~(transactions["value_date"] > day)]
    programmes = t["iati_activities"].set_index("iati_identifier")["programme_id"]
    frame = pd.DataFrame(
        {
            "file": transactions["source_file"].astype(str),
            "line": transactions["source_line"],
            "activity": transactions["iati_identifier"],
            "transaction": transactions["transaction_number"],
            "counted_as": transactions["transaction_type"].map(
                {iati.INCOMING_FUNDS: "net funded", iati.EXPENDITURE: "expenditure"}
            ),
            "value_date": transactions["value_date"].dt.date,
            "amount_usd": transactions["value_usd"],
            "programme": transactions["iati_identifier"].map(programmes).fillna("not mapped: not counted"),
        }
    )
    return frame.sort_values(["file", "line"]).reset_index(drop=True), []


SOURCE_FILES = ("path", "table", "family", "sha256", "rows_read", "first_seen")
IATI_FILES = ("path", "table", "note")
IATI_TRANSACTIONS = (
    "iati_identifier",
    "transaction_number",
    "transaction_type",
    "value_date",
    "value_usd",
    "from_fund",
    "source_line",
)
RESULTS = ("table", "rule", "severity", "passed", "offending", "examples")
CALENDAR = ("date", "kind", "title", "tentative")

RECORD_TABLES = [
    ReportTable(
        "source_files_used",
        "Source files used",
        "every file behind the published tables, with its SHA-256, the tables and rows it gave",
        {"source_files": SOURCE_FILES},
        (
            Field("path", TEXT),
            Field("sha256", TEXT),
            Field("tables", LIST),
            Field("rows", COUNT),
            Field("first_seen", DATE),
        ),
        source_files_used,
        columns=(
            TableColumn("File", "path", 5.2),
            TableColumn("SHA-256 (first 12)", "{{ sha256[:12] }}", 2.6),
            TableColumn("Tables", "{{ tables | join(', ') }}", 5.0),
            TableColumn("Rows", "rows", 1.4),
            TableColumn("First seen", "{{ first_seen | iso }}", 2.0, right=True),
        ),
        states_data=False,
        keep_together=False,
    ),
    ReportTable(
        "iati_files",
        "IATI activity files",
        "each IATI activity file read, with how many activities it held and how many the Fund funded",
        {"source_files": IATI_FILES},
        (Field("path", TEXT), Field("note", TEXT)),
        iati_files,
        states_data=False,
    ),
    ReportTable(
        "iati_transactions_counted",
        "Transactions from IATI activity files",
        "each transaction of an IATI activity funded by the Fund that counts by D (incoming funds from the Fund, "
        "expenditure), with its file, line, activity, place in the activity and the programme it joins",
        {"iati_transactions": IATI_TRANSACTIONS, "iati_activities": ("iati_identifier", "programme_id")},
        (
            Field("file", TEXT),
            Field("line", NUMBER),
            Field("activity", TEXT),
            Field("transaction", NUMBER),
            Field("counted_as", TEXT),
            Field("value_date", DATE),
            Field("amount_usd", USD),
            Field("programme", TEXT),
        ),
        iati_transactions_counted,
        columns=(
            TableColumn("File, line", "{{ file }}, line {{ line }}", 3.3),
            TableColumn("Activity (iati-identifier)", "activity", 3.5),
            TableColumn("No. in activity", "transaction", 1.6),
            TableColumn("Counted as", "counted_as", 2.3),
            TableColumn("Value date", "{{ value_date | iso }}", 1.9, right=True),
            TableColumn("Amount", "amount_usd", 1.8),
            TableColumn("Programme", "programme", 1.9),
        ),
        states_data=False,
        keep_together=False,
    ),
    ReportTable(
        "validation",
        "Validation of the published tables",
        "how many blocking rules were checked on how many tables, and the warnings outstanding",
        {"validation_results": RESULTS},
        (Field("blocking_rules", COUNT), Field("tables", COUNT), Field("warnings", COUNT)),
        validation_summary,
        single_row=True,
        states_data=False,
    ),
    ReportTable(
        "warnings_outstanding",
        "Warnings outstanding",
        "each warning that rows of the published tables raise",
        {"validation_results": RESULTS},
        (Field("table", TEXT), Field("rule", TEXT), Field("offending", COUNT), Field("example", TEXT)),
        warnings_outstanding,
        columns=(
            TableColumn("Table", "table", 2.6),
            TableColumn("Warning", "rule", 4.4),
            TableColumn("Rows", "offending", 1.2),
            TableColumn("First example", "example", 8.4),
        ),
        states_data=False,
    ),
    ReportTable(
        "freshness",
        "Freshness of the sources",
        "the days within which each family of sources must have new content, and how many did not",
        {"source_files": SOURCE_FILES, "calendar": CALENDAR},
        (Field("window_days", COUNT), Field("stale", COUNT)),
        freshness_table,
        single_row=True,
        states_data=False,
        parameters=("freshness",),
    ),
    ReportTable(
        "stale_families",
        "Stale families of sources",
        "families whose newest file is older than the freshness window, with its age in days",
        {"source_files": SOURCE_FILES, "calendar": CALENDAR},
        (Field("family", TEXT), Field("age_days", COUNT)),
        stale_families_table,
        states_data=False,
        parameters=("freshness",),
    ),
    ReportTable(
        "next_deadline",
        "Next deadline",
        "the first deadline of the calendar on or after D, and the days left",
        {"calendar": CALENDAR},
        (Field("title", TEXT), Field("date", DATE), Field("tentative", FLAG), Field("days_left", COUNT)),
        next_deadline_table,
        single_row=True,
        states_data=False,
    ),
    ReportTable(
        "previous_draft",
        "Previous draft",
        "the date the last draft's figures were counted as of, and how many key figures changed since",
        {"key_figures": FIGURES_READ, PREVIOUS_FIGURES: FIGURES_READ},
        (Field("as_of", DATE), Field("figures_changed", COUNT)),
        previous_draft,
        single_row=True,
        states_data=False,
    ),
    ReportTable(
        "figure_changes",
        "Changes since the previous draft",
        "each key figure whose value differs from the last draft's",
        {"key_figures": FIGURES_READ, PREVIOUS_FIGURES: FIGURES_READ},
        (
            Field("figure", TEXT),
            Field("stated_before", FLAG),
            Field("previous", ROW_UNIT),
            Field("now", ROW_UNIT),
            Field("unit", TEXT),
        ),
        figure_changes,
        columns=(
            TableColumn("Key figure", "{{ figure_labels[figure] }}"),
            TableColumn(
                "Previous draft (as of {{ previous_draft.as_of }})",
                "{% if stated_before %}{{ previous }}{% else %}not stated{% endif %}",
                right=True,
            ),
            TableColumn("This draft (as of {{ as_of }})", "now", right=True),
        ),
        states_data=False,
    ),
    ReportTable(
        "figures_compared",
        "Key figures in this report and in the previous one",
        "each key figure as of D and as of the date compared with (the previous edition's data cut-off)",
        {"key_figures": (*FIGURES_READ, "previous_value", "previous_as_of", "previous_counted_to", "previous_source")},
        (
            Field("figure", TEXT),
            Field("previous", ROW_UNIT),
            Field("now", ROW_UNIT),
            Field("unit", TEXT),
            Field("counted_to", DATE, "the end of the last year ended by the date compared with (a flow by year)"),
            Field("stated", FLAG, "the previous value is what the previous report stated, not a count made now"),
            Field("of_one_year", FLAG, "a figure of one year (the year's deposits or target)"),
            Field("previous_year", YEAR, "the year the previous value is of, or counts to the end of"),
            Field("year_running", FLAG, "a flow of one year whose year had not ended by D: the year so far"),
            Field("previous_name", TEXT, "what the previous value names (a thematic area)"),
            Field("now_name", TEXT, "what the value names"),
        ),
        figures_compared,
        columns=(
            TableColumn("Key figure", "{{ figure_labels[figure] }}", 5.6),
            # A flow by year counted to a year-end says so in its own cell: the baseline is that column's. The words
            # ([comparison_words]) hold their own leading space, which Chinese does without.
            TableColumn(
                "{% if previous_stated %}Previous report (as of {{ compared_with }}){% else %}As counted now for "
                "{{ compared_with }}{% endif %}",
                "{% if previous_name %}{{ previous_name }}{% elif previous is stated %}{{ previous }}"
                "{% if of_one_year %}{{ comparison_words.of_year.format(year=previous_year) }}"
                "{% elif counted_to %}{{ comparison_words.to_end_of.format(year=counted_to.year) }}{% endif %}"
                "{% else %}{{ comparison_words.not_stated }}{% endif %}",
                3.6,
                right=True,
            ),
            TableColumn(
                "This report (as of {{ as_of }})",
                "{% if now_name %}{{ now_name }}{% else %}{{ now }}{% if year_running %}"
                "{{ comparison_words.so_far.format(period=year_to_date) }}{% elif of_one_year %}"
                "{{ comparison_words.of_year.format(year=year) }}{% endif %}{% endif %}",
                3.6,
                True,
            ),
            TableColumn(
                "Change",
                "{% if year_running %}{{ comparison_words.not_comparable }}"
                "{% else %}{{ now | change(previous) }}{% endif %}",
                3.6,
                right=True,
            ),
        ),
        states_data=False,
        keep_together=False,
    ),
]
