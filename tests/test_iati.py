"""IATI activity files as a source of the Fund's transfers: read, checked, mapped to joint programmes and
counted, from a file written here and from the IATI Standard's own annotated 2.03 example
(tests/fixtures/iati/, with its source). The figures are counted through the real stages without Dagster
(stage, validate with Great Expectations, publish, derive); one Dagster run drafts the dossier."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from docx import Document

from assets.ingest.source_sensors import family_files
from pipeline.catalogue import FIGURES, columns_read, compute_key_figures, read_inputs
from pipeline.contract import MPTF, TABLES
from pipeline.ingestion import stage_table
from pipeline.limits import limits
from pipeline.paths import dossier_file, draft_file
from pipeline.publishing import NotPublishable, publish
from pipeline.readers import find_sources, read_sources
from pipeline.store import Store
from pipeline.validation.table_checks import check_contract, check_table_warnings
from tests.conftest import SAMPLE, materialise, write

FIXTURES = Path(__file__).parent / "fixtures" / "iati"
FUND_NAME = "Start-up Fund for safe, Orderly and Regular Migration"  # as UNDP's Guinea activity writes it
UNDP = "XM-DAC-41114"
FUNDED = "XM-DAC-41114-PROJECT-00123456"
OTHER = "XM-DAC-41114-PROJECT-00999999"
D = dt.date(2021, 6, 24)


def transaction(kind: int, amount: float, day: str | None, currency: str | None = None, provider: str = "") -> str:
    value_date = f' value-date="{day}"' if day else ""
    currency = f' currency="{currency}"' if currency else ""
    return f"""
   <transaction>
    <transaction-type code="{kind}"/>
    <transaction-date iso-date="{day or "2021-01-01"}"/>
    <value{currency}{value_date}>{amount}</value>{provider}
   </transaction>"""


FROM_FUND = f'\n    <provider-org ref="MIG00"><narrative>{FUND_NAME.upper()}</narrative></provider-org>'


def activity(identifier: str, funder: str, transactions: str, title: str = "Migration governance in Guinea") -> str:
    return f"""
 <iati-activity default-currency="USD" dstore:dataset="undp-gn" iati-extra:version="2.03">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="{UNDP}" type="40"><narrative>United Nations Development Programme</narrative></reporting-org>
  <title><narrative>{title}</narrative><narrative xml:lang="fr">Gouvernance des migrations</narrative></title>
  <participating-org role="1" type="40"><narrative>{funder}</narrative></participating-org>
  <participating-org ref="{UNDP}" role="4" type="40"><narrative>UNDP</narrative></participating-org>{transactions}
 </iati-activity>"""


def iati_file(*activities: str, version: str = "2.03") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="{version}" generated-datetime="2024-05-01T00:00:00Z"\n'
        '  xmlns:dstore="http://d-portal.org/xmlschema/dstore"\n'
        '  xmlns:iati-extra="http://datastore.iatistandard.org/ns">' + "".join(activities) + "\n</iati-activities>\n"
    )


# Types 1 (from the Fund, in USD by the activity's default), 11, 2 and 4 (with its own currency attribute).
FUNDED_TRANSACTIONS = (
    transaction(1, 250000, "2020-12-31", provider=FROM_FUND)
    + transaction(11, 500000, "2020-11-30", provider=FROM_FUND)
    + transaction(2, 100000, "2021-01-15")
    + transaction(4, 180000.5, "2021-05-31", currency="USD")
)
GUINEA = iati_file(
    activity(FUNDED, FUND_NAME.lower(), FUNDED_TRANSACTIONS),
    activity(OTHER, "Government of Somewhere", transaction(1, 999999, "2020-06-30") + transaction(4, 5, "2020-07-01")),
)


def rows_of(root: Path):
    reading = read_sources(find_sources(root, TABLES["iati_transactions"]), TABLES["iati_transactions"])
    return reading, reading.rows.to_pylist()


def problems(root: Path) -> list[str]:
    return [str(p) for p in rows_of(root)[0].problems]


def test_a_file_gives_every_transaction_of_the_activities_the_fund_funds(tmp_path):
    write(tmp_path / "mptf/undp-guinea.xml", GUINEA)
    reading, rows = rows_of(tmp_path)
    assert reading.problems == []
    assert [(r["transaction_number"], r["transaction_type"], r["value_usd"], r["from_fund"]) for r in rows] == [
        (1, 1, 250000.0, "yes"),
        (2, 11, 500000.0, "yes"),
        (3, 2, 100000.0, "no"),
        (4, 4, 180000.5, "no"),
    ]
    first = rows[0]
    assert first["iati_identifier"] == FUNDED and first["organization"] == "UNDP"
    assert first["activity_title"] == "Migration governance in Guinea"
    assert first["value_date"] == dt.date(2020, 12, 31)
    assert first["source_file"] == "mptf/undp-guinea.xml"
    lines = GUINEA.splitlines()
    assert [lines[r["source_line"] - 1].strip() for r in rows] == ["<transaction>"] * 4
    assert reading.files[0].note == "2 activities: 1 funded by the Fund, 1 not funded by the Fund (not read)"


def test_the_sensors_watch_iati_files_as_sources_of_the_mptf_family(tmp_path):
    path = write(tmp_path / "mptf/undp-guinea.xml", GUINEA)
    assert path in family_files(tmp_path, MPTF)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            iati_file(activity(FUNDED, FUND_NAME, ""), version="1.05"),
            "mptf/a.xml line 4, column version: value '1.05' — IATI version 1.05: only IATI activity files of "
            "versions 2.01 to 2.03 are read; export the activities again in version 2.03",
        ),
        (
            GUINEA[: GUINEA.index("<value", GUINEA.index('code="4"'))],
            "mptf/a.xml line 31 — not well-formed XML (Premature end of data in tag transaction line 28): is the "
            "file whole?",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
            + GUINEA.split("\n", 1)[1].replace("Migration governance", "&lol2;"),
            "mptf/a.xml line 1 — a document type declaration (<!DOCTYPE>, where entities are declared) is refused: "
            "IATI files have none",
        ),
        (
            iati_file(activity(FUNDED, FUND_NAME, transaction(1, 10, None, provider=FROM_FUND))),
            f"mptf/a.xml line 14, column value_date — activity {FUNDED}, transaction 1: the value has no "
            "value-date, which IATI requires: the year its money counts in",
        ),
        (
            iati_file(
                activity(FUNDED, FUND_NAME, transaction(4, 10, "2021-01-01") + transaction(99, 10, "2021-01-01"))
            ),
            f"mptf/a.xml line 17, column transaction_type: value '99' — activity {FUNDED}, transaction 2: "
            "transaction type 99 is not a code of IATI's TransactionType list (1 to 13)",
        ),
        (
            iati_file(activity(FUNDED, FUND_NAME, transaction(4, 10, "2021-01-01", currency="EUR"))),
            f"mptf/a.xml line 14, column value_usd: value '10' — activity {FUNDED}, transaction 1: the value is in "
            "EUR (neither the value nor the activity names US dollars); the contract is in US dollars",
        ),
        (
            iati_file(activity(FUNDED, FUND_NAME, "").replace(f'ref="{UNDP}" type', 'ref="XM-DAC-99999" type')),
            f"mptf/a.xml line 7, column organization: value 'XM-DAC-99999' — activity {FUNDED}: its reporting "
            "organization XM-DAC-99999 (United Nations Development Programme) is not in the identifier table of "
            "pipeline/contract/iati.toml: add it with the name transfers.organization uses",
        ),
        (
            '<iati-organisations version="2.03"/>',
            "mptf/a.xml line 1 — not an IATI activity file: its root element is <iati-organisations>, not "
            "<iati-activities>",
        ),
    ],
    ids=[
        "version-1",
        "truncated",
        "entities",
        "no-value-date",
        "unknown-type",
        "not-usd",
        "unknown-org",
        "not-activities",
    ],
)
def test_a_bad_file_is_named_with_its_line_and_activity(tmp_path, content, message):
    write(tmp_path / "mptf/a.xml", content)
    assert message in problems(tmp_path)
    assert rows_of(tmp_path)[1] == []


def test_the_standards_own_example_is_read(tmp_path):
    """The IATI Standard's annotated 2.03 example: one activity, funded by another organization, in euros."""
    example = (FIXTURES / "iati-activities-example-2.03.xml").read_text(encoding="utf-8")
    write(tmp_path / "mptf/example.xml", example)
    reading, rows = rows_of(tmp_path)
    assert reading.problems == [] and rows == []
    assert reading.files[0].note == "1 activity: 0 funded by the Fund, 1 not funded by the Fund (not read)"
    # Funded by the Fund and reported by UNDP, its transactions in euros are refused, each by activity and place.
    funded = example.replace('ref="BB-BBB-123456789" role="1"', 'ref="MIG00" role="1"')
    write(
        tmp_path / "mptf/example.xml",
        funded.replace('<reporting-org ref="AA-AAA-123456789"', f'<reporting-org ref="{UNDP}"'),
    )
    said = problems(tmp_path)
    assert said and all("the contract is in US dollars" in p for p in said)
    assert "activity AA-AAA-123456789-ABC123, transaction 1" in said[0]


