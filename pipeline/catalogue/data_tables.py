"""The tables and charts the draft shows about the data, each declared once: name, title, the
fields of its rows, the columns and notes it is shown with, and the function that derives its rows.

To add a table, add its declaration here and its placeholder ({{table:name}}) to the template.
Longer than most modules: each table's derivation sits beside its declaration, where a reader
looks for it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.catalogue.model import (
    COUNT,
    DATE,
    FLAG,
    LIST,
    NUMBER,
    PERCENT,
    TEXT,
    USD,
    YEAR,
    Chart,
    Derived,
    Field,
    Frames,
    ReportTable,
    TableColumn,
)
from pipeline.contract import REGIONS, TABLES, rows
from pipeline.contract.as_of import By
from pipeline.countries import M49_REGIONS, region_of
from pipeline.reference import CLUSTER_OF, CLUSTERS, THEMATIC_AREAS

SEVERAL_REGIONS = "Several regions"
M49_NOTE = "Regions of the United Nations M49 standard."
THEMATIC_AREA_NUMBERS = TABLES["joint_programmes"].column("thematic_area").values
OBJECTIVE_NUMBERS = TABLES["review_findings"].column("objective").values
FINDINGS = TABLES["review_findings"].column("finding").allowed  # progress, challenge, priority
MOST_CITED = 2  # objectives named per kind of finding and cluster


def regional_reviews(t: Frames, day: pd.Timestamp) -> Derived:
    """The reviews of every cycle in which a review has been held by D, held or still scheduled."""
    reviews = t["reviews"]
    cycles = set(rows.reviews_held(t, day)["cycle"])
    listed = reviews[reviews["cycle"].isin(cycles)].sort_values("start_date", kind="stable")
    frame = pd.DataFrame(
        {
            "review_id": listed["review_id"],
            "cycle": listed["cycle"],
            "commission": listed["commission"],
            "region": listed["region"],
            "start_date": listed["start_date"],
            "end_date": listed["end_date"],
            "venue": listed["venue"],
            "format": listed["format"],
            "member_states": listed["member_states_participating"],
            "stakeholders": listed["stakeholders_participating"],
            "held": listed["review_id"].isin(rows.reviews_held(t, day)["review_id"]),
        }
    )
    return frame, [listed]


def contributions_by_year(t: Frames, day: pd.Timestamp) -> Derived:
    contributions, targets = rows.contributions(t, day), rows.targets(t, day)
    sums = contributions.groupby("year")[["commitment_usd", "deposit_usd"]].sum()
    frame = pd.DataFrame({"year": sorted(set(sums.index) | set(targets["year"]))})
    frame["commitments_usd"] = frame["year"].map(sums["commitment_usd"]).fillna(0.0)
    frame["deposits_usd"] = frame["year"].map(sums["deposit_usd"]).fillna(0.0)
    frame["target_usd"] = frame["year"].map(targets.set_index("year")["capitalization_target_usd"])
    frame["share_of_target"] = frame["deposits_usd"] / frame["target_usd"].where(frame["target_usd"] > 0)
    return frame, [contributions, targets]


def transfers_by_year(t: Frames, day: pd.Timestamp) -> Derived:
    transfers = rows.transfers(t, day)
    frame = transfers.groupby("year")[["net_funded_usd", "expenditure_usd"]].sum().reset_index()
    frame["delivery_rate"] = frame["expenditure_usd"] / frame["net_funded_usd"].where(frame["net_funded_usd"] > 0)
    return frame, [transfers]


def programmes_by_area(t: Frames, day: pd.Timestamp) -> Derived:
    programmes = rows.programmes(t, day)
    grouped = programmes.groupby("thematic_area")["budget_usd"].agg(["count", "sum"])
    frame = pd.DataFrame({"thematic_area": list(THEMATIC_AREA_NUMBERS)})
    frame["name"] = frame["thematic_area"].map(THEMATIC_AREAS)
    frame["programmes"] = frame["thematic_area"].map(grouped["count"]).fillna(0).astype(int)
    frame["budget_usd"] = frame["thematic_area"].map(grouped["sum"]).fillna(0.0)
    return frame, [programmes]


def _programme_regions(countries: pd.Series) -> pd.Series:
    """Each programme's region, or SEVERAL_REGIONS when its countries are in more than one."""
    each = countries.explode()
    regions = each.map({code: region_of(code) for code in each.dropna().unique()})
    by_programme = regions.groupby(level=0).agg(["nunique", "first"])
    named = by_programme["first"].where(by_programme["nunique"] == 1, SEVERAL_REGIONS)
    return named.reindex(countries.index, fill_value=SEVERAL_REGIONS)


