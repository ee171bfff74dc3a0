"""The source contract (shared/contracts/sources.md, version 1), declared once.

Readers, Parquet schemas, validation rules and the key figures' provenance are all
derived from these declarations; a rule of the contract lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

CONTRACT_VERSION = 1

# Column types as the contract names them.
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
ISO3 = "iso3"
LIST_INTEGER = "list of integers"
LIST_ISO3 = "list of ISO alpha-3"
LIST_TEXT = "list of text"

ARROW_TYPES: dict[str, pa.DataType] = {
    TEXT: pa.string(),
    ISO3: pa.string(),
    INTEGER: pa.int64(),
    DECIMAL: pa.float64(),
    DATE: pa.date32(),
    LIST_INTEGER: pa.list_(pa.int64()),
    LIST_ISO3: pa.list_(pa.string()),
    LIST_TEXT: pa.list_(pa.string()),
}

# Every ingested row keeps where it came from.
LINEAGE_FIELDS = [
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_sheet", pa.string()),
    pa.field("source_line", pa.int64(), nullable=False),
    pa.field("source_sha256", pa.string(), nullable=False),
]
LINEAGE_COLUMNS = [f.name for f in LINEAGE_FIELDS]

REGIONS = {
    "Africa": "ECA",
    "Arab region": "ESCWA",
    "Asia and the Pacific": "ESCAP",
    "Europe and North America": "ECE",
    "Latin America and the Caribbean": "ECLAC",
}
KOSOVO = "XKX"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    above: float | None = None
    pattern: tuple[str, str] | None = None  # (regular expression, what it means to a drafter)
    pairs_with: str | None = None  # the value must be the one REGIONS gives for this other column
    not_before: str | None = None
    required_when: tuple[str, str] | None = None
    references: str | None = None
    non_empty_list: bool = False

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list")


@dataclass(frozen=True)
class Table:
    name: str
    family: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def schema(self) -> pa.Schema:
        data = [pa.field(c.name, ARROW_TYPES[c.type]) for c in self.columns]
        return pa.schema(data + LINEAGE_FIELDS, metadata={"contract_version": str(CONTRACT_VERSION)})


def _c(name: str, type_: str, required: bool = True, **rules) -> Column:
    return Column(name, type_, required, **rules)


REGIONAL_REVIEWS = "regional_reviews"
MPTF = "mptf"
COUNTRY_NETWORKS = "country_networks"
CALENDAR = "calendar"  # sources/calendar.csv, at the root of the sources
FAMILIES = (REGIONAL_REVIEWS, MPTF, COUNTRY_NETWORKS, CALENDAR)
DEADLINE_KINDS = ("imrf", "sg_report", "regional_review", "input_due")

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "reviews",
            REGIONAL_REVIEWS,
            "One row per GCM regional review.",
            (
                _c("review_id", TEXT),
                _c("cycle", TEXT, pattern=(r"^\d{4}-\d{4}$", "two years, as in 2020-2021")),
                _c("region", TEXT, allowed=tuple(REGIONS)),
                _c("commission", TEXT, allowed=tuple(REGIONS.values()), pairs_with="region"),
                _c("start_date", DATE),
                _c("end_date", DATE, not_before="start_date"),
                _c("venue", TEXT),
                _c("format", TEXT, allowed=("in person", "virtual", "hybrid")),
                _c("member_states_participating", INTEGER, min=0),
                _c("stakeholders_participating", INTEGER, required=False, min=0),
                _c("outcome_document", TEXT, required=False),
            ),
            key=("review_id",),
        ),
        Table(
            "review_participants",
            REGIONAL_REVIEWS,
            "Member States that took part in a regional review.",
            (_c("review_id", TEXT, references="reviews.review_id"), _c("iso3", ISO3)),
            key=("review_id", "iso3"),
        ),
        Table(
            "review_findings",
            REGIONAL_REVIEWS,
            "What a regional review found about a GCM objective.",
            (
                _c("review_id", TEXT, references="reviews.review_id"),
                _c("objective", INTEGER, min=1, max=23),
                _c("finding", TEXT, allowed=("progress", "challenge", "priority")),
                _c("text", TEXT),
            ),
        ),
        Table(
            "review_recommendations",
            REGIONAL_REVIEWS,
            "Recommendations adopted by a regional review.",
            (
                _c("review_id", TEXT, references="reviews.review_id"),
                _c("number", INTEGER, min=1),
                _c("text", TEXT),
                _c("objectives", LIST_INTEGER, required=False, min=1, max=23),
            ),
            key=("review_id", "number"),
        ),
        Table(
            "contributions",
            MPTF,
            "What each contributor committed and deposited to the Migration MPTF, by year.",
            (
                _c("contributor", TEXT),
                _c("contributor_iso3", ISO3, required=False),
                _c("year", INTEGER, min=2018),
                _c("commitment_usd", DECIMAL, min=0),
                _c("deposit_usd", DECIMAL, min=0),
            ),
        ),
        Table(
            "joint_programmes",
            MPTF,
            "Joint programmes funded by the Migration MPTF.",
            (
                _c("programme_id", TEXT),
                _c("title", TEXT),
                _c("countries", LIST_ISO3, non_empty_list=True),
                _c("thematic_area", INTEGER, min=1, max=5),
                _c("participating_organizations", LIST_TEXT, non_empty_list=True),
                _c("approved_on", DATE),
                _c("start_date", DATE, required=False),
                _c("end_date", DATE, required=False, not_before="start_date"),
                _c("budget_usd", DECIMAL, above=0),
                _c(
                    "status",
                    TEXT,
                    allowed=("approved", "ongoing", "operationally closed", "financially closed"),
                ),
            ),
            key=("programme_id",),
        ),
        Table(
            "transfers",
            MPTF,
            "Money passed to a participating organization for a joint programme.",
            (
                _c("programme_id", TEXT, references="joint_programmes.programme_id"),
                _c("organization", TEXT),
                _c("year", INTEGER),
                _c("net_funded_usd", DECIMAL, min=0),
                _c("expenditure_usd", DECIMAL, min=0),
            ),
        ),
        Table(
            "concept_notes",
            MPTF,
            "Concept notes submitted to the Migration MPTF: the Fund's pipeline.",
            (
                _c("note_id", TEXT),
                _c("submitted_on", DATE),
                _c("countries", LIST_ISO3),
                _c("thematic_area", INTEGER, min=1, max=5),
                _c(
                    "status",
                    TEXT,
                    allowed=("received", "positively assessed", "prioritized", "funded", "not retained"),
                ),
                _c(
                    "programme_id",
                    TEXT,
                    required=False,
                    required_when=("status", "funded"),
                    references="joint_programmes.programme_id",
                ),
            ),
            key=("note_id",),
        ),
        Table(
            "targets",
            MPTF,
            "The Steering Committee's capitalization target for each year.",
            (_c("year", INTEGER), _c("capitalization_target_usd", DECIMAL, above=0)),
            key=("year",),
        ),
        Table(
            "country_networks",
            COUNTRY_NETWORKS,
            "UN migration networks at country or regional level.",
            (
                _c("network_id", TEXT),
                _c("level", TEXT, allowed=("country", "regional")),
                _c("iso3", ISO3, required=False, required_when=("level", "country")),
                _c("name", TEXT),
                _c("established_on", DATE),
                _c("closed_on", DATE, required=False, not_before="established_on"),
            ),
            key=("network_id",),
        ),
        Table(
            "champions",
            COUNTRY_NETWORKS,
            "Member States that are GCM Champion countries.",
            (
                _c("iso3", ISO3),
                _c("joined_on", DATE),
                _c("left_on", DATE, required=False, not_before="joined_on"),
            ),
            key=("iso3",),
        ),
        Table(
            "calendar",
            CALENDAR,
            "The deadline calendar: Forums, the Secretary-General's reports, regional reviews, inputs due.",
            (
                _c("date", DATE),
                _c("kind", TEXT, allowed=DEADLINE_KINDS),
                _c("title", TEXT),
                _c("tentative", TEXT, allowed=("yes", "no")),
            ),
            key=("date", "kind", "title"),
        ),
    ]
}


def tables_of(family: str) -> list[Table]:
    return [t for t in TABLES.values() if t.family == family]


@dataclass(frozen=True)
class KeyFigure:
    name: str
    definition: str
    unit: str  # "count" or "usd"
    tables: tuple[str, ...]


# The contract's key figures, counted from rows as of the reference date D.
KEY_FIGURES: dict[str, KeyFigure] = {
    k.name: k
    for k in [
        KeyFigure(
            "country_networks",
            "networks with level country, established_on <= D, not closed on or before D",
            "count",
            ("country_networks",),
        ),
        KeyFigure(
            "regional_networks",
            "networks with level regional, established_on <= D, not closed on or before D",
            "count",
            ("country_networks",),
        ),
        KeyFigure(
            "champion_countries", "champions with joined_on <= D, not left on or before D", "count", ("champions",)
        ),
        KeyFigure(
            "champion_countries_with_network",
            "of those Champions, how many have a counted country network",
            "count",
            ("champions", "country_networks"),
        ),
        KeyFigure("regional_reviews_held", "reviews with end_date <= D", "count", ("reviews",)),
        KeyFigure(
            "member_states_in_reviews",
            "distinct iso3 in review_participants of the reviews held",
            "count",
            ("reviews", "review_participants"),
        ),
        KeyFigure(
            "mptf_contributors",
            "distinct contributors with deposit_usd > 0 in years <= year(D)",
            "count",
            ("contributions",),
        ),
        KeyFigure("mptf_deposits_total_usd", "sum of deposit_usd, years <= year(D)", "usd", ("contributions",)),
        KeyFigure("mptf_commitments_total_usd", "sum of commitment_usd, years <= year(D)", "usd", ("contributions",)),
        KeyFigure("mptf_deposits_year_usd", "sum of deposit_usd in year(D)", "usd", ("contributions",)),
        KeyFigure("mptf_target_year_usd", "capitalization_target_usd of year(D)", "usd", ("targets",)),
        KeyFigure("mptf_joint_programmes", "joint programmes with approved_on <= D", "count", ("joint_programmes",)),
        KeyFigure(
            "mptf_joint_programmes_budget_usd",
            "budget_usd of those joint programmes, summed",
            "usd",
            ("joint_programmes",),
        ),
        KeyFigure(
            "mptf_thematic_areas_covered",
            "distinct thematic_area among those joint programmes",
            "count",
            ("joint_programmes",),
        ),
        KeyFigure("mptf_concept_notes_received", "concept notes with submitted_on <= D", "count", ("concept_notes",)),
        KeyFigure(
            "mptf_pipeline",
            "of those concept notes, status positively assessed or prioritized",
            "count",
            ("concept_notes",),
        ),
        KeyFigure(
            "mptf_pipeline_prioritized", "of those concept notes, status prioritized", "count", ("concept_notes",)
        ),
        KeyFigure("mptf_net_funded_usd", "sum of transfers.net_funded_usd, years <= year(D)", "usd", ("transfers",)),
        KeyFigure("mptf_expenditure_usd", "sum of transfers.expenditure_usd, years <= year(D)", "usd", ("transfers",)),
    ]
}
