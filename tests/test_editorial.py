"""The editorial check (pipeline/document/editorial.py): it finds what a DGACM editor would send back, and
finds nothing in the report of the sample, at any date, nor in that of other valid sources."""

import datetime as dt

import docx
import pytest
from docx.oxml.ns import qn

from bench.scale import make_sources
from pipeline.document import word_template as t
from pipeline.document.editorial import check
from pipeline.paths import dossier_file, draft_file
from tests.conftest import materialise

AFTER_PUBLICATION = ["key_figures", "report_tables", "draft_report"]


def rules(found) -> dict[str, list[str]]:
    by_rule: dict[str, list[str]] = {}
    for finding in found:
        by_rule.setdefault(finding.rule.split(" (")[0], []).append(finding.text)
    return by_rule


def test_the_check_finds_what_an_editor_would_send_back(published, tmp_path):
    document = docx.Document(str(published.draft))
    assert check(document, 8500) == []
    for text in [
        "As of that date, 6 regional reviews had been held in the 2024-2025 cycle.",
        "The review met on 12 November 2020–13 November 2020 at the Fund's request.",
        "See regional_reviews/ECA-2025.xlsx (SHA-256 0f3c2a1b9d8e), first seen 2026-12-02.",
        "The figure champion_countries_with_network is stated.",
        # Figures that stay figures: references, amounts, shares and dates.
        "Under objective 8 and objectives 2, 5 and 6, paragraph 50 of resolution 73/195: $3.2 million, 4.5 per cent, "
        "on 5 December 2024, in Table 2 and Figure I.",
    ]:
        document.add_paragraph(text, style=t.PARAGRAPH)
    document.tables[0].rows[0].cells[1].paragraphs[0].runs[0].text = "A/81/xxx"
    next(document.element.body.iter(qn("wp:docPr"))).set("descr", "")
    document.sections[0].first_page_header.paragraphs[0].text = "A/75/xxx"
    found = rules(check(document, 100))
    [small] = found["numbers under 10 in words in running text"]  # and none of the references' figures
    assert "6 regional reviews" in small
    assert found["an en dash in a range of years"] == ["2024-2025"]
    assert found["a date range names its month once"] == ["12 November 2020–13 November 2020"]
    [straight] = found["typographic apostrophes and quotation marks"]
    assert "Fund's" in straight
    assert found["no file path"] == ["regional_reviews/ECA-2025.xlsx"]
    assert found["no digest"] == ["0f3c2a1b9d8e"] and found["no ISO date"] == ["2026-12-02"]
    assert found["no identifier"] == ["regional_reviews", "champion_countries_with_network"]
    assert found["the symbol of the session in course on 24 June 2021"] == ["A/81/xxx"]
    assert found["every picture described for screen readers"] and found["no running head on page 1"] == ["A/75/xxx"]
    assert found["at most the word limit"]


@pytest.mark.parametrize("as_of", ["2024-12-05", "2026-12-03"])  # and 2018-12-31 in test_report, 2021 above
def test_the_sample_report_passes_at_any_date(published_copy, sample_copy, as_of):
    drafts = published_copy / "drafts"
    assert materialise(sample_copy, published_copy / "data", drafts, as_of, AFTER_PUBLICATION).success
    day = dt.date.fromisoformat(as_of)
    assert check(docx.Document(str(draft_file(drafts, day))), 8500) == []
    dossier = "\n".join(p.text for p in docx.Document(str(dossier_file(drafts, day))).paragraphs)
    assert "The report passes the editorial check" in dossier


def test_the_report_of_other_valid_sources_passes(tmp_path):
    """Scaled sources with another seed (bench/scale.py): every family valid, other counts and amounts."""
    sources = make_sources(tmp_path / "sources", contributions=400, transfers=400, programmes=60, notes=90, seed=23)
    data, drafts = tmp_path / "data", tmp_path / "drafts"
    for day, selection in ((dt.date(2023, 3, 17), None), (dt.date(2025, 6, 30), AFTER_PUBLICATION)):
        assert materialise(sources, data, drafts, day.isoformat(), selection).success
        assert check(docx.Document(str(draft_file(drafts, day))), 8500) == []