def programmes_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    """Regions with at least one joint programme approved by D."""
    programmes = rows.programmes(t, day)
    regions = _programme_regions(programmes["countries"])
    grouped = programmes.groupby(regions)["budget_usd"].agg(["count", "sum"])
    frame = pd.DataFrame({"region": [r for r in [*M49_REGIONS, SEVERAL_REGIONS] if r in grouped.index]})
    frame["programmes"] = frame["region"].map(grouped["count"]).astype(int)
    frame["budget_usd"] = frame["region"].map(grouped["sum"]).astype(float)
    return frame, [programmes]


def networks_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    networks, champions = rows.networks(t, day), rows.champions(t, day)
    with_network = champions[champions["iso3"].isin(networks["iso3"])]
    frame = pd.DataFrame({"region": list(M49_REGIONS)})
    for column, counted in (
        ("country_networks", networks),
        ("champion_countries", champions),
        ("champions_with_network", with_network),
    ):
        frame[column] = frame["region"].map(counted["iso3"].map(region_of).value_counts()).fillna(0).astype(int)
    return frame, [networks, champions]


def networks_over_time(t: Frames, day: pd.Timestamp) -> Derived:
    """The counts at the end of each year since the first network, and on D."""
    first = t["country_networks"]["established_on"].min()
    start = first.year if pd.notna(first) else day.year
    dates = [pd.Timestamp(year=y, month=12, day=31) for y in range(start, day.year)] + [day]
    frame = pd.DataFrame(
        {
            "date": dates,
            "country_networks": [len(rows.networks(t, date)) for date in dates],
            "champion_countries": [len(rows.champions(t, date)) for date in dates],
        }
    )
    # Provenance: every network and Champion that had started by D, counted on one date or another.
    networks, champions = By("established_on")(t["country_networks"], day), By("joined_on")(t["champions"], day)
    return frame, [networks, champions]


