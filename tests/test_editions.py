"""Report editions: the calendar's sg_report rows as Dagster partitions, each drafted as of its cut-off
and compared with the previous one; the masthead follows the edition."""

import datetime as dt

import dagster as dg
import docx
import pyarrow.parquet as pq
import pytest

from assets.partitions import EDITIONS, editions_of, sync_editions
from assets.resources import DATES_TAG, Settings
from pipeline.catalogue import FIGURES
from pipeline.catalogue.model import BY_YEAR
from pipeline.contract import warnings_for
from pipeline.editions import UNSCHEDULED, Dates, edition_for, editions_from, find, previous
from pipeline.languages import un_style
from pipeline.languages.un_style import ordinal
from tests.conftest import SAMPLE, materialise


def report_row(day: str, cutoff: str | None = None, kind: str = "sg_report") -> dict:
    return {"date": dt.date.fromisoformat(day), "kind": kind, "title": f"Report {day}", "tentative": "no"} | (
        {"data_cutoff": dt.date.fromisoformat(cutoff)} if cutoff else {}
    )


def test_editions_from_the_calendar_and_their_cutoffs():
    rows = [report_row("2026-02-10", "2025-12-31"), report_row("2022-02-22"), report_row("2022-05-17", kind="imrf")]
    editions = editions_from(rows)
    assert [(e.key, e.cutoff) for e in editions] == [
        ("2022", dt.date(2022, 1, 25)),  # 4 weeks before the due date by default
        ("2026", dt.date(2025, 12, 31)),  # the calendar's own cut-off
    ]
    assert edition_for(editions, dt.date(2021, 6, 24)).key == "2022"
    assert edition_for(editions, dt.date(2022, 1, 26)).key == "2026"
    assert edition_for(editions, dt.date(2026, 11, 23)).key == UNSCHEDULED
    assert previous(editions, find(editions, "2026")).key == "2022" and previous(editions, editions[0]) is None
    # Two reports due in one year are told apart by their dates.
    assert [e.key for e in editions_from([report_row("2026-02-10"), report_row("2026-10-01")])] == [
        "2026-02-10",
        "2026-10-01",
    ]
    assert [ordinal(n) for n in (76, 80, 81, 101)] == [
        "Seventy-sixth",
        "Eightieth",
        "Eighty-first",
        "One hundred and first",
    ]
    with pytest.raises(ValueError, match=r"no report edition '2024' in the calendar .*editions: 2022, 2026"):
        find(editions, "2024")


