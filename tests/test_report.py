"""The draft read back: structure, figures, numbering, footnotes, comments, determinism, schema, rendering.
Most tests read the session's one draft of the sample; those that change the inputs redraw a copy."""

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pyarrow.parquet as pq
import pytest
from docx.oxml.ns import qn

from pipeline.catalogue import FIGURES
from pipeline.document import word_template as t
from pipeline.document.ooxml import COMMENT_ID_OFFSET
from tests.conftest import AS_OF, SYMBOL, TEMPLATE, materialise

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
    assert "Seventy-sixth session" in text and "Report of the Secretary-General" in text
    section = document.sections[0]
    assert section.header.paragraphs[0].text == SYMBOL
    assert 'w:instr=" PAGE "' in section.footer._element.xml


def test_every_key_figure_is_stated_in_un_style(draft):
    result, path, _ = draft
    text = body_text(docx.Document(str(path)))
    for sentence in [
        "4 regional reviews of the Global Compact had been held, in which 108 Member States took part",
        "counted 52 country networks and 4 regional networks",
        "23 Member States had become Global Compact Champion countries, 14 of them with a country network",
        "deposits of $20.7 million from 14 contributors, against commitments of $20.7 million",
        "Deposits for 2021 stood at $3.2 million, against a capitalization target of $30 million",
        "approved 9 joint programmes with a combined budget of $19.5 million, covering 5 of its five thematic areas",
        "of the 97 concept notes received, 32 were in the pipeline, 10 of them prioritized",
        "received $19.3 million and reported expenditure of $14.5 million",
        "that is, 10.5 per cent of the target",
        "reported expenditure of $14.5 million, a delivery rate of 74.9 per cent.",
        "which reported expenditure of $14.5 million, or 74.9 per cent of the funds transferred: the Fund's delivery "
        "rate.",
        "4 regional reviews had been held: ECE (12–13 November 2020), ESCWA (24–25 February 2021), ESCAP "
        "(10–12 March 2021) and ECLAC (26–28 April 2021).",
        "Reviews still to be held in the current cycle: ECA (31 August–1 September 2021).",
        "Of the reviews held, 1 took place in person or in a hybrid format",
        "The programmes covered 5 of the five thematic areas of the Fund, the largest number in thematic area 2.",
        "Draft for review, data as of 24 June 2021. Next deadline: Regional review, ECA (Africa), 31 August–1 "
        "September 2021, 31 August 2021, in 68 days.",
    ]:
        assert sentence in text
    assert result["figures_not_stated"] == []


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
    assert [c for c in captions if c.startswith("Figure ")] == ["Figure I", "Figure II", "Figure III", "Figure IV"]
    assert len(document.inline_shapes) == 4
    images = [name for name in parts(path) if name.startswith("word/media/")]
    assert len(images) == 4
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
    assert reviews.rows[5].cells[1].text == "31 August–1 September 2021 (scheduled)"
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
    assert (
        "Source: contributions and targets tables (mptf/contributions.csv; mptf/targets.csv), data as of "
        "24 June 2021." in notes
    )


def test_footnotes_are_real_footnotes_citing_tables_files_and_date(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    references = [int(r.get(qn("w:id"))) for r in document.element.body.iter(qn("w:footnoteReference"))]
    assert references == list(range(1, len(references) + 1)) and len(references) >= 12
    footnotes = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/footnotes")).element
    notes = {int(n.get(qn("w:id"))): n for n in footnotes.findall(qn("w:footnote"))}
    assert notes[-1].get(qn("w:type")) == "separator" and notes[-1].find(".//" + qn("w:separator")) is not None
    assert notes[0].get(qn("w:type")) == "continuationSeparator"
    assert sorted(n for n in notes if n > 0) == references
    texts = {n: "".join(x.text for x in note.iter(qn("w:t"))) for n, note in notes.items() if n > 0}
    assert all(re.fullmatch(r" Source: .+ tables? \(.+\), data as of 24 June 2021\.", text) for text in texts.values())
    assert any("(country_networks/country_networks.csv)" in text for text in texts.values())
    settings = document.settings.element
    assert [f.get(qn("w:id")) for f in settings.find(qn("w:footnotePr"))] == ["-1", "0"]
    assert not any(name.endswith("endnotes.xml") for name in parts(path))


def test_each_figure_carries_a_provenance_comment(draft):
    _, path, root = draft
    document = docx.Document(str(path))
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


def test_annexes_list_sources_validation_and_changes(draft):
    _, path, _ = draft
    document = docx.Document(str(path))
    text = body_text(document)
    headings = [p.text for p in document.paragraphs if p.style.name in (t.ANNEX, t.ANNEX_TITLE)]
    assert headings[headings.index("Annex I") :] == [
        "Annex I",
        "Source files used",
        "Annex II",
        "Data validation",
        "Annex III",
        "Changes since the previous draft",
        "Annex IV",
        "Key figures in this report and in the previous one",
    ]
    assert "There is no earlier report in the calendar to compare this one with." in text
    sources, warnings = document.tables[-2], document.tables[-1]
    listed = {row.cells[0].text: row.cells[2].text for row in sources.rows[1:]}
    assert listed["country_networks/champions.csv"] == "champions"
    assert (
        listed["regional_reviews/ECE-2020.xlsx"]
        == "review_findings, review_participants, review_recommendations, reviews"
    )
    assert "1 warning remains outstanding:" in text
    # As of 24 June 2021, 9 of the 23 Champions had no country network (23 - 14, the key figures' own count).
    assert [c.text for c in warnings.rows[1].cells][:3] == [
        "champions",
        "a Champion country without a country network",
        "9",
    ]
    assert "This is the first draft: there is no earlier draft to compare." in text


def test_the_next_draft_lists_the_figures_that_changed(published_copy, sample_copy):
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")
    family = ["champions", "country_networks", "published_tables", "key_figures", "report_tables", "draft_report"]
    _, path = redraw(published_copy, sample_copy, family)
    document = docx.Document(str(path))
    changes = document.tables[-1]
    assert [c.text for c in changes.rows[0].cells] == [
        "Key figure",
        "Previous draft (as of 24 June 2021)",
        "This draft (as of 24 June 2021)",
    ]
    assert [[c.text for c in row.cells] for row in changes.rows[1:]] == [["champion_countries", "23", "24"]]
    assert "1 key figure changed since the previous draft." in body_text(document)
    _, path = redraw(published_copy, sample_copy)  # a redraft with nothing new
    assert "No key figure changed since the previous draft (data as of 24 June 2021)." in body_text(
        docx.Document(str(path))
    )


def test_word_count_is_within_the_limit(draft):
    metadata, _, _ = draft
    assert 1500 < metadata["words"] <= metadata["word_limit"] == 8500
    assert metadata["within_word_limit"] is True


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
    text = body_text(docx.Document(str(published_copy / "drafts/SG-report-draft-2018-12-31.docx")))
    assert "0 regional reviews of the Global Compact had been held" in text
    assert "deposits of $0 had been received; the Steering Committee had set no capitalization target" in text
    assert "covering 0 of its five thematic areas" in text and "the largest number in" not in text


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