def _findings_held(t: Frames, day: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    held = rows.reviews_held(t, day)
    findings = rows.of_reviews_held(t, "review_findings", day)
    return held, findings.merge(held[["review_id", "region"]], on="review_id")


def objectives_by_region(t: Frames, day: pd.Timestamp) -> Derived:
    held, findings = _findings_held(t, day)
    counts = findings.groupby(["objective", "region"]).size().unstack(fill_value=0)
    frame = pd.DataFrame({"objective": list(OBJECTIVE_NUMBERS)})
    frame["cluster"] = frame["objective"].map(CLUSTER_OF)
    for region in REGIONS:
        column = counts[region] if region in counts else pd.Series(dtype=int)
        frame[region] = frame["objective"].map(column).fillna(0).astype(int)
    return frame, [held, findings.drop(columns=["region"])]


def _most_cited(findings: pd.DataFrame, kind: str) -> list[int]:
    """The objectives the most regions recorded `kind` on; the lower objective first on a tie."""
    of_kind = findings[findings["finding"] == kind]
    regions = of_kind.groupby("objective")["region"].nunique()
    return [int(o) for o in regions.sort_values(ascending=False, kind="stable").head(MOST_CITED).index]


def findings_by_cluster(t: Frames, day: pd.Timestamp) -> Derived:
    held, findings = _findings_held(t, day)
    recommendations = rows.of_reviews_held(t, "review_recommendations", day)
    # One row per recommendation and cluster it names, however many of the cluster's objectives it names.
    named = recommendations.explode("objectives").dropna(subset=["objectives"])
    named = named.assign(cluster=named["objectives"].astype(int).map(CLUSTER_OF))
    named = named.drop_duplicates(["review_id", "number", "cluster"])
    records = []
    for cluster, (title, objectives) in CLUSTERS.items():
        found = findings[findings["objective"].map(CLUSTER_OF) == cluster]
        kinds = found["finding"].value_counts()
        records.append(
            {
                "cluster": cluster,
                "title": title,
                "objectives": list(objectives),
                "findings": len(found),
                **{f"{kind}_findings": int(kinds.get(kind, 0)) for kind in FINDINGS},
                **{f"most_{kind}": _most_cited(found, kind) for kind in FINDINGS},
                "recommendations": int((named["cluster"] == cluster).sum()),
            }
        )
    return pd.DataFrame(records), [held, findings.drop(columns=["region"]), recommendations]


def _cycles(t: Frames, day: pd.Timestamp) -> list[str]:
    """The cycles in which a review was held by D, oldest first; the last is the cycle under review."""
    return sorted(set(rows.reviews_held(t, day)["cycle"]))


def reviews_by_cycle(t: Frames, day: pd.Timestamp) -> Derived:
    """Per cycle in which a review was held by D: the reviews held and still scheduled, the Member States
    taking part, and the findings recorded."""
    reviews, held = t["reviews"], rows.reviews_held(t, day)
    participants = rows.of_reviews_held(t, "review_participants", day)
    findings = rows.of_reviews_held(t, "review_findings", day)
    cycles = _cycles(t, day)
    records = []
    for cycle in cycles:
        ids = held.loc[held["cycle"] == cycle, "review_id"]
        of_cycle = findings[findings["review_id"].isin(ids)]
        kinds = of_cycle["finding"].value_counts()
        records.append(
            {
                "cycle": cycle,
                "under_review": cycle == cycles[-1],
                "reviews_held": len(ids),
                "reviews_scheduled": int((reviews["cycle"] == cycle).sum()) - len(ids),
                "member_states": int(participants.loc[participants["review_id"].isin(ids), "iso3"].nunique()),
                **{f"{kind}_findings": int(kinds.get(kind, 0)) for kind in FINDINGS},
            }
        )
    listed = reviews[reviews["cycle"].isin(cycles)]
    columns = ["cycle", "under_review", "reviews_held", "reviews_scheduled", "member_states"]
    frame = pd.DataFrame(records, columns=columns + [f"{kind}_findings" for kind in FINDINGS])
    return frame, [listed, participants, findings]


def objectives_by_cycle(t: Frames, day: pd.Timestamp) -> Derived:
    """Findings per objective in the cycle under review and in the one before it."""
    held, findings = rows.reviews_held(t, day), rows.of_reviews_held(t, "review_findings", day)
    cycles = _cycles(t, day)
    cycle_of = findings["review_id"].map(held.set_index("review_id")["cycle"])
    frame = pd.DataFrame({"objective": list(OBJECTIVE_NUMBERS)})
    frame["cluster"] = frame["objective"].map(CLUSTER_OF)
    for field, cycle in (("under_review", cycles[-1] if cycles else None), ("previous", _before(cycles))):
        counts = findings[cycle_of == cycle].groupby("objective").size()
        frame[field] = frame["objective"].map(counts).fillna(0).astype(int)
    return frame, [held, findings]


def _before(cycles: list[str]) -> str | None:
    return cycles[-2] if len(cycles) > 1 else None


DATA_TABLES = [
    ReportTable(
        "regional_reviews",
        "Regional reviews of the Global Compact",
        "the regional reviews of every cycle in which a review was held by D, held or scheduled",
        {
            "reviews": (
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
            )
        },
        (
            Field("review_id", TEXT),
            Field("cycle", TEXT),
            Field("commission", TEXT),
            Field("region", TEXT),
            Field("start_date", DATE),
            Field("end_date", DATE),
            Field("venue", TEXT),
            Field("format", TEXT),
            Field("member_states", COUNT, "Member States taking part, as the review reported"),
            Field("stakeholders", COUNT, "stakeholders taking part, as the review reported"),
            Field("held", FLAG, "end_date <= D"),
        ),
        regional_reviews,
        columns=(
            TableColumn("Regional review", "{{ commission | term }} ({{ region | term }})", 4.2),
            TableColumn("Dates", "{{ start_date | dates(end_date) }}{% if not held %} (scheduled){% endif %}", 3.6),
            TableColumn("Venue", "{{ venue | term | capitalize if venue == 'virtual' else venue }}", 2.4),
            TableColumn("Format", "{{ format | term | capitalize }}", 2.0),
            # A review not yet held on the report's date has no participants to state.
            TableColumn("Member States", "{% if held %}{{ member_states }}{% endif %}", 2.2, right=True),
            TableColumn("Stakeholders", "{% if held %}{{ stakeholders }}{% endif %}", 2.2, right=True),
        ),
        notes=(
            "Member States and stakeholders as reported by each review held"
            "{% if rows | rejectattr('held') | list %}; a review still to be held has its dates only{% endif %}.",
        ),
        key="review_id",
    ),
    ReportTable(
        "contributions_by_year",
        "Contributions to the Migration Multi-Partner Trust Fund by year against the capitalization target",
        "commitments and deposits by year, years <= year(D), against each year's capitalization target",
        {"contributions": ("year", "commitment_usd", "deposit_usd"), "targets": ("year", "capitalization_target_usd")},
        (
            Field("year", YEAR),
            Field("commitments_usd", USD, "commitment_usd of the year, summed"),
            Field("deposits_usd", USD, "deposit_usd of the year, summed"),
            Field("target_usd", USD, "capitalization_target_usd of the year"),
            Field("share_of_target", PERCENT, "deposits_usd / target_usd"),
        ),
        contributions_by_year,
        columns=(
            TableColumn("Year", "year"),
            TableColumn("Commitments", "commitments_usd"),
            TableColumn("Deposits", "deposits_usd"),
            TableColumn("Target", "target_usd"),
            TableColumn("Deposits as share of target", "share_of_target"),
        ),
        notes=("Amounts in United States dollars.",),
        totals=("commitments_usd", "deposits_usd"),
        key="year",
    ),
    ReportTable(
        "transfers_by_year",
        "Transfers to participating organizations and their expenditure by year",
        "net funded transfers and the expenditure reported on them, by year, years <= year(D)",
        {"transfers": ("year", "net_funded_usd", "expenditure_usd")},
        (
            Field("year", YEAR),
            Field("net_funded_usd", USD, "net_funded_usd of the year's transfers, summed"),
            Field("expenditure_usd", USD, "expenditure_usd of the year's transfers, summed"),
            Field("delivery_rate", PERCENT, "expenditure_usd / net_funded_usd of the year"),
        ),
        transfers_by_year,
        columns=(
            TableColumn("Year", "year"),
            TableColumn("Net funded", "net_funded_usd"),
            TableColumn("Expenditure", "expenditure_usd"),
            TableColumn("Delivery rate", "delivery_rate"),
        ),
        notes=("Amounts in United States dollars. Delivery rate: expenditure as a share of the funds transferred.",),
        totals=("net_funded_usd", "expenditure_usd"),
        key="year",
    ),
    ReportTable(
        "programmes_by_area",
        "Joint programmes by thematic area",
        "joint programmes approved by D and their budgets, by thematic area",
        {"joint_programmes": ("approved_on", "thematic_area", "budget_usd")},
        (
            Field("thematic_area", NUMBER),
            Field("name", TEXT),
            Field("programmes", COUNT, "joint programmes of the area approved by D"),
            Field("budget_usd", USD, "budget_usd of those programmes, summed"),
        ),
        programmes_by_area,
        columns=(
            TableColumn("Thematic area", "{{ thematic_area }}. {{ name }}", 10.0),
            TableColumn("Joint programmes", "programmes", 3.3),
            TableColumn("Budget", "budget_usd", 3.3),
        ),
        notes=("Joint programmes approved by {{ as_of }}.",),
        totals=("programmes", "budget_usd"),
        key="thematic_area",
    ),
    ReportTable(
        "programmes_by_region",
        "Joint programmes by region",
        "joint programmes approved by D and their budgets, by M49 region of their countries",
        {"joint_programmes": ("approved_on", "countries", "budget_usd")},
        (
            Field("region", TEXT),
            Field("programmes", COUNT, "joint programmes approved by D in the region's countries"),
            Field("budget_usd", USD, "budget_usd of those programmes, summed"),
        ),
        programmes_by_region,
        columns=(
            TableColumn("Region", "{{ region | term }}"),
            TableColumn("Joint programmes", "programmes"),
            TableColumn("Budget", "budget_usd"),
        ),
        notes=(
            "Regions of the United Nations M49 standard{% if rows | selectattr('region', 'equalto', '"
            + SEVERAL_REGIONS
            + "') | list %}; a programme in countries of more than one region is counted under "
            + f"{SEVERAL_REGIONS}{{% endif %}}.",
        ),
        totals=("programmes", "budget_usd"),
        key="region",
    ),
    ReportTable(
        "networks_by_region",
        "Country networks and Champion countries by region",
        "country networks open on D and Champion countries on D, by M49 region",
        {
            "country_networks": ("level", "iso3", "established_on", "closed_on"),
            "champions": ("iso3", "joined_on", "left_on"),
        },
        (
            Field("region", TEXT),
            Field("country_networks", COUNT, "country networks open on D in the region"),
            Field("champion_countries", COUNT, "Champion countries on D in the region"),
            Field("champions_with_network", COUNT, "of those Champions, how many have a country network open on D"),
        ),
        networks_by_region,
        columns=(
            TableColumn("Region", "{{ region | term }}"),
            TableColumn("Country networks", "country_networks"),
            TableColumn("Champion countries", "champion_countries"),
            TableColumn("Champions with a country network", "champions_with_network"),
        ),
        notes=(M49_NOTE,),
        totals=("country_networks", "champion_countries", "champions_with_network"),
        key="region",
    ),
    ReportTable(
        "networks_over_time",
        "Country networks and Champion countries over time",
        "country networks and Champion countries at the end of each year, and on D",
        {
            "country_networks": ("level", "iso3", "established_on", "closed_on"),
            "champions": ("iso3", "joined_on", "left_on"),
        },
        (
            Field("date", DATE),
            Field("country_networks", COUNT, "country networks open on the date"),
            Field("champion_countries", COUNT, "Champion countries on the date"),
        ),
        networks_over_time,
        key="date",
    ),
    ReportTable(
        "objectives_by_region",
        "Findings of the regional reviews by objective and region",
        "findings of the reviews held by D, by objective and region",
        {"reviews": ("review_id", "region", "end_date"), "review_findings": ("review_id", "objective")},
        (Field("objective", NUMBER), Field("cluster", TEXT), *(Field(r, COUNT) for r in REGIONS)),
        objectives_by_region,
        key="objective",
    ),
    ReportTable(
        "reviews_by_cycle",
        "Regional reviews by cycle",
        "per cycle in which a review was held by D: reviews held and scheduled, Member States, findings",
        {
            "reviews": ("review_id", "cycle", "end_date"),
            "review_participants": ("review_id", "iso3"),
            "review_findings": ("review_id", "finding"),
        },
        (
            Field("cycle", TEXT),
            Field("under_review", FLAG, "the latest cycle with a review held by D"),
            Field("reviews_held", COUNT, "reviews of the cycle held by D"),
            Field("reviews_scheduled", COUNT, "reviews of the cycle not yet held on D"),
            Field("member_states", COUNT, "distinct iso3 in review_participants of the cycle's reviews held"),
            *(Field(f"{kind}_findings", COUNT, f"findings of the cycle's reviews held: {kind}") for kind in FINDINGS),
        ),
        reviews_by_cycle,
        columns=(
            TableColumn("Cycle", "{{ cycle }}{% if under_review %} (under review){% endif %}", 3.6),
            TableColumn("Reviews held", "reviews_held", 2.2),
            TableColumn("Member States", "member_states", 2.4),
            TableColumn("Progress", "progress_findings", 2.2),
            TableColumn("Challenges", "challenge_findings", 2.2),
            TableColumn("Priorities", "priority_findings", 2.2),
        ),
        notes=("Findings as recorded in the outcomes of each review; Member States counted once per cycle.",),
        key="cycle",
    ),
    ReportTable(
        "objectives_by_cycle",
        "Findings of the regional reviews by objective, in the cycle under review and the previous cycle",
        "findings of the reviews held by D per objective, in the cycle under review and in the one before",
        {"reviews": ("review_id", "cycle", "end_date"), "review_findings": ("review_id", "objective")},
        (
            Field("objective", NUMBER),
            Field("cluster", TEXT),
            Field("under_review", COUNT, "findings on the objective in the cycle under review"),
            Field("previous", COUNT, "findings on the objective in the previous cycle"),
        ),
        objectives_by_cycle,
        key="objective",
    ),
    ReportTable(
        "findings_by_cluster",
        "Findings and recommendations of the regional reviews by cluster of objectives",
        "findings and recommendations of the reviews held by D, by round-table cluster of objectives",
        {
            "reviews": ("review_id", "region", "end_date"),
            "review_findings": ("review_id", "objective", "finding"),
            "review_recommendations": ("review_id", "number", "objectives"),
        },
        (
            Field("cluster", TEXT),
            Field("title", TEXT),
            Field("objectives", LIST),
            Field("findings", COUNT, "findings of the reviews held on the cluster's objectives"),
            *(
                Field(f"{kind}_findings", COUNT, f"findings of the reviews held on its objectives: {kind}")
                for kind in FINDINGS
            ),
            *(Field(f"most_{kind}", LIST) for kind in FINDINGS),
            Field("recommendations", COUNT, "recommendations of the reviews held naming objectives of the cluster"),
        ),
        findings_by_cluster,
        key="cluster",
    ),
]

CHARTS = [
    Chart(
        "networks_over_time", "Country networks and Global Compact Champion countries over time", "networks_over_time"
    ),
    Chart(
        "objectives_by_cycle",
        "Findings of the regional reviews on each objective, in the cycle under review and the previous cycle",
        "objectives_by_cycle",
    ),
    Chart(
        "objectives_heatmap",
        "Findings of the regional reviews on the 23 objectives, by region and round-table cluster",
        "objectives_by_region",
    ),
]
