"""The key figures, counted from the ingested rows as of the reference date.

Each figure keeps the rows it was counted from, so the report can say how many rows and
which files stand behind every number it states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import dagster as dg
import pandas as pd
import pyarrow as pa

from assets.validate import AUTOMATION, published_tables
from pipeline.contract import KEY_FIGURES
from pipeline.previews import markdown_preview
from pipeline.settings import POOL, Settings
from pipeline.warehouse import Warehouse, to_frame

KEY_FIGURES_SCHEMA = pa.schema(
    [
        ("figure", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("as_of", pa.date32()),
        ("source_tables", pa.list_(pa.string())),
        ("rows_counted", pa.int64()),
        ("source_files", pa.list_(pa.string())),
    ]
)

Frames = dict[str, pd.DataFrame]
# A figure's value and the rows it was counted from.
Counted = tuple[float | None, list[pd.DataFrame]]


def _open_on(frame: pd.DataFrame, start: str, end: str, day: pd.Timestamp) -> pd.DataFrame:
    """Rows that started on or before `day` and had not ended on or before it."""
    return frame[(frame[start] <= day) & ~(frame[end] <= day)]


def _networks(t: Frames, day: pd.Timestamp, level: str) -> pd.DataFrame:
    networks = t["country_networks"]
    return _open_on(networks[networks["level"] == level], "established_on", "closed_on", day)


def _champions(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return _open_on(t["champions"], "joined_on", "left_on", day)


def _champions_with_network(t: Frames, day: pd.Timestamp) -> Counted:
    champions = _champions(t, day)
    networks = _networks(t, day, "country")
    with_network = champions[champions["iso3"].isin(networks["iso3"])]
    return float(len(with_network)), [with_network, networks[networks["iso3"].isin(with_network["iso3"])]]


def _reviews_held(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return t["reviews"][t["reviews"]["end_date"] <= day]


def _participants_of_held(t: Frames, day: pd.Timestamp) -> Counted:
    held = _reviews_held(t, day)
    participants = t["review_participants"]
    rows = participants[participants["review_id"].isin(held["review_id"])]
    return float(rows["iso3"].nunique()), [held, rows]


def _contributions_to(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return t["contributions"][t["contributions"]["year"] <= day.year]


def _contributors(t: Frames, day: pd.Timestamp) -> Counted:
    rows = _contributions_to(t, day)
    rows = rows[rows["deposit_usd"] > 0]
    return float(rows["contributor"].nunique()), [rows]


def _target(t: Frames, day: pd.Timestamp) -> Counted:
    rows = t["targets"][t["targets"]["year"] == day.year]
    return (float(rows["capitalization_target_usd"].sum()) if len(rows) else None), [rows]


def _programmes(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return t["joint_programmes"][t["joint_programmes"]["approved_on"] <= day]


def _notes(t: Frames, day: pd.Timestamp, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    notes = t["concept_notes"][t["concept_notes"]["submitted_on"] <= day]
    return notes[notes["status"].isin(statuses)] if statuses else notes


def _transfers_to(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return t["transfers"][t["transfers"]["year"] <= day.year]


def _count(rows: pd.DataFrame) -> Counted:
    return float(len(rows)), [rows]


def _sum(rows: pd.DataFrame, column: str) -> Counted:
    return float(rows[column].sum()), [rows]


def _distinct(rows: pd.DataFrame, column: str) -> Counted:
    return float(rows[column].nunique()), [rows]


# The counting rule of each key figure; its wording lives with the contract.
RULES: dict[str, Callable[[Frames, pd.Timestamp], Counted]] = {
    "country_networks": lambda t, d: _count(_networks(t, d, "country")),
    "regional_networks": lambda t, d: _count(_networks(t, d, "regional")),
    "champion_countries": lambda t, d: _count(_champions(t, d)),
    "champion_countries_with_network": _champions_with_network,
    "regional_reviews_held": lambda t, d: _count(_reviews_held(t, d)),
    "member_states_in_reviews": _participants_of_held,
    "mptf_contributors": _contributors,
    "mptf_deposits_total_usd": lambda t, d: _sum(_contributions_to(t, d), "deposit_usd"),
    "mptf_commitments_total_usd": lambda t, d: _sum(_contributions_to(t, d), "commitment_usd"),
    "mptf_deposits_year_usd": lambda t, d: _sum(
        t["contributions"][t["contributions"]["year"] == d.year], "deposit_usd"
    ),
    "mptf_target_year_usd": _target,
    "mptf_joint_programmes": lambda t, d: _count(_programmes(t, d)),
    "mptf_joint_programmes_budget_usd": lambda t, d: _sum(_programmes(t, d), "budget_usd"),
    "mptf_thematic_areas_covered": lambda t, d: _distinct(_programmes(t, d), "thematic_area"),
    "mptf_concept_notes_received": lambda t, d: _count(_notes(t, d)),
    "mptf_pipeline": lambda t, d: _count(_notes(t, d, ("positively assessed", "prioritized"))),
    "mptf_pipeline_prioritized": lambda t, d: _count(_notes(t, d, ("prioritized",))),
    "mptf_net_funded_usd": lambda t, d: _sum(_transfers_to(t, d), "net_funded_usd"),
    "mptf_expenditure_usd": lambda t, d: _sum(_transfers_to(t, d), "expenditure_usd"),
}
assert RULES.keys() == KEY_FIGURES.keys(), "every key figure of the contract needs exactly one counting rule"

TABLES_USED = sorted({name for figure in KEY_FIGURES.values() for name in figure.tables})


def compute_key_figures(tables: Frames, as_of: dt.date) -> pa.Table:
    day = pd.Timestamp(as_of)
    records = []
    for name, figure in KEY_FIGURES.items():
        value, counted = RULES[name](tables, day)
        files = sorted({f for rows in counted for f in rows["source_file"].unique()})
        records.append(
            {
                "figure": name,
                "value": value,
                "unit": figure.unit,
                "as_of": as_of,
                "source_tables": list(figure.tables),
                "rows_counted": int(sum(len(rows) for rows in counted)),
                "source_files": files,
            }
        )
    return pa.Table.from_pylist(records, schema=KEY_FIGURES_SCHEMA)


# The columns the counting rules read; with the lineage, all that is loaded of each table.
COLUMNS = {
    "country_networks": ["level", "iso3", "established_on", "closed_on"],
    "champions": ["iso3", "joined_on", "left_on"],
    "reviews": ["review_id", "end_date"],
    "review_participants": ["review_id", "iso3"],
    "contributions": ["contributor", "year", "commitment_usd", "deposit_usd"],
    "targets": ["year", "capitalization_target_usd"],
    "joint_programmes": ["approved_on", "thematic_area", "budget_usd"],
    "concept_notes": ["submitted_on", "status"],
    "transfers": ["year", "net_funded_usd", "expenditure_usd"],
}


assert set(COLUMNS) == {name for figure in KEY_FIGURES.values() for name in figure.tables}


def read_frames(warehouse: Warehouse, names: list[str], columns: dict[str, list[str]] | None = None) -> Frames:
    frames = {}
    for name in names:
        wanted = None if columns is None else columns[name] + ["source_file"]
        frames[name] = to_frame(warehouse.read(name, wanted))
    return frames


@dg.asset(
    group_name="derive",
    pool=POOL,
    automation_condition=AUTOMATION,
    deps=[published_tables],
    description="The contract's key figures, counted from the rows as of the reference date (SGR_AS_OF), "
    "each with the tables, rows and files it was counted from.",
    kinds={"pandas", "parquet"},
)
def key_figures(settings: Settings) -> dg.MaterializeResult:
    warehouse = Warehouse(settings.data_dir)
    figures = compute_key_figures(read_frames(warehouse, TABLES_USED, COLUMNS), settings.as_of_date)
    path = warehouse.write("key_figures", figures)
    shown = figures.select(["figure", "value", "unit", "rows_counted"])
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": figures.num_rows,
            "as_of": settings.as_of_date.isoformat(),
            "path": dg.MetadataValue.path(str(path)),
            "preview": dg.MetadataValue.md(markdown_preview(shown, rows=len(KEY_FIGURES))),
        }
    )
