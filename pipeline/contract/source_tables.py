"""The contract's tables: columns, types, rules, keys and when a row counts as of D.

Longer than most modules on purpose: it reads top to bottom as the contract document does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from pipeline.contract.as_of import Always, By, OpenOn, Predicate, UpToYear
from pipeline.paths import CALENDAR_FAMILY

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

# Every ingested row keeps where it came from. A file's name and digest are the same on each of its
# rows: dictionary-encoded, a row costs 4 bytes for them instead of 100 (pandas reads them as categories).
NAMED = pa.dictionary(pa.int32(), pa.string())
LINEAGE_FIELDS = [
    pa.field("source_file", NAMED, nullable=False),
    pa.field("source_sheet", NAMED),
    pa.field("source_line", pa.int64(), nullable=False),
    pa.field("source_sha256", NAMED, nullable=False),
]
LINEAGE_COLUMNS = [f.name for f in LINEAGE_FIELDS]

REGIONS = {
    "Africa": "ECA",
    "Arab region": "ESCWA",
    "Asia and the Pacific": "ESCAP",
    "Europe and North America": "ECE",
    "Latin America and the Caribbean": "ECLAC",
}


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

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list")

    @property
    def values(self) -> range:
        """Every value a bounded whole-number column allows (thematic areas 1 to 5, objectives 1 to 23)."""
        assert self.min is not None and self.max is not None, f"{self.name} has no bounds"
        return range(int(self.min), int(self.max) + 1)


@dataclass(frozen=True)
class Table:
    name: str
    family: str
    description: str
    columns: tuple[Column, ...]
    as_of: Predicate | None  # which rows count on D; None: a row counts with the row it refers to
    key: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "xlsx")  # CSV files named after the table, sheets of workbooks; or XML

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
CALENDAR = CALENDAR_FAMILY  # sources/calendar.csv, at the root of the sources
FAMILIES = (REGIONAL_REVIEWS, MPTF, COUNTRY_NETWORKS, CALENDAR)
# Who publishes each family's data, as a report's source note names it (its report.toml [sources] may say it
# in its language); the files themselves are listed in the drafters' dossier, not in the report.
PUBLIC_SOURCES = {
    REGIONAL_REVIEWS: "outcomes of the regional reviews of the Global Compact",
    MPTF: "Multi-Partner Trust Fund Office",
    COUNTRY_NETWORKS: "United Nations Network on Migration",
    CALENDAR: "United Nations Network on Migration",
}
SG_REPORT = "sg_report"  # a report of the Secretary-General: each is an edition (pipeline/editions.py)
DEADLINE_KINDS = ("imrf", SG_REPORT, "regional_review", "input_due")

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
            as_of=By("end_date"),
            key=("review_id",),
        ),
        Table(
            "review_participants",
            REGIONAL_REVIEWS,
            "Member States that took part in a regional review.",
            (_c("review_id", TEXT, references="reviews.review_id"), _c("iso3", ISO3)),
            as_of=None,
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
            as_of=None,
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
            as_of=None,
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
            as_of=UpToYear(),
        ),
        Table(
            "joint_programmes",
            MPTF,
            "Joint programmes funded by the Migration MPTF.",
            (
                _c("programme_id", TEXT),
                _c("title", TEXT),
                _c("countries", LIST_ISO3),
                _c("thematic_area", INTEGER, min=1, max=5),
                _c("participating_organizations", LIST_TEXT),
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
            as_of=By("approved_on"),
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
            as_of=UpToYear(),
        ),
        Table(
            "iati_activities",
            MPTF,
            "Which joint programme an IATI activity funded by the Fund belongs to: its transactions of incoming "
            "funds from the Fund and of expenditure join the programme's transfers.",
            (
                _c("iati_identifier", TEXT),
                _c("programme_id", TEXT, references="joint_programmes.programme_id"),
            ),
            as_of=None,
            key=("iati_identifier",),
        ),
        Table(
            "iati_transactions",
            MPTF,
            "Transactions of the activities funded by the Migration MPTF, as the participating organizations "
            "publish them in IATI activity files (versions 2.01 to 2.03); read from every .xml file of the family "
            "folder, one row per transaction of an activity funded by the Fund.",
            (
                _c("iati_identifier", TEXT),
                _c("activity_title", TEXT, required=False),
                _c("organization", TEXT),
                _c("transaction_number", INTEGER, min=1),
                _c("transaction_type", INTEGER, min=1, max=13),
                _c("value_date", DATE),
                _c("value_usd", DECIMAL),
                _c("provider_org", TEXT, required=False),
                _c("from_fund", TEXT, allowed=("yes", "no")),
                _c("other_funders", LIST_TEXT, required=False),
            ),
            as_of=By("value_date"),
            key=("iati_identifier", "transaction_number"),
            formats=("xml",),
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
            as_of=By("submitted_on"),
            key=("note_id",),
        ),
        Table(
            "targets",
            MPTF,
            "The Steering Committee's capitalization target for each year.",
            (_c("year", INTEGER), _c("capitalization_target_usd", DECIMAL, above=0)),
            as_of=UpToYear(),
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
            as_of=OpenOn("established_on", "closed_on"),
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
            as_of=OpenOn("joined_on", "left_on"),
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
                # An sg_report row's data cut-off: its edition's figures are counted as of it
                # (empty: 4 weeks before the due date; pipeline/editions.py).
                _c("data_cutoff", DATE, required=False),
            ),
            as_of=Always(),
            key=("date", "kind", "title"),
        ),
    ]
}


def tables_of(family: str) -> list[Table]:
    return [t for t in TABLES.values() if t.family == family]
