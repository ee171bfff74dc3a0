"""Writes the bundled illustrative sample into `sources/` (python -m pipeline.sample).

Built from public UN facts (sources/README.md lists them: the first review cycle, figures stated
on 24 June 2021) so that, as of 2021-06-24, the key figures equal those stated then.
Everything else (names of contributors, amounts, later years, second-cycle reviews) is
illustrative and says so in sources/README.md. Longer than most modules: most of it is the
sample's own data, listed where it is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl

from pipeline.contract import CALENDAR, COUNTRY_NETWORKS, MPTF, REGIONAL_REVIEWS, TABLES
from pipeline.countries import un_name
from pipeline.paths import BUNDLED_SOURCES, Sources
from pipeline.reference import CLUSTERS as REFERENCE_CLUSTERS

REGION_COUNTRIES = {
    "ECE": "ALB ARM AUT AZE BEL BIH BGR CAN HRV CYP CZE DEU ESP FIN FRA GEO GRC IRL ITA KAZ KGZ LUX MDA MKD "
    "MNE NLD NOR POL PRT ROU SRB SVK SVN SWE CHE TJK TUR UKR USA UZB".split(),
    "ESCWA": "DZA BHR EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SAU SDN SYR TUN ARE YEM".split(),
    "ESCAP": "AFG AUS BGD BTN KHM CHN FJI IND IDN IRN JPN KIR LAO MYS MDV MNG MMR NPL NZL PAK PNG PHL KOR "
    "WSM SGP LKA THA TLS TON TUV VUT VNM".split(),
    "ECLAC": "ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND JAM MEX NIC PAN "
    "PRY PER KNA LCA VCT SUR TTO URY VEN".split(),
    "ECA": "AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ ETH GAB GMB GHA GIN KEN "
    "LSO LBR MDG MWI MLI MRT MAR MOZ NAM NER NGA RWA SEN SLE SOM ZAF SSD TZA TGO TUN UGA ZMB ZWE".split(),
}
REGION_OF = {
    "ECA": "Africa",
    "ESCWA": "Arab region",
    "ESCAP": "Asia and the Pacific",
    "ECE": "Europe and North America",
    "ECLAC": "Latin America and the Caribbean",
}
CLUSTERS = {key: list(objectives) for key, (_title, objectives) in REFERENCE_CLUSTERS.items()}
OBJECTIVE_LABELS = [
    "data",
    "minimizing adverse drivers",
    "information provision",
    "legal identity and documentation",
    "regular pathways",
    "recruitment and decent work",
    "reducing vulnerabilities",
    "saving lives",
    "countering smuggling",
    "eradicating trafficking",
    "border management",
    "screening and referral",
    "alternatives to detention",
    "consular protection",
    "access to basic services",
    "inclusion and social cohesion",
    "eliminating discrimination",
    "skills development and recognition",
    "migrant and diaspora contributions",
    "remittances",
    "dignified return and reintegration",
    "social protection",
    "international cooperation",
]

# (review_id, cycle, commission, start, end, venue, format, member states, stakeholders, outcome, as workbook)
REVIEWS = [
    (
        "ECE-2020",
        "2020-2021",
        "ECE",
        "2020-11-12",
        "2020-11-13",
        "virtual",
        "virtual",
        33,
        160,
        "Regional Review of the Global Compact for Migration in the UNECE region: Chair's summary",
        True,
    ),
    (
        "ESCWA-2021",
        "2020-2021",
        "ESCWA",
        "2021-02-24",
        "2021-02-25",
        "virtual",
        "virtual",
        18,
        120,
        "Arab Regional Review of the Global Compact for Migration: summary of outcomes",
        False,
    ),
    (
        "ESCAP-2021",
        "2020-2021",
        "ESCAP",
        "2021-03-10",
        "2021-03-12",
        "Bangkok",
        "hybrid",
        28,
        205,
        "Asia-Pacific Regional Review of Implementation of the Global Compact for Migration: outcome",
        True,
    ),
    (
        "ECLAC-2021",
        "2020-2021",
        "ECLAC",
        "2021-04-26",
        "2021-04-28",
        "virtual",
        "virtual",
        29,
        140,
        "Regional review of the Global Compact in Latin America and the Caribbean: summary",
        True,
    ),
    (
        "ECA-2021",
        "2020-2021",
        "ECA",
        "2021-08-31",
        "2021-09-01",
        "virtual",
        "virtual",
        41,
        180,
        "Africa Regional Review of the Global Compact for Migration: outcome",
        False,
    ),
    (
        "ECE-2024",
        "2024-2025",
        "ECE",
        "2024-11-05",
        "2024-11-06",
        "Geneva",
        "hybrid",
        35,
        210,
        "Second Regional Review in the UNECE region: Chair's summary (illustrative)",
        True,
    ),
    (
        "ESCAP-2025",
        "2024-2025",
        "ESCAP",
        "2025-03-04",
        "2025-03-06",
        "Bangkok",
        "in person",
        30,
        230,
        "Second Asia-Pacific Regional Review: outcome (illustrative)",
        True,
    ),
    (
        "ECLAC-2025",
        "2024-2025",
        "ECLAC",
        "2025-04-08",
        "2025-04-09",
        "Santiago",
        "hybrid",
        27,
        150,
        "Second regional review in Latin America and the Caribbean (illustrative)",
        True,
    ),
    (
        "ESCWA-2025",
        "2024-2025",
        "ESCWA",
        "2025-05-13",
        "2025-05-14",
        "Beirut",
        "hybrid",
        17,
        110,
        "Second Arab Regional Review (illustrative)",
        True,
    ),
    (
        "ECA-2025",
        "2024-2025",
        "ECA",
        "2025-09-09",
        "2025-09-11",
        "Addis Ababa",
        "in person",
        44,
        260,
        "Second Africa Regional Review (illustrative)",
        True,
    ),
]

# The first 20 Champions (illustrative list; the count of 20 in March 2021 is public), then
# Egypt, Iraq and Kenya, who joined by 24 June 2021 (public), then later illustrative changes.
CHAMPIONS = [
    (c, "2020-10-15", "")
    for c in "BGD CAN COL ECU ETH GMB GHA GTM IDN LUX MEX MAR NPL NER PHL PRT SEN ESP THA MLI".split()
]
CHAMPIONS += [("EGY", "2021-05-10", ""), ("IRQ", "2021-05-27", ""), ("KEN", "2021-06-08", "")]
CHAMPIONS += [
    ("CRI", "2022-03-01", ""),
    ("KGZ", "2022-06-15", ""),
    ("ZMB", "2023-02-20", ""),
    ("NGA", "2024-01-18", ""),
    ("FJI", "2024-09-10", ""),
]
LEAVERS = {"MLI": "2024-03-31"}

# Country networks: 14 in Champion countries and 30 elsewhere by March 2021, with Venezuela's 45,
# 8 more by 24 June 2021 (52), Venezuela's closed on that very day (not counted then); later ones
# illustrative. Montenegro's opened in the spring, after the March briefing.
NETWORKS_EARLY_CHAMPIONS = "BGD COL ECU ETH GMB GHA IDN MEX MAR NPL NER PHL SEN THA".split()
NETWORKS_EARLY_OTHERS = (
    "AFG ALB ARM AZE BIH BOL BRA CHL CIV CMR CRI DOM DJI GEO HND JOR KAZ KGZ LBN LKA MDA "
    "MKD MNE MRT MWI NGA PAK PER SRB TJK XKX"
).split()
NETWORKS_SPRING_2021 = "TTO TUN UKR UZB ZAF ZMB ZWE".split()
SPRING_DATES = {"MNE": "2021-05-12"}
NETWORKS_LATER = (
    "EGY IRQ KEN SLV HTI LBY SDN SOM VNM YEM GTM MLI UGA TZA RWA BFA TCD GIN KHM MMR LAO MNG "
    "PAN PRY URY JAM COD SSD AGO MOZ"
).split()
REGIONAL_NETWORKS = [
    ("RN-ESCAP", "Asia-Pacific Regional UN Network on Migration", "2019-12-10", ""),
    ("RN-ECLAC", "Regional UN Network on Migration for Latin America and the Caribbean", "2020-02-18", ""),
    ("RN-ECE", "Regional UN Network on Migration for Europe", "2020-06-30", ""),
    ("RN-ESCWA", "Regional UN Network on Migration for the Arab region", "2020-11-05", ""),
    ("RN-ECA", "Regional UN Network on Migration for Africa", "2021-10-19", ""),
]

THEMATIC_AREAS = 5
ORGANIZATIONS = ["IOM", "ILO", "UNDP", "UNHCR", "UNICEF", "UNODC", "OHCHR", "UN Women", "WHO", "UNFPA"]
# The 9 joint programmes funded by 24 June 2021: 7 under way, 2 starting (Trinidad and Tobago,
# Afghanistan), all five thematic areas (public); titles and amounts illustrative.
EARLY_PROGRAMMES = [
    ("MIG-JP-001", "Strengthening migration data for policy in the region", "MAR;SEN", 1, "2020-06-15"),
    ("MIG-JP-002", "Protecting migrant workers in the care sector", "PHL;IDN", 2, "2020-07-20"),
    ("MIG-JP-003", "Integrated border management and safe mobility", "NER;MLI", 3, "2020-08-10"),
    ("MIG-JP-004", "Fair recruitment corridors", "NPL;BGD", 4, "2020-09-01"),
    ("MIG-JP-005", "Inclusive cities for migrants and communities", "ECU;COL", 5, "2020-10-05"),
    ("MIG-JP-006", "Addressing vulnerabilities of migrants on the move", "GMB;SEN", 2, "2020-11-16"),
    ("MIG-JP-007", "Community-based reintegration", "ETH", 4, "2020-12-14"),
    ("MIG-JP-008", "Protection and integration of migrants in Trinidad and Tobago", "TTO", 5, "2021-05-21"),
    ("MIG-JP-009", "Safe and dignified return and reintegration in Afghanistan", "AFG", 2, "2021-06-10"),
]


# Real dates (public UN texts): the first review cycle, the Forums of 2022 and 2026 and
# the Secretary-General's reports due 12 weeks before each; the 2030 Forum is tentative.
CALENDAR_ROWS = [
    ("2020-11-12", "regional_review", "Regional review, ECE (Europe and North America), 12–13 November 2020", "no"),
    ("2021-02-24", "regional_review", "Regional review, ESCWA (Arab region), 24–25 February 2021", "no"),
    ("2021-03-10", "regional_review", "Regional review, ESCAP (Asia and the Pacific), 10–12 March 2021", "no"),
    (
        "2021-04-26",
        "regional_review",
        "Regional review, ECLAC (Latin America and the Caribbean), 26–28 April 2021",
        "no",
    ),
    ("2021-08-31", "regional_review", "Regional review, ECA (Africa), 31 August–1 September 2021", "no"),
    ("2022-02-22", "sg_report", "Report of the Secretary-General for the first Forum (12 weeks before it)", "no"),
    ("2022-05-17", "imrf", "First International Migration Review Forum, 17–20 May 2022", "no"),
    ("2026-02-10", "sg_report", "Report of the Secretary-General for the second Forum (12 weeks before it)", "no"),
    ("2026-05-05", "imrf", "Second International Migration Review Forum, 5–8 May 2026", "no"),
    ("2029-12-11", "input_due", "Inputs of the Network for the report to the third Forum (illustrative)", "yes"),
    ("2030-02-12", "sg_report", "Report of the Secretary-General for the third Forum (12 weeks before it)", "yes"),
    ("2030-05-07", "imrf", "Third International Migration Review Forum, May 2030", "yes"),
]


def build(root: Path, seed: int = 2021) -> None:
    rng, sources = random.Random(seed), Sources(root)
    # data_cutoff left empty: the default, 4 weeks before the due date.
    _csv(sources.csv(CALENDAR, "calendar"), "calendar", [[*row, ""] for row in CALENDAR_ROWS])
    reviews, participants, findings, recommendations = _reviews(rng)
    _write_reviews(sources, reviews, participants, findings, recommendations)
    programmes = _programmes(rng)
    _csv(sources.csv(MPTF, "contributions"), "contributions", _contributions(rng))
    _csv(sources.csv(MPTF, "joint_programmes"), "joint_programmes", programmes)
    _csv(sources.csv(MPTF, "transfers"), "transfers", _transfers(rng, programmes))
    _csv(sources.csv(MPTF, "concept_notes"), "concept_notes", _concept_notes(rng, programmes))
    targets = [[y, 25_000_000 if y < 2021 else 30_000_000] for y in range(2019, 2027)]
    _csv(sources.csv(MPTF, "targets"), "targets", targets)
    _csv(sources.csv(COUNTRY_NETWORKS, "country_networks"), "country_networks", _networks(rng))
    champions = [[c, joined, LEAVERS.get(c, left)] for c, joined, left in CHAMPIONS]
    _csv(sources.csv(COUNTRY_NETWORKS, "champions"), "champions", champions)


def _day(rng: random.Random, start: str, end: str) -> str:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return (a + dt.timedelta(days=rng.randint(0, (b - a).days))).isoformat()


def _reviews(rng: random.Random):
    reviews, participants, findings, recommendations = [], [], [], []
    for rid, cycle, com, start, end, venue, fmt, states, stakeholders, outcome, _book in REVIEWS:
        reviews.append([rid, cycle, REGION_OF[com], com, start, end, venue, fmt, states, stakeholders, outcome])
        pool = REGION_COUNTRIES[com]
        participants += [[rid, iso3] for iso3 in sorted(rng.sample(pool, states))]
        objectives = sorted(rng.sample(range(1, 24), 14))
        for objective in objectives:
            kind = rng.choice(["progress", "progress", "challenge", "priority"])
            label = OBJECTIVE_LABELS[objective - 1]
            text = {
                "progress": f"Member States reported progress on {label}, with new national policies and "
                f"partnerships described during the review.",
                "challenge": f"Participants identified persistent gaps in {label}, notably in resources "
                f"and in cooperation across borders.",
                "priority": f"The review named {label} a priority for the next cycle of implementation.",
            }[kind]
            findings.append([rid, objective, kind, text])
        for number, cluster in enumerate(rng.sample(sorted(CLUSTERS), 4), start=1):
            picked = sorted(rng.sample(CLUSTERS[cluster], 2))
            labels = " and ".join(OBJECTIVE_LABELS[o - 1] for o in picked)
            text = f"Strengthen whole-of-government and whole-of-society action on {labels}."
            recommendations.append([rid, number, text, ";".join(str(o) for o in picked)])
    return reviews, participants, findings, recommendations


REVIEW_TABLES = ("reviews", "review_participants", "review_findings", "review_recommendations")


def _write_reviews(sources: Sources, *tables) -> None:
    as_workbook = {r[0] for r in REVIEWS if r[-1]}
    for name, rows in zip(REVIEW_TABLES, tables, strict=True):
        _csv(sources.csv(REGIONAL_REVIEWS, name), name, [r for r in rows if r[0] not in as_workbook])
    for rid in sorted(as_workbook):
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in zip(REVIEW_TABLES, tables, strict=True):
            sheet = book.create_sheet(name)
            sheet.append(TABLES[name].column_names)
            for row in rows:
                if row[0] == rid:
                    sheet.append([_xlsx_value(v) for v in row])
        path = sources.workbook(REGIONAL_REVIEWS, rid)
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)


def _xlsx_value(value):
    # Dates go in as real Excel dates, as a drafter's workbook would hold them.
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.date.fromisoformat(value)
    return value


# Deposits to the end of 2020 come to about $17.5 million and 2021's to a little over 10%
# of the $30 million target by 24 June 2021 (public); who gave what is illustrative.
CONTRIBUTORS = [
    ("Germany", "DEU"),
    ("Netherlands (Kingdom of the)", "NLD"),
    ("Norway", "NOR"),
    ("Sweden", "SWE"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("Denmark", "DNK"),
    ("France", "FRA"),
    ("Ireland", "IRL"),
    ("Spain", "ESP"),
    ("Portugal", "PRT"),
    ("Mexico", "MEX"),
    ("Philippines", "PHL"),
    ("Thailand", "THA"),
    ("Bangladesh", "BGD"),
    ("Cyprus", "CYP"),
    ("Azerbaijan", "AZE"),
]
DEPOSITS_BY_YEAR = {
    2019: 6_200_000,
    2020: 11_300_000,
    2021: 3_150_000,
    2022: 11_800_000,
    2023: 14_600_000,
    2024: 13_900_000,
    2025: 10_400_000,
    2026: 7_250_000,
}


def _contributions(rng: random.Random) -> list[list]:
    rows = []
    for year, total in DEPOSITS_BY_YEAR.items():
        givers = sorted(rng.sample(range(len(CONTRIBUTORS)), 6 if year == 2021 else 9))
        weights = [rng.randint(1, 10) for _ in givers]
        left = total
        for i, (g, w) in enumerate(zip(givers, weights, strict=True)):
            amount = left if i == len(givers) - 1 else round(total * w / sum(weights), -4)
            left -= amount
            name, iso3 = CONTRIBUTORS[g]
            commitment = amount + (round(amount * 0.2, -4) if year == 2026 else 0)
            rows.append([name, iso3, year, f"{commitment:.2f}", f"{amount:.2f}"])
    rows.append(["Private sector and individuals", "", 2022, "125000.00", "125000.00"])
    return rows


def _programmes(rng: random.Random) -> list[list]:
    rows = []
    for pid, title, countries, area, approved in EARLY_PROGRAMMES:
        rows.append(_programme(rng, pid, title, countries, area, approved))
    later = sorted(REGION_COUNTRIES["ECA"] + REGION_COUNTRIES["ESCAP"] + REGION_COUNTRIES["ECLAC"])
    for i in range(10, 40):
        approved = _day(rng, "2021-07-01", "2026-10-31")
        area = (i % THEMATIC_AREAS) + 1
        countries = ";".join(sorted(rng.sample(later, rng.choice([1, 1, 2]))))
        title = f"Joint programme on {OBJECTIVE_LABELS[rng.randrange(23)]} (illustrative)"
        rows.append(_programme(rng, f"MIG-JP-{i:03d}", title, countries, area, approved))
    return sorted(rows, key=lambda r: r[5])


def _programme(rng, pid, title, countries, area, approved) -> list:
    start = dt.date.fromisoformat(approved) + dt.timedelta(days=rng.randint(14, 60))
    end = start + dt.timedelta(days=365 * rng.choice([2, 3]))
    orgs = ";".join(["IOM"] + sorted(rng.sample(ORGANIZATIONS[1:], rng.randint(1, 3))))
    budget = rng.choice([1_500_000, 2_000_000, 2_500_000, 3_000_000])
    today = dt.date(2026, 11, 1)
    status = "ongoing" if end > today else ("operationally closed" if end.year >= 2025 else "financially closed")
    if start > today:
        status = "approved"
    return [pid, title, countries, area, orgs, approved, start.isoformat(), end.isoformat(), f"{budget:.2f}", status]


def _transfers(rng: random.Random, programmes: list[list]) -> list[list]:
    rows = []
    for pid, _title, _c, _a, orgs, approved, _s, end, budget, _status in programmes:
        orgs = orgs.split(";")
        years = list(range(int(approved[:4]), min(int(end[:4]), 2026) + 1))
        share = float(budget) / len(orgs)
        for org in orgs:
            first = round(share * 0.6, 2)
            for k, year in enumerate(years[:2]):
                funded = first if k == 0 else round(share - first, 2)
                spent = round(funded * rng.uniform(0.55, 0.95), 2)
                rows.append([pid, org, year, f"{funded:.2f}", f"{spent:.2f}"])
    return rows


def _concept_notes(rng: random.Random, programmes: list[list]) -> list[list]:
    # By 24 June 2021: 97 received, 9 funded, 32 in the pipeline of which 10 prioritized (public).
    early = ["funded"] * 9 + ["prioritized"] * 10 + ["positively assessed"] * 22 + ["received"] * 6
    early += ["not retained"] * (97 - len(early))
    rng.shuffle(early)
    funded_early = iter(p for p in programmes if p[0] <= "MIG-JP-009")
    later_programmes = iter(p for p in programmes if p[0] > "MIG-JP-009")
    everywhere = sorted(c for cs in REGION_COUNTRIES.values() for c in cs)
    rows = []
    for i, status in enumerate(early, start=1):
        submitted = _day(rng, "2019-09-01", "2021-06-24")
        if status == "funded":
            p = next(funded_early)
            submitted = min(submitted, (dt.date.fromisoformat(p[5]) - dt.timedelta(days=45)).isoformat())
            rows.append([f"CN-{i:04d}", submitted, p[2], p[3], status, p[0]])
        else:
            countries = ";".join(sorted(rng.sample(everywhere, rng.choice([1, 1, 2]))))
            rows.append([f"CN-{i:04d}", submitted, countries, rng.randint(1, 5), status, ""])
    for i, p in enumerate(later_programmes, start=len(rows) + 1):
        submitted = (dt.date.fromisoformat(p[5]) - dt.timedelta(days=rng.randint(40, 120))).isoformat()
        submitted = max(submitted, "2021-06-25")
        rows.append([f"CN-{i:04d}", submitted, p[2], p[3], "funded", p[0]])
    for i in range(len(rows) + 1, len(rows) + 61):
        status = rng.choice(["received", "positively assessed", "prioritized", "not retained", "not retained"])
        countries = ";".join(sorted(rng.sample(everywhere, rng.choice([1, 1, 2]))))
        rows.append([f"CN-{i:04d}", _day(rng, "2021-06-25", "2026-10-31"), countries, rng.randint(1, 5), status, ""])
    return sorted(rows, key=lambda r: r[0])


def _networks(rng: random.Random) -> list[list]:
    rows = []

    def add(iso3: str, established: str, closed: str = "") -> None:
        rows.append(
            [f"NET-{iso3}", "country", iso3, f"UN Network on Migration in {un_name(iso3)}", established, closed]
        )

    for iso3 in NETWORKS_EARLY_CHAMPIONS + NETWORKS_EARLY_OTHERS:
        early = _day(rng, "2019-03-01", "2021-03-31")  # drawn for every one, so that later draws stay as they were
        add(iso3, SPRING_DATES.get(iso3, early))
    for iso3 in NETWORKS_SPRING_2021:
        add(iso3, _day(rng, "2021-04-01", "2021-06-24"))
    add("VEN", "2020-05-12", "2021-06-24")
    for iso3 in NETWORKS_LATER:
        add(iso3, _day(rng, "2021-06-25", "2026-09-30"))
    rows.append(
        [
            "NET-LBN-2",
            "country",
            "LBN",
            "Beirut migration working group (merged into NET-LBN)",
            "2019-06-01",
            "2020-01-31",
        ]
    )
    for nid, name, established, closed in REGIONAL_NETWORKS:
        rows.append([nid, "regional", "", name, established, closed])
    return sorted(rows, key=lambda r: r[0])


def _csv(path: Path, table: str, rows: list[list]) -> None:
    """A CSV of one contract table, its header the contract's own columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TABLES[table].column_names)
        writer.writerows(rows)


if __name__ == "__main__":
    build(BUNDLED_SOURCES)