# The stages themselves, on the bundled sample with an IATI file added.


def published_store(sources: Path, data: Path) -> Store:
    """Stage every table, validate it (contract and warnings, as of D) and publish the set, as a run does."""
    store = Store(data)
    for table in TABLES.values():
        stage_table(store, sources, table, "test")
    for table in TABLES.values():
        check_contract(store, table, "test")
        check_table_warnings(store, table, "test", D)
    publish(store)
    return store


def figures(store: Store, as_of: dt.date = D) -> dict:
    frames = read_inputs(store, "2022", columns_read(FIGURES.values()))
    return {r["figure"]: r for r in compute_key_figures(frames, as_of).to_pylist()}


MONEY = ("mptf_net_funded_usd", "mptf_expenditure_usd")


@pytest.fixture(scope="module")
def sample_figures(tmp_path_factory):
    return figures(published_store(SAMPLE, tmp_path_factory.mktemp("sample") / "data"))


@pytest.fixture
def with_guinea(tmp_path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(SAMPLE, sources)
    write(sources / "mptf/iati/undp-guinea.xml", GUINEA)
    return sources


def warnings_of(store: Store, table: str) -> list[str]:
    results = store.published.read("validation_results").to_pylist()
    return [e for r in results if r["table"] == table and r["severity"] == "warning" for e in r["examples"]]


def test_an_unmapped_activity_is_a_warning_and_counts_nothing(with_guinea, tmp_path, sample_figures):
    store = published_store(with_guinea, tmp_path / "data")
    assert {name: figures(store)[name]["value"] for name in MONEY} == {
        name: sample_figures[name]["value"] for name in MONEY
    }
    assert warnings_of(store, "iati_transactions") == [
        f"mptf/iati/undp-guinea.xml line 11, column iati_identifier: value '{FUNDED}' — “Migration governance in "
        "Guinea” is funded by the Fund but not mapped to a joint programme in iati_activities: its money is not "
        "counted"
    ]


def test_a_mapped_activity_adds_its_incoming_funds_and_expenditure_from_their_dates(
    with_guinea, tmp_path, sample_figures
):
    write(with_guinea / "mptf/iati_activities.csv", f"iati_identifier,programme_id\n{FUNDED},MIG-JP-005\n")
    store = published_store(with_guinea, tmp_path / "data")
    now = figures(store)
    before = {name: sample_figures[name]["value"] for name in MONEY}
    assert now["mptf_net_funded_usd"]["value"] == pytest.approx(before["mptf_net_funded_usd"] + 250000)
    assert now["mptf_expenditure_usd"]["value"] == pytest.approx(before["mptf_expenditure_usd"] + 180000.5)
    assert "mptf/iati/undp-guinea.xml" in now["mptf_net_funded_usd"]["source_files"]
    assert warnings_of(store, "iati_transactions") == []
    # As of a day before the expenditure's value date (31 May 2021), in the same year, it is not counted yet.
    earlier = figures(store, dt.date(2021, 5, 30))
    sample_earlier = figures(published_store(SAMPLE, tmp_path / "sample"), dt.date(2021, 5, 30))
    assert earlier["mptf_expenditure_usd"]["value"] == pytest.approx(sample_earlier["mptf_expenditure_usd"]["value"])
    assert earlier["mptf_net_funded_usd"]["value"] == pytest.approx(
        sample_earlier["mptf_net_funded_usd"]["value"] + 250000
    )


def test_a_mapping_to_an_activity_no_file_gives_is_a_warning(with_guinea, tmp_path):
    write(
        with_guinea / "mptf/iati_activities.csv",
        f"iati_identifier,programme_id\n{FUNDED},MIG-JP-005\nXM-X-1,MIG-JP-001\n",
    )
    store = published_store(with_guinea, tmp_path / "data")
    assert warnings_of(store, "iati_activities") == [
        "mptf/iati_activities.csv line 3, column iati_identifier: value 'XM-X-1' — no IATI file read gives a "
        "transaction of this activity (mapped to MIG-JP-001): nothing of it is counted"
    ]


def test_the_same_programme_organization_and_year_in_both_sources_is_an_error_naming_both(with_guinea, tmp_path):
    write(with_guinea / "mptf/iati_activities.csv", f"iati_identifier,programme_id\n{FUNDED},MIG-JP-001\n")
    with open(with_guinea / "mptf/transfers.csv", "a", encoding="utf-8") as transfers:
        transfers.write("MIG-JP-001,UNDP,2020,1000.00,0.00\n")
    lines = (with_guinea / "mptf/transfers.csv").read_text().splitlines()
    with pytest.raises(NotPublishable, match="iati_transactions: blocking rules failed"):
        published_store(with_guinea, tmp_path / "data")
    store = Store(tmp_path / "data")
    checked = check_contract(store, TABLES["iati_transactions"], "test")
    assert [e for f in checked.failed for e in f["examples"]] == [
        f"mptf/iati/undp-guinea.xml line 11, column iati_identifier: value '{FUNDED}' — mapped to MIG-JP-001 "
        f"(mptf/iati_activities.csv line 2), but mptf/transfers.csv line {len(lines)} already gives MIG-JP-001's "
        "transfers to UNDP in 2020: give that year's money in one source only, or remove the mapping"
    ]


def test_expenditure_of_an_activity_others_fund_too_is_a_warning(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SAMPLE, sources)
    belgium = '<participating-org ref="BE-10" role="1" type="10"><narrative>Government of Belgium</narrative></participating-org>'
    write(
        sources / "mptf/iati.xml",
        iati_file(
            activity(FUNDED, FUND_NAME, FUNDED_TRANSACTIONS).replace(
                "<participating-org ref", belgium + "<participating-org ref", 1
            )
        ),
    )
    write(sources / "mptf/iati_activities.csv", f"iati_identifier,programme_id\n{FUNDED},MIG-JP-005\n")
    store = published_store(sources, tmp_path / "data")
    assert warnings_of(store, "iati_transactions") == [
        f"mptf/iati.xml line 28, column iati_identifier: value '{FUNDED}' — mapped to MIG-JP-005 and funded also by "
        "Government of Belgium: its expenditure (type 4), counted whole, is the activity's, not the Fund's alone; "
        "map it only if that is what the programme spent"
    ]


def test_the_dossier_names_each_file_and_each_transaction_counted(with_guinea, tmp_path):
    """A whole Dagster run, as `sgr draft` makes it: the dossier is written by the report stage."""
    write(with_guinea / "mptf/iati_activities.csv", f"iati_identifier,programme_id\n{FUNDED},MIG-JP-005\n")
    result = materialise(with_guinea, tmp_path / "data", tmp_path / "drafts", selection=None)
    assert result.success
    dossier = Document(dossier_file(tmp_path / "drafts", D))
    paragraphs = [p.text for p in dossier.paragraphs]
    assert "mptf/iati/undp-guinea.xml: 2 activities: 1 funded by the Fund, 1 not funded by the Fund (not read)." in (
        paragraphs
    )
    (table,) = [t for t in dossier.tables if t.rows[0].cells[0].text == "File, line"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["mptf/iati/undp-guinea.xml, line 11", FUNDED, "1", "net funded", "2020-12-31", "$250,000", "MIG-JP-005"],
        ["mptf/iati/undp-guinea.xml, line 28", FUNDED, "4", "expenditure", "2021-05-31", "$180,001", "MIG-JP-005"],
    ]
    report = "\n".join(p.text for p in Document(draft_file(tmp_path / "drafts", D)).paragraphs)
    assert "IATI" not in report and "undp-guinea" not in report  # working material stays in the dossier


def test_hostile_files_are_refused_by_name_within_the_limits_of_every_source(tmp_path, monkeypatch):
    table = TABLES["iati_transactions"]
    external = GUINEA.replace(
        "<iati-activities", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<iati-activities', 1
    ).replace("Migration governance in Guinea", "&e;")
    write(tmp_path / "mptf/external.xml", external)
    monkeypatch.setenv("SGR_MAX_FIELD_KB", "1")
    write(tmp_path / "mptf/long.xml", GUINEA.replace("Migration governance in Guinea", "x" * 2000))
    monkeypatch.setenv("SGR_MAX_FILE_MB", "0.01")
    write(
        tmp_path / "mptf/large.xml",
        GUINEA.replace("</iati-activities>", "<!--" + "x" * 20_000 + "--></iati-activities>"),
    )
    reading = read_sources(find_sources(tmp_path, table), table, limits())
    assert reading.rows.num_rows == 0
    assert [str(p) for p in reading.problems] == [
        "mptf/external.xml line 1 — a document type declaration (<!DOCTYPE>, where entities are declared) is "
        "refused: IATI files have none",
        "mptf/large.xml — too large (0.022 MB; the limit is 0.01 MB, set SGR_MAX_FILE_MB to change it)",
        f"mptf/long.xml line 5, column activity_title — activity {FUNDED}: a value longer than 1 KB, "
        "the limit (set SGR_MAX_FIELD_KB to change it)",
    ]