def test_a_calendar_row_added_or_moved_adds_or_moves_the_partition(sample_copy, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    settings = Settings(sources=str(sample_copy), data=str(tmp_path / "data"))
    assert sync_editions(instance, editions_of(settings)) == ["2022", "2026", "2030"]
    calendar = sample_copy / "calendar.csv"
    text = calendar.read_text().replace("2030-02-12,sg_report", "2031-02-11,sg_report")
    calendar.write_text(text + "2034-02-14,sg_report,Report for the fourth Forum,yes,2033-12-31\n")
    sync_editions(instance, editions_of(settings))
    assert instance.get_dynamic_partitions(EDITIONS.name) == ["2022", "2026", "2031", "2034"]
    # A draft dated past every cut-off is of the next report, not yet in the calendar.
    assert sync_editions(instance, editions_of(settings), also=(UNSCHEDULED,))[-1] == UNSCHEDULED
    assert find(editions_of(settings), "2034").cutoff == dt.date(2033, 12, 31)


def figures_of(result) -> dict:
    made = result.asset_materializations_for_node("key_figures")[0].metadata
    return {row["figure"]: (row["value"], row["previous_value"]) for row in made["figures"].value}


DERIVED = ["key_figures", "report_tables", "draft_report"]


def test_every_edition_backfilled_each_as_of_its_cutoff_and_compared_with_the_previous(published_copy, sample_copy):
    """From the published sample: each edition is derived and drafted as of its cut-off (what a backfill adds to
    a run of the sources)."""
    data, drafts = published_copy / "data", published_copy / "drafts"
    instance = dg.DagsterInstance.ephemeral()
    # The first also re-ingests the Champions, whose warnings are judged on the same day as the figures.
    runs = {
        key: materialise(sample_copy, data, drafts, as_of="", edition=key, instance=instance, selection=selection)
        for key, selection in (("2022", [*DERIVED, "champions"]), ("2026", DERIVED))
    }
    assert all(r.success for r in runs.values())
    for key, cutoff in (("2022", dt.date(2022, 1, 25)), ("2026", dt.date(2026, 1, 13))):
        dates = Dates.from_json(instance.get_run_by_id(runs[key].run_id).tags[DATES_TAG])
        assert (dates.edition.key, dates.as_of) == (key, cutoff)
    evaluations = runs["2022"].get_asset_check_evaluations()
    warned = next(
        c for c in evaluations if c.asset_key.path == ["champions"] and c.severity == dg.AssetCheckSeverity.WARN
    )
    champions = figures_of(runs["2022"])
    without = champions["champion_countries"][0] - champions["champion_countries_with_network"][0]
    (says,) = [w.says for w in warnings_for("champions")]
    assert f"{says} ({without:.0f} rows)" in warned.description
    records = instance.fetch_materializations(dg.AssetKey("draft_report"), limit=10).records
    partitions = {r.asset_materialization.partition for r in records}
    assert partitions == {"2022", "2026"}
    first, second = figures_of(runs["2022"]), figures_of(runs["2026"])
    assert {previous for _, previous in first.values()} == {None}  # the first edition has none before it
    # The later edition's earlier column is what the earlier edition stated (its draft was made here), but for
    # the flows by year: the earlier report, as of 25 January 2022, held part of 2022; they count to end-2021.
    yearly = {name for name, figure in FIGURES.items() if figure.grain == BY_YEAR}
    stated = {name: now for name, (now, _) in first.items() if name not in yearly}
    assert stated == {name: previous for name, (_, previous) in second.items() if name not in yearly}
    # An edition's figures are those of a run as of its cut-off.
    ad_hoc = materialise(sample_copy, data, drafts, as_of="2026-01-13", instance=instance, selection=["key_figures"])
    assert {name: now for name, (now, _) in figures_of(ad_hoc).items()} == {n: v for n, (v, _) in second.items()}
    kept = pq.read_table(data / "warehouse/editions/2022/key_figures.parquet").to_pylist()
    assert {row["as_of"] for row in kept} == {dt.date(2022, 1, 25)}
    # The draft of the second edition states both values and the change, in UN style; its masthead is its own.
    document = docx.Document(str(drafts / "SG-report-draft-2026-01-13.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert [c.text for c in document.tables[0].rows[0].cells] == ["United Nations", "A/80/xxx"]
    assert "Eightieth session" in text  # dated 13 January 2026, in the session opened on 9 September 2025
    # Its reviews chapter separates the cycle under review from the previous one.
    # Year ranges with an en dash, numbers under 10 in words (the Editorial Manual), whatever the data write.
    assert "In the cycle under review (2024–2025), five reviews were held" in text and "In the 2020–2021 cycle" in text
    cycles = next(table for table in document.tables if table.rows[0].cells[0].text == "Cycle")
    assert [row.cells[0].text for row in cycles.rows[1:]] == ["2020–2021", "2024–2025 (under review)"]
    networks_then, networks_now = second["country_networks"][1], second["country_networks"][0]
    assert f"from {networks_then:.0f} to {networks_now:.0f} country networks" in text
    compared = document.tables[-1]
    assert [c.text for c in compared.rows[0].cells] == [
        "Key figure",
        "Previous report (as of 25 January 2022)",
        "This report (as of 13 January 2026)",
        "Change",
    ]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in compared.rows[1:]}
    deposits_then, deposits_now = second["mptf_deposits_total_usd"][1], second["mptf_deposits_total_usd"][0]
    # The baseline of a flow by year is said in its own cell; the change is that of the two amounts shown.
    assert rows["Deposits to the Fund, cumulative"] == [
        f"{un_style.usd(deposits_then)} (to the end of 2021)",
        un_style.usd(deposits_now),
        un_style.change(deposits_now, deposits_then, "usd"),
    ]
    # The year's deposits as of 13 January 2026 are 2026's so far: named so, and not compared with 2021's.
    assert rows["Deposits for the year"] == [
        "$3.2 million (2021)",
        f"{un_style.usd(second['mptf_deposits_year_usd'][0])} (1–13 January 2026)",
        "not comparable",
    ]
    # The year's target is set ahead of its year: the earlier report's was 2022's, compared as of each date.
    assert rows["Capitalization target for the year"] == ["$30 million (2022)", "$30 million (2026)", "unchanged"]
    # The Summary compares deposits with their total at the end of the last year the earlier report had ended.
    moved = un_style.change(deposits_now, deposits_then, "usd").removeprefix("up ")
    assert (
        f"Deposits had risen by {moved} since the end of 2021, when they stood at {un_style.usd(deposits_then)}."
        in text
    )
    # The annex says on what basis the Fund's yearly flows are compared, and what the year in course covers.
    assert (
        "The Fund’s contributions and transfers, which are recorded by calendar year, are compared as of 31 December "
        "2021, the end of the last year ended by 25 January 2022. A figure for the year in course covers 1 January to "
        "13 January 2026 and is not compared with the whole of an earlier year." in text
    )
    # The annex opens with a sentence naming both reports, the earlier by its date and symbol.
    assert (
        "The table below compares the key figures of the present report, counted as of 13 January 2026, with "
        "those stated in the report of 22 February 2022 (A/76/xxx), counted as of 25 January 2022." in text
    )
    # Last: a run as of 31 December 2021 rewrites the 2022 edition's figures.
    end_2021 = figures_of(
        materialise(sample_copy, data, drafts, as_of="2021-12-31", instance=instance, selection=["key_figures"])
    )
    assert {n: second[n][1] for n in yearly} == {n: end_2021[n][0] for n in yearly}
    assert second["mptf_deposits_year_usd"][1] == 3_150_000  # 2021's deposits, not January 2022's partial year


def test_the_previous_report_is_compared_as_it_was_stated_not_as_counted_again(published_copy, sample_copy):
    """The 2022 edition drafted, then a country network of 2021 added to the sources, then the 2026 edition
    drafted: its earlier column says what the 2022 report stated (53), not today's count (54); redrafting 2022
    after the change does not move that record."""
    data, drafts, instance = published_copy / "data", published_copy / "drafts", dg.DagsterInstance.ephemeral()
    assert materialise(sample_copy, data, drafts, "", instance=instance, edition="2022").success
    networks = sample_copy / "country_networks/country_networks.csv"
    networks.write_text(networks.read_text() + "NET-ISL,country,ISL,UN Network on Migration in Iceland,2021-05-04,\n")
    again = materialise(sample_copy, data, drafts, "", instance=instance, edition="2022")  # a redraft
    assert again.success
    # The issued record stays that of the first draft as of its cut-off, and the UI is told so.
    drafted = next(
        m for m in again.asset_materializations_for_node("draft_report") if m.asset_key == dg.AssetKey("draft_report")
    )
    kept = sorted((data / "drafts/2022").glob("key_figures-*.parquet"))
    as_of_cutoff = [p for p in kept if str(pq.read_table(p, columns=["as_of"]).column(0)[0]) == "2022-01-25"]
    assert len(as_of_cutoff) == 2 and drafted.tags["sgr/edition_state"] == "issued"
    assert drafted.metadata["Issued record"].text == (
        f"issued: the key figures kept at {as_of_cutoff[0].name} stand as the report issued, whatever is redrafted "
        "since"
    )
    later = materialise(sample_copy, data, drafts, "", instance=instance, edition="2026")
    assert later.success
    assert figures_of(later)["country_networks"][1] == 53  # as stated; counted now it would be 54
    compared = docx.Document(str(drafts / "SG-report-draft-2026-01-13.docx")).tables[-1]
    assert [c.text for c in compared.rows[0].cells][1] == "Previous report (as of 25 January 2022)"


def test_the_june_2021_briefing_compared_with_march(published_copy, sample_copy):
    """The Network Coordinator's June 2021 briefing: from 45 to 52 country networks, from 20 to 23 Champions."""
    result = materialise(sample_copy, published_copy / "data", published_copy / "drafts", compare_with="2021-03-31")
    figures = figures_of(result)
    assert figures["country_networks"] == (52, 45) and figures["champion_countries"] == (23, 20)
    # No report was issued on 31 March 2021: the column is a count made now, and the flows by year count to the
    # end of 2020, so that 2021's deposits show as a change rather than "unchanged".
    document = docx.Document(str(published_copy / "drafts/SG-report-draft-2021-06-24.docx"))
    compared = document.tables[-1]
    assert [c.text for c in compared.rows[0].cells][1] == "As counted now for 31 March 2021"
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in compared.rows[1:]}
    assert rows["Country networks"] == ["45", "52", "up 7"] and rows["Champion countries"] == ["20", "23", "up 3"]
    assert rows["Deposits to the Fund, cumulative"][0].endswith(" (to the end of 2020)")
    assert rows["Deposits to the Fund, cumulative"][2].startswith("up $")
    # 2021's deposits so far are not compared with the whole of 2020's.
    assert rows["Deposits for the year"] == [
        "$11.3 million (2020)",
        "$3.2 million (1 January–24 June 2021)",
        "not comparable",
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    # The Summary's deposits since the end of 2020 (about $17.5 million, as the June 2021 briefing said).
    assert "Deposits had risen by $3.2 million since the end of 2020, when they stood at $17.5 million." in text
    assert "with the same figures counted from the present sources as of 31 March 2021." in text
    annex = "\n".join(p.text for p in document.paragraphs).split("Key figures in this report and in the previous one")[
        1
    ]
    assert "_" not in annex and "_" not in "".join(c.text for row in compared.rows for c in row.cells)


def test_changes_in_un_style():
    assert un_style.change(30_000_000, 17_700_000, "usd") == "up $12.3 million"
    # A change agrees with the figures as printed: 74.9 to 73.4 per cent, $3.2 to $13.9 million.
    assert un_style.change(0.734, 0.7494, "percent") == "down 1.5 percentage points"
    assert un_style.change(13_940_000, 3_150_000, "usd") == "up $10.7 million"
    assert un_style.change(0.7491, 0.7494, "percent") == "unchanged"
    assert un_style.change(1_200_000, 850_000, "usd") == "up $350,000"
    assert un_style.change(45, 52, "count") == "down 7"
    assert un_style.change(0.749, 0.7, "percent") == "up 4.9 percentage points"
    assert un_style.change(3, 3, "count") == "unchanged"
    assert un_style.change(0.5, None, "percent") == "not stated in the previous report"
    assert un_style.change(None, 2, "number") == "no longer stated"


def test_sgr_draft_refuses_an_edition_not_in_the_calendar(tmp_path):
    from runtime.cli import main

    code = main(["draft", "--sources", str(SAMPLE), "--data", str(tmp_path / "d"), "--edition", "2024"])
    assert code == 2


def test_a_run_without_an_edition_says_how_to_launch_it_and_publishes_nothing(published_copy, sample_copy):
    from assets.definitions import defs

    data = published_copy / "data"
    before = {p: p.read_bytes() for p in (data / "warehouse").glob("*.parquet")}
    config = {"sources": str(sample_copy), "data": str(data), "reports": str(published_copy / "drafts")}
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"resources": {"settings": {"config": config | {"as_of": "2021-06-24"}}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == "key_figures")
    assert "key_figures is partitioned by report edition: launch the run with an edition of calendar.csv" in (
        failure.step_failure_data.user_failure_data.description
    )
    # The publication this run made is undone: the published tables are those of the last draft.
    assert {p: p.read_bytes() for p in (data / "warehouse").glob("*.parquet")} == before
