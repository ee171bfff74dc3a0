"""The draft read back: structure, figures, numbering, footnotes, comments, determinism, schema, rendering.
Most tests read the session's one draft of the sample; those that change the inputs redraw a copy."""

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pyarrow.parquet as pq
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from pipeline.catalogue import FIGURES
from pipeline.document import editorial
from pipeline.document import word_template as t
from pipeline.document.ooxml import COMMENT_ID_OFFSET
from pipeline.paths import dossier_file
from tests.conftest import AS_OF, SYMBOL, TEMPLATE, D, materialise

AFTER_PUBLICATION = ("key_figures", "report_tables", "draft_report")
DRAFT = f"SG-report-draft-{AS_OF}.docx"


@pytest.fixture(scope="module")
def draft(published):
    """The metadata of the draft's materialization, its path, and the folder of the data it was made from."""
    return published.summary["materializations"]["draft_report"]["metadata"], published.draft, published.root


def redraw(root: Path, sources: Path, selection=("report_tables", "draft_report"), template=None):
    """Derive the tables again and redraw, from the published tables in `root`."""
    result = materialise(sources, root / "data", root / "drafts", selection=list(selection), template=template)
    return result, root / "drafts" / DRAFT


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_masthead_header_and_footer(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    masthead = document.tables[0]
    assert [c.text for c in masthead.rows[0].cells] == ["United Nations", SYMBOL]
    assert masthead.rows[1].cells[0].text == "General Assembly"
    assert masthead.rows[1].cells[1].text.split("\n") == ["Distr.: General", "24 June 2021", "", "Original: English"]
    text = body_text(document)
    assert "Seventy-fifth session" in text and "Report of the Secretary-General" in text
    assert "Draft for review" not in text and "Next deadline" not in text  # the dossier's
    # Page 1 has no running head; from page 2 the symbol and "2/11" on the outer side, as the issued reports.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs] == [""]
    assert document.settings.odd_and_even_pages_header_footer
    for header, footer, side in [
        (section.header, section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_header, section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        assert [(p.text, p.alignment) for p in header.paragraphs] == [(SYMBOL, side)]
        assert footer.paragraphs[0].alignment == side
        assert re.search(r'w:instr=" PAGE ".*<w:t>/</w:t>.*w:instr=" NUMPAGES "', footer._element.xml, re.S)


def test_the_provisional_agenda_is_the_asterisk_footnote_of_the_agenda_item(published_copy, sample_copy, tmp_path):
    template = drafters_template(tmp_path)
    toml = template / "report.toml"
    toml.write_text(toml.read_text() + '\n[sessions."75"]\nagenda_number = "19"\nprovisional_agenda = "A/75/150"\n')
    _, path = redraw(published_copy, sample_copy, ["draft_report"], template)
    document = docx.Document(str(path))
    item = next(p for p in document.paragraphs if "of the provisional agenda" in p.text)
    assert item.text == "Item 19 of the provisional agenda*"
    reference = item._p.find(f".//{qn('w:footnoteReference')}")
    assert reference.get(qn("w:customMarkFollows")) == "1"
    footnotes = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/footnotes")).element
    note = next(n for n in footnotes.iter(qn("w:footnote")) if n.get(qn("w:id")) == reference.get(qn("w:id")))
    assert "".join(t.text for t in note.iter(qn("w:t"))) == "* A/75/150."
    settings = document.settings.element
    assert [f.get(qn("w:id")) for f in settings.find(qn("w:footnotePr"))] == ["-1", "0"]
    assert not any(name.endswith("endnotes.xml") for name in parts(path))


def test_every_key_figure_is_stated_in_un_style(draft):
    result, path, _ = draft
    text = body_text(docx.Document(str(path)))
    for sentence in [
        "four regional reviews of the Global Compact had been held, in which 108 Member States took part",
        "counted 52 country networks and four regional networks",
        "23 Member States had become Global Compact Champion countries, 14 of them with a country network",
        "deposits of $20.7 million from 14 contributors, the whole of their commitments.",
        "Deposits for 2021 stood at $3.2 million, against a capitalization target of $30 million",
        "approved nine joint programmes with a combined budget of $19.5 million, covering all five of its thematic "
        "areas",
        "of the 97 concept notes received, 32 were in the pipeline, 10 of them prioritized",
        "received $19.3 million and reported expenditure of $14.5 million",
        "that is, 10.5 per cent of the target",
        "reported expenditure of $14.5 million, a delivery rate of 74.9 per cent.",
        "which reported expenditure of $14.5 million, or 74.9 per cent of the funds transferred: the Fund’s delivery "
        "rate.",
        "four regional reviews had been held: ECE (12–13 November 2020), ESCWA (24–25 February 2021), ESCAP "
        "(10–12 March 2021) and ECLAC (26–28 April 2021).",
        "Reviews still to be held in the current cycle: ECA (31 August–1 September 2021).",
        "Of the reviews held, one took place in person or in a hybrid format",
        "The programmes covered all five thematic areas of the Fund, the largest number in thematic area 2.",
        "in each subregion; the Fund’s support does not yet reach every region.",  # no programme in Europe
        "implementation of the Global Compact is under way in the regions reviewed so far",  # ECA still to meet
        "It also responds to resolution 73/326 of 19 July 2019",
    ]:
        assert sentence in text
    assert result["Figures not stated"] == "none"


def test_chapters_and_paragraphs_are_numbered_by_the_template(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    chapters = [p.text for p in document.paragraphs if p.style.name == t.CHAPTER]
    assert chapters == [
        "Introduction",
        "Regional reviews of the Global Compact",
        "Support of the United Nations system",
        "Migration Multi-Partner Trust Fund",
        "Conclusions and recommendations",
    ]
    numbered = [p for p in document.paragraphs if p.style.name == t.PARAGRAPH]
    assert len(numbered) >= 40
    # The numbering lives on the styles, so that a paragraph a drafter adds in Word is numbered too.
    assert all(p._p.pPr.numPr is None for p in numbered)
    numbering = document.part.numbering_part.element
    for style_name, number, level, format_ in [
        (t.CHAPTER, t.HEADINGS_NUMBERING, 0, "upperRoman"),
        (t.SECTION, t.HEADINGS_NUMBERING, 1, "upperLetter"),
        (t.PARAGRAPH, t.PARAGRAPH_NUMBERING, 0, "decimal"),
    ]:
        num_pr = document.styles[style_name].element.pPr.numPr
        assert (num_pr.numId.val, num_pr.ilvl.val) == (number, level)
        abstract = numbering.xpath(f'w:abstractNum[@w:abstractNumId="{number}"]/w:lvl[@w:ilvl="{level}"]/w:numFmt')
        assert abstract[0].get(qn("w:val")) == format_
        assert numbering.xpath(f'w:num[@w:numId="{number}"]/w:abstractNumId')[0].get(qn("w:val")) == str(number)


def test_only_recommendations_are_bold_in_the_body(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    bold = [r.text for p in document.paragraphs if p.style.name == t.PARAGRAPH for r in p.runs if r.bold]
    assert len(bold) == 5 and all(text.startswith(("Member States", "The United Nations system")) for text in bold)
    conclusions = body_text(document).split("Conclusions and recommendations")[-1]
    assert all(text in conclusions for text in bold)


def test_tables_charts_and_captions(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    captions = [p.text for p in document.paragraphs if p.style.name == t.CAPTION]
    assert [c for c in captions if c.startswith("Table ")] == [f"Table {n}" for n in range(1, 7)]
    # No chart repeats a table: deposits by year and programmes by area are tables only.
    assert [c for c in captions if c.startswith("Figure ")] == ["Figure I", "Figure II"]
    assert len(document.inline_shapes) == 2
    images = [name for name in parts(path) if name.startswith("word/media/")]
    assert len(images) == 2
    described = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert described[1] == (
        "Figure II. Country networks and Global Compact Champion countries over time. 52 country networks and 23 "
        "Champion countries on 24 June 2021, from 16 and 0 at the end of 2019."
    )
    assert described[0].startswith("Figure I. Findings of the regional reviews") and "Most findings" in described[0]
    reviews = document.tables[1]
    assert [c.text for c in reviews.rows[0].cells] == [
        "Regional review",
        "Dates",
        "Venue",
        "Format",
        "Member States",
        "Stakeholders",
    ]
    assert [c.text for c in reviews.rows[1].cells][:2] == ["ECE (Europe and North America)", "12–13 November 2020"]
    # A review after the report's date: its dates only, not participants counted later.
    assert [c.text for c in reviews.rows[5].cells][1:2] + [c.text for c in reviews.rows[5].cells][-2:] == [
        "31 August–1 September 2021 (scheduled)",
        "",
        "",
    ]
    assert all(table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for table in document.tables[1:])
    transfers = next(
        table for table in document.tables if table.rows[0].cells[0].text == "Year" and len(table.columns) == 4
    )
    assert [[c.text for c in row.cells] for row in transfers.rows] == [
        ["Year", "Net funded", "Expenditure", "Delivery rate"],
        ["2020", "$9.6 million", "$6.9 million", "72.2 per cent"],
        ["2021", "$9.7 million", "$7.5 million", "77.5 per cent"],
        ["Total", "$19.3 million", "$14.5 million", ""],
    ]
    notes = [p.text for p in document.paragraphs if p.style.name == t.TABLE_NOTE]
    assert notes.count("Source: Multi-Partner Trust Fund Office.") == 4  # Tables 2 and 4 to 6: the Fund's
    assert "Source: Outcomes of the regional reviews of the Global Compact." in notes
    assert "Source: United Nations Network on Migration." in notes
    # A note says only what its table has: no "Several regions" row, no word of it.
    assert "Regions of the United Nations M49 standard." in notes and not any("Several regions" in n for n in notes)


def test_no_provenance_comments_unless_asked_and_then_one_on_each_figure(draft, published_copy, sample_copy):
    _, path, root = draft
    assert len(docx.Document(str(path)).comments) == 0  # Word would print them with the report
    result = materialise(
        sample_copy,
        published_copy / "data",
        published_copy / "drafts",
        selection=["draft_report"],
        provenance_comments="yes",
    )
    assert result.success
    document = docx.Document(str(published_copy / "drafts" / DRAFT))
    comments = {c.comment_id: c.text for c in document.comments}
    assert len(comments) >= 40
    networks = next(text for text in comments.values() if text.startswith("country_networks = 52,"))
    sha = pq.read_table(root / "data/warehouse/source_files.parquet").to_pylist()
    sha = next(r["sha256"] for r in sha if r["path"] == "country_networks/country_networks.csv")
    assert networks == (
        f"country_networks = 52, as of 24 June 2021. Definition: {FIGURES['country_networks'].words}. "
        f"Counted from 52 rows of country_networks. Source files: country_networks/country_networks.csv "
        f"(SHA-256 {sha[:12]})."
    )
    # Comment ids stay clear of footnote ids (LibreOffice mixes them up otherwise).
    assert min(comments) >= COMMENT_ID_OFFSET
    stated = {text.split(" = ")[0] for text in comments.values()}
    assert set(FIGURES) <= stated


def test_the_report_has_one_annex_and_the_dossier_the_working_material(draft, published):
    _, path, _ = draft
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name in (t.ANNEX, t.ANNEX_TITLE)]
    assert headings[headings.index("Annex I") :] == ["Annex I", "Key figures in this report and in the previous one"]
    assert "There is no earlier report in the calendar to compare this one with." in body_text(document)
    dossier = docx.Document(str(published.dossier))
    text = body_text(dossier)
    chapters = [p.text for p in dossier.paragraphs if p.style.name == t.CHAPTER]
    assert chapters == [
        "This draft",
        "Source files used",
        "Data validation",
        "Changes since the previous draft",
        "Editorial check",
        "Reference data to check",
        "Provenance of every figure",
        "Descriptions of the figures",
    ]
    assert (
        "Next deadline: Regional review, ECA (Africa), 31 August–1 September 2021, 31 August 2021, in 68 days." in text
    )
    sources = next(table for table in dossier.tables if table.rows[0].cells[0].text == "File")
    listed = {row.cells[0].text: row.cells[2].text for row in sources.rows[1:]}
    assert listed["country_networks/champions.csv"] == "champions"
    assert (
        listed["regional_reviews/ECE-2020.xlsx"]
        == "review_findings, review_participants, review_recommendations, reviews"
    )
    assert "One warning remains outstanding:" in text
    warnings = next(table for table in dossier.tables if table.rows[0].cells[0].text == "Table")
    # As of 24 June 2021, 9 of the 23 Champions had no country network (23 - 14, the key figures' own count).
    assert [c.text for c in warnings.rows[1].cells][:3] == [
        "champions",
        "a Champion country without a country network",
        "9",
    ]
    assert "This is the first draft: there is no earlier draft to compare." in text
    assert "The names of the thematic areas are unverified" in text
    assert "The report passes the editorial check" in text
    provenance = next(table for table in dossier.tables if table.rows[0].cells[0].text == "Where")
    rows = [[c.text for c in row.cells] for row in provenance.rows[1:]]
    networks = next(row for row in rows if row[2] == "country_networks")
    assert networks[1:] == [
        "52",
        "country_networks",
        FIGURES["country_networks"].words,
        "52",
        "country_networks/country_networks.csv",
    ]
    assert {"Table 1", "Figure I"} <= {row[0] for row in rows}


def test_the_next_draft_lists_the_figures_that_changed(published_copy, sample_copy):
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")
    family = ["champions", "country_networks", "published_tables", "key_figures", "report_tables", "draft_report"]
    _, path = redraw(published_copy, sample_copy, family)
    document = docx.Document(str(path))
    dossier = docx.Document(str(dossier_file(published_copy / "drafts", D)))
    changes = next(table for table in dossier.tables if table.rows[0].cells[0].text == "Key figure")
    assert [c.text for c in changes.rows[0].cells] == [
        "Key figure",
        "Previous draft (as of 24 June 2021)",
        "This draft (as of 24 June 2021)",
    ]
    assert [[c.text for c in row.cells] for row in changes.rows[1:]] == [["Champion countries", "23", "24"]]
    assert "one key figure changed since the previous draft." in body_text(dossier)
    assert "24 Member States had become Global Compact Champion countries" in body_text(document)
    redraw(published_copy, sample_copy)  # a redraft with nothing new
    assert "No key figure changed since the previous draft (data as of 24 June 2021)." in body_text(
        docx.Document(str(dossier_file(published_copy / "drafts", D)))
    )


def test_word_count_is_within_the_limit(draft):
    metadata, _, _ = draft
    assert 1500 < metadata["Words"] <= metadata["Word limit"] == 8500
    assert metadata["Within the word limit"] is True


def test_same_inputs_give_the_same_document(draft, published_copy, sample_copy):
    _, first, _ = draft
    _, second = redraw(published_copy, sample_copy, ["draft_report"])
    assert parts(first).keys() == parts(second).keys()
    for name, content in parts(first).items():
        assert content == parts(second)[name], name


def drafters_template(tmp_path) -> Path:
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template)
    return template


def test_a_drafter_restyling_the_template_is_followed(published_copy, sample_copy, tmp_path):
    template = drafters_template(tmp_path)
    styled = docx.Document(str(template / "report.docx"))
    styled.styles[t.PARAGRAPH].font.size = docx.shared.Pt(11)
    styled.save(str(template / "report.docx"))
    _, path = redraw(published_copy, sample_copy, ["draft_report"], template)
    assert docx.Document(str(path)).styles[t.PARAGRAPH].font.size == docx.shared.Pt(11)


def test_an_unknown_placeholder_fails_the_draft_with_file_and_line(published_copy, sample_copy, tmp_path):
    template = drafters_template(tmp_path)
    chapter = template / "chapters/03-un-system.md"
    chapter.write_text(chapter.read_text().replace("{{country_networks}} country", "{{networks}} country"))
    line = next(i for i, text in enumerate(chapter.read_text().splitlines(), 1) if "{{networks}}" in text)
    before = (published_copy / "drafts" / DRAFT).read_bytes()
    result, path = redraw(published_copy, sample_copy, ["draft_report"], template)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "draft_report"
    assert failure.step_failure_data.user_failure_data.description.startswith(
        f"reports/template/chapters/03-un-system.md line {line}: unknown placeholder {{{{networks}}}}"
    )
    assert path.read_bytes() == before


def test_a_draft_dated_before_any_data_says_so(published_copy, sample_copy):
    result = materialise(
        sample_copy, published_copy / "data", published_copy / "drafts", "2018-12-31", list(AFTER_PUBLICATION)
    )
    assert result.success
    document = docx.Document(str(published_copy / "drafts/SG-report-draft-2018-12-31.docx"))
    assert editorial.check(document, 8500) == []
    text = body_text(document)
    assert "zero regional reviews of the Global Compact had been held" in text
    assert "deposits of $0 had been received; the Steering Committee had set no capitalization target" in text
    assert "covering zero of its five thematic areas" in text and "the largest number in" not in text


def test_a_draft_of_another_date_than_its_tables_is_refused(published_copy, sample_copy):
    result = materialise(
        sample_copy, published_copy / "data", published_copy / "drafts", "2021-07-01", ["draft_report"]
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_failure_data.user_failure_data.description == (
        "the figures and tables were derived as of 2021-06-24, not 2021-07-01: materialise key_figures and "
        "report_tables as of 2021-07-01 first"
    )
    assert not (published_copy / "drafts/SG-report-draft-2021-07-01.docx").exists()
