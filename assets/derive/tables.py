"""The tables and series the report shows, each kept with the rows it was made from.

Values stay typed here (dates, amounts, counts); the report formats them.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import pandas as pd
import pyarrow as pa

from assets.derive.key_figures import RULES, Frames, read_frames
from assets.validate import AUTOMATION, published_tables
from pipeline.contract import REGIONS
from pipeline.countries import M49_REGIONS, region_of
from pipeline.previews import markdown_preview
from pipeline.reference import CLUSTERS
from pipeline.settings import POOL, Settings
from pipeline.warehouse import Warehouse, write_parquet

SEVERAL_REGIONS = "Several regions"


@dataclass
class Derived:
    name: str
    title: str
    frame: pd.DataFrame
    counted: list[pd.DataFrame]  # the source rows, with their lineage columns

    @property
    def source_tables(self) -> list[str]:
        return sorted({t for rows in self.counted for t in rows.attrs.get("tables", [])})

    @property
    def source_files(self) -> list[str]:
        return sorted({f for rows in self.counted for f in rows["source_file"].unique()})

    @property
    def rows_counted(self) -> int:
        return sum(len(rows) for rows in self.counted)


def _tagged(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    rows = rows.copy()
    rows.attrs["tables"] = [table]
    return rows


def regional_reviews(t: Frames, day: pd.Timestamp) -> Derived:
    reviews = t["reviews"]
    cycles = set(reviews.loc[reviews["end_date"] <= day, "cycle"])
    rows = reviews[reviews["cycle"].isin(cycles)].sort_values("start_date")
    frame = pd.DataFrame(
        {
            "review_id": rows["review_id"],
            "cycle": rows["cycle"],
            "commission": rows["commission"],
            "region": rows["region"],
            "start_date": rows["start_date"],
            "end_date": rows["end_date"],
            "venue": rows["venue"],
            "format": rows["format"],
            "member_states": rows["member_states_participating"],
            "stakeholders": rows["stakeholders_participating"],
            "held": rows["end_date"] <= day,
        }
    ).reset_index(drop=True)
    return Derived("regional_reviews", "Regional reviews of the Global Compact", frame, [_tagged(rows, "reviews")])


def contributions_by_year(t: Frames, day: pd.Timestamp) -> Derived:
    contributions = t["contributions"][t["contributions"]["year"] <= day.year]
    targets = t["targets"][t["targets"]["year"] <= day.year]
    sums = contributions.groupby("year")[["commitment_usd", "deposit_usd"]].sum()
    years = sorted(set(sums.index) | set(targets["year"]))
    frame = pd.DataFrame({"year": years})
    frame["commitments_usd"] = frame["year"].map(sums["commitment_usd"]).fillna(0.0)
    frame["deposits_usd"] = frame["year"].map(sums["deposit_usd"]).fillna(0.0)
    frame["target_usd"] = frame["year"].map(targets.set_index("year")["capitalization_target_usd"])
    return Derived(
        "contributions_by_year",
        "Contributions to the Migration MPTF by year, against the capitalization target",
        frame,
        [_tagged(contributions, "contributions"), _tagged(targets, "targets")],
    )


def _programmes(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return t["joint_programmes"][t["joint_programmes"]["approved_on"] <= day]


def programmes_by_area(t: Frames, day: pd.Timestamp) -> Derived:
    rows = _programmes(t, day)
    grouped = rows.groupby("thematic_area")["budget_usd"].agg(["count", "sum"])
    frame = pd.DataFrame({"thematic_area": range(1, 6)})
    frame["programmes"] = frame["thematic_area"].map(grouped["count"]).fillna(0).astype(int)
    frame["budget_usd"] = frame["thematic_area"].map(grouped["sum"]).fillna(0.0)
    return Derived(
        "programmes_by_area", "Joint programmes by thematic area", frame, [_tagged(rows, "joint_programmes")]
    )


def _programme_region(countries: list[str]) -> str:
    regions = {region_of(c) for c in countries}
    return regions.pop() if len(regions) == 1 else SEVERAL_REGIONS


def programmes_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    rows = _programmes(t, day)
    regions = pd.Series([_programme_region(c) for c in rows["countries"].tolist()], index=rows.index, dtype=object)
    grouped = rows.groupby(regions)["budget_usd"].agg(["count", "sum"])
    frame = pd.DataFrame({"region": [*M49_REGIONS, SEVERAL_REGIONS]})
    frame["programmes"] = frame["region"].map(grouped["count"]).fillna(0).astype(int)
    frame["budget_usd"] = frame["region"].map(grouped["sum"]).fillna(0.0)
    return Derived("programmes_by_region", "Joint programmes by region", frame, [_tagged(rows, "joint_programmes")])


def networks_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    _, (networks,) = RULES["country_networks"](t, day)
    _, (champions,) = RULES["champion_countries"](t, day)
    frame = pd.DataFrame({"region": list(M49_REGIONS)})
    frame["country_networks"] = frame["region"].map(networks["iso3"].map(region_of).value_counts()).fillna(0)
    frame["champion_countries"] = frame["region"].map(champions["iso3"].map(region_of).value_counts()).fillna(0)
    with_network = champions[champions["iso3"].isin(networks["iso3"])]
    frame["champions_with_network"] = frame["region"].map(with_network["iso3"].map(region_of).value_counts()).fillna(0)
    for column in ("country_networks", "champion_countries", "champions_with_network"):
        frame[column] = frame[column].astype(int)
    return Derived(
        "networks_by_region",
        "Country networks and Champion countries by region",
        frame,
        [_tagged(networks, "country_networks"), _tagged(champions, "champions")],
    )


def networks_over_time(t: Frames, day: pd.Timestamp) -> Derived:
    first = t["country_networks"]["established_on"].min()
    start = first.year if pd.notna(first) else day.year
    dates = [pd.Timestamp(year=y, month=12, day=31) for y in range(start, day.year)] + [day]
    counts = []
    for date in dates:
        counts.append(
            {
                "date": date,
                "country_networks": RULES["country_networks"](t, date)[0],
                "champion_countries": RULES["champion_countries"](t, date)[0],
            }
        )
    networks = _tagged(t["country_networks"][t["country_networks"]["established_on"] <= day], "country_networks")
    champions = _tagged(t["champions"][t["champions"]["joined_on"] <= day], "champions")
    return Derived(
        "networks_over_time",
        "Country networks and Champion countries over time",
        pd.DataFrame(counts),
        [networks, champions],
    )


def _findings_held(t: Frames, day: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    held = t["reviews"][t["reviews"]["end_date"] <= day]
    findings = t["review_findings"][t["review_findings"]["review_id"].isin(held["review_id"])]
    return held, findings.merge(held[["review_id", "region"]], on="review_id")


def objectives_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    held, findings = _findings_held(t, day)
    counts = findings.groupby(["objective", "region"]).size().unstack(fill_value=0)
    cluster_of = {o: c for c, (_, objectives) in CLUSTERS.items() for o in objectives}
    frame = pd.DataFrame({"objective": range(1, 24)})
    frame["cluster"] = frame["objective"].map(cluster_of)
    for region in REGIONS:
        column = counts[region] if region in counts else pd.Series(dtype=int)
        frame[region] = frame["objective"].map(column).fillna(0).astype(int)
    return Derived(
        "objectives_by_region",
        "Findings of the regional reviews by objective and region",
        frame,
        [_tagged(held, "reviews"), _tagged(findings.drop(columns=["region"]), "review_findings")],
    )


def findings_by_cluster(t: Frames, day: pd.Timestamp) -> Derived:
    held, findings = _findings_held(t, day)
    cluster_of = {o: c for c, (_, objectives) in CLUSTERS.items() for o in objectives}
    frame = (
        findings.assign(cluster=findings["objective"].map(cluster_of))
        .groupby(["cluster", "objective", "finding"])
        .agg(findings=("review_id", "size"), regions=("region", "nunique"))
        .reset_index()
    )
    return Derived(
        "findings_by_cluster",
        "Findings of the regional reviews by cluster of objectives",
        frame,
        [_tagged(held, "reviews"), _tagged(findings.drop(columns=["region"]), "review_findings")],
    )


def recommendations_by_cluster(t: Frames, day: pd.Timestamp) -> Derived:
    held = t["reviews"][t["reviews"]["end_date"] <= day]
    rows = t["review_recommendations"][t["review_recommendations"]["review_id"].isin(held["review_id"])]
    cluster_of = {o: c for c, (_, objectives) in CLUSTERS.items() for o in objectives}
    exploded = rows.explode("objectives").dropna(subset=["objectives"])
    exploded = exploded.assign(cluster=exploded["objectives"].astype(int).map(cluster_of))
    frame = (
        exploded.groupby("cluster")
        .agg(recommendations=("number", "size"), reviews=("review_id", "nunique"))
        .reindex(list(CLUSTERS), fill_value=0)
        .reset_index()
    )
    return Derived(
        "recommendations_by_cluster",
        "Recommendations of the regional reviews by cluster of objectives",
        frame,
        [_tagged(held, "reviews"), _tagged(rows, "review_recommendations")],
    )


TABLES: list[Callable[[Frames, pd.Timestamp], Derived]] = [
    regional_reviews,
    contributions_by_year,
    programmes_by_area,
    programmes_by_region,
    networks_by_region,
    networks_over_time,
    objectives_by_region,
    findings_by_cluster,
    recommendations_by_cluster,
]
# The columns the tables read, so that a million-row table is not loaded whole.
COLUMNS = {
    "reviews": [
        "review_id",
        "cycle",
        "commission",
        "region",
        "start_date",
        "end_date",
        "venue",
        "format",
        "member_states_participating",
        "stakeholders_participating",
    ],
    "review_participants": ["review_id", "iso3"],
    "review_findings": ["review_id", "objective", "finding"],
    "review_recommendations": ["review_id", "number", "objectives"],
    "contributions": ["year", "commitment_usd", "deposit_usd"],
    "targets": ["year", "capitalization_target_usd"],
    "joint_programmes": ["approved_on", "thematic_area", "budget_usd", "countries"],
    "country_networks": ["level", "iso3", "established_on", "closed_on"],
    "champions": ["iso3", "joined_on", "left_on"],
}
SOURCE_TABLES = list(COLUMNS)


def derive_all(frames: Frames, as_of) -> list[Derived]:
    day = pd.Timestamp(as_of)
    return [make(frames, day) for make in TABLES]


def to_arrow(derived: Derived, as_of) -> pa.Table:
    provenance = {
        "title": derived.title,
        "as_of": str(as_of),
        "source_tables": derived.source_tables,
        "source_files": derived.source_files,
        "rows_counted": derived.rows_counted,
    }
    table = pa.Table.from_pandas(derived.frame, preserve_index=False)
    return table.replace_schema_metadata({b"provenance": json.dumps(provenance).encode()})


def read_derived(warehouse: Warehouse, name: str) -> tuple[pd.DataFrame, dict]:
    import pyarrow.parquet as pq

    table = pq.read_table(warehouse.tables / "report_tables" / f"{name}.parquet")
    provenance = json.loads(table.schema.metadata[b"provenance"])
    return table.to_pandas(), provenance


@dg.asset(
    group_name="derive",
    pool=POOL,
    automation_condition=AUTOMATION,
    deps=[published_tables],
    description="The tables and series the report shows (reviews, contributions by year, joint programmes by "
    "area and region, networks by region and over time, findings by objective and region), each with the tables, "
    "files and rows it was made from.",
    kinds={"pandas", "parquet"},
)
def report_tables(settings: Settings) -> dg.MaterializeResult:
    warehouse = Warehouse(settings.data_dir)
    made = derive_all(read_frames(warehouse, SOURCE_TABLES, COLUMNS), settings.as_of_date)
    previews = []
    for derived in made:
        table = to_arrow(derived, settings.as_of_date)
        write_parquet(warehouse.tables / "report_tables" / f"{derived.name}.parquet", table)
        previews.append(f"**{derived.title}** (`{derived.name}`)\n\n{markdown_preview(table, rows=12)}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(len(d.frame) for d in made),
            "tables": len(made),
            "as_of": settings.as_of_date.isoformat(),
            "preview": dg.MetadataValue.md("\n\n".join(previews)),
        }
    )
