"""The translators' catalogues (pipeline/document/messages.py): made from the English template, round-tripped
through PO and XLIFF, kept in step with the English, checked for their placeholders, and drafted paragraph by
paragraph, in the language where translated and in English where not."""

import re
import shutil

import docx
import pytest
from babel.messages.pofile import read_po

from pipeline.document import messages
from pipeline.document.narrative import NarrativeError
from pipeline.paths import Template, draft_file
from runtime import cli
from tests.conftest import TEMPLATE, D, materialise

CODES = ("fr", "es", "ru", "zh", "ar")


@pytest.fixture
def template(tmp_path) -> Template:
    shutil.copytree(TEMPLATE, tmp_path / "template")
    return Template(tmp_path / "template")


def entries(catalogue) -> dict:
    return {m.context: (m.id, m.string or "", m.fuzzy) for m in catalogue if m.id}


@pytest.mark.parametrize("code", CODES)
def test_a_catalogue_round_trips_through_po_and_xliff_unchanged(template, tmp_path, code):
    path = messages.catalogue_path(template, code)
    before = path.read_bytes()
    catalogue = messages.read(path, code)
    messages.write(tmp_path / "again.po", catalogue)
    assert (tmp_path / "again.po").read_bytes() == before
    exported = messages.to_xliff(catalogue, code)
    fresh = messages.template_catalogue(template, code)
    assert messages.from_xliff(exported, fresh, f"{code}.xlf") == sum(1 for m in catalogue if m.id and m.string)
    assert entries(fresh) == entries(catalogue)
    assert messages.xliff_language(exported, f"{code}.xlf") == code


def test_every_paragraph_heading_and_word_of_the_template_is_an_entry_with_its_anchor(template):
    catalogue = messages.read(messages.catalogue_path(template, "fr"), "fr")
    contexts = {m.context for m in catalogue if m.id}
    units = messages.units(template)
    assert {u.anchor for u in units} <= contexts and len(units) > 50
    assert {"title", "labels.table", "tables.regional_reviews.headers.0", "chart_words.number"} <= contexts
    assert {"figure_labels.country_networks", "comparison_words.not_comparable", "sources.mptf"} <= contexts
    summary = next(m for m in catalogue if m.id.startswith("The present report is submitted"))
    assert summary.auto_comments[0] == "reports/template/summary.md:3"  # where the translator finds it
    assert any(note.startswith("UN term: United Nations Network on Migration = ") for note in summary.auto_comments)
    assert "{{as_of}}" in summary.id and summary.string  # the French summary, carried over


def test_a_new_english_paragraph_is_a_new_entry_and_an_edited_one_is_fuzzy(template):
    summary = template.file("en", "summary.md")
    text = summary.read_text(encoding="utf-8")
    added = "A paragraph the drafters added at the end."
    edited = text.replace("sustain the momentum of implementation", "keep up the momentum of implementation")
    assert edited != text
    summary.write_text(edited + "\n" + added + "\n", encoding="utf-8")
    updated = entries(messages.update(template, "fr"))
    assert next(v for v in updated.values() if v[0] == added) == (added, "", False)  # new, untranslated
    (moved,) = [v for v in updated.values() if "keep up the momentum" in v[0]]
    assert moved[1].startswith("Le rapport se termine") and moved[2]  # its old translation, fuzzy
    coverage = messages.load(template, "fr").coverage
    assert coverage.fuzzy == 1 and coverage.entries == len(updated)


def test_a_placeholder_dropped_or_misspelt_names_the_po_file_and_line(template):
    path = messages.catalogue_path(template, "fr")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{{mptf_contributors}} contributeurs", "seize contributeurs", 1), encoding="utf-8")
    with pytest.raises(NarrativeError) as raised:
        messages.load(template, "fr")
    said = str(raised.value)
    assert said.startswith("reports/template/fr/messages.po line ") and "drops mptf_contributors" in said
    line = int(said.split(" line ")[1].split(":")[0])
    assert "seize contributeurs" in "\n".join(text.replace("{{mptf_contributors}}", "seize").splitlines()[line - 1 :])
    misspelt = text.replace("{{mptf_contributors}} contributeurs", "{{mptf_contributor}} contributeurs", 1)
    path.write_text(misspelt, encoding="utf-8")
    with pytest.raises(NarrativeError, match="adds or misspells mptf_contributor"):
        messages.load(template, "fr")


def test_a_translation_may_reorder_placeholders_and_give_filters_other_words():
    from babel.messages.catalog import Message

    source = "{{ a }} and {{ b | plural('row', 'rows') }}{% if c %} more{% endif %}"
    ok = Message(source, "{{ b | plural(one='ligne', other='lignes') }} et {{ a }}{% if c %} de plus{% endif %}")
    messages.check_placeholders(ok, "here")
    with pytest.raises(NarrativeError, match="a paragraph is one block"):
        messages.check_placeholders(Message(source, "{{ a }} et\n\n{{ b }}{% if c %}{% endif %}"), "here")


def test_status_and_export_and_import_through_sgr(template, tmp_path, capsys):
    assert cli.main(["translations", "status", "--template", str(template.root), "--languages", "fr"]) == 0
    assert "fr: " in capsys.readouterr().out
    out = tmp_path / "xlf"
    assert cli.main(["translations", "export", "--template", str(template.root), "--to", str(out)]) == 0
    exported = out / "fr.xlf"
    text = exported.read_text(encoding="utf-8")
    assert text.count("<unit ") > 180 and 'trgLang="fr"' in text
    # A translator's tool fills a target; importing it makes the entry translated.
    untranslated = messages.read(messages.catalogue_path(template, "fr"), "fr")
    missing = next(m for m in untranslated if m.id and not m.string and "{" not in m.id)
    unit = f'<unit id="{missing.context}">'
    start = text.index(unit)
    source_end = text.index("</source>", start) + len("</source>")
    text = text[:source_end] + "<target>Traduit.</target>" + text[source_end:]
    text = text[:start] + text[start:].replace('state="initial"', 'state="translated"', 1)
    exported.write_text(text, encoding="utf-8")
    assert cli.main(["translations", "import", "--template", str(template.root), "--file", str(exported)]) == 0
    after = messages.read(messages.catalogue_path(template, "fr"), "fr")
    assert next(m for m in after if m.context == missing.context).string == "Traduit."


def test_an_untranslated_paragraph_is_drafted_whole_in_english_and_highlighted(published_copy, sample_copy):
    """No paragraph of a translation mixes English words with the language's figures or dates: an untranslated
    one is English's, in English forms, highlighted for the translator."""
    drafts = published_copy / "drafts"
    assert materialise(sample_copy, published_copy / "data", drafts, languages="fr", selection=["draft_report"]).success
    document = docx.Document(str(draft_file(drafts, D, "fr")))
    english = [p for p in document.paragraphs if p.runs and all(r.font.highlight_color for r in p.runs if r.text)]
    french = [p for p in document.paragraphs if p.text and not any(r.font.highlight_color for r in p.runs)]
    introduction = next(p for p in english if p.text.startswith("The present report covers the period up to"))
    assert "24 June 2021" in introduction.text  # the English date, not "24 juin 2021"
    assert not any("juin" in p.text or "de\u00a0dollars" in p.text for p in english)
    summary = next(p for p in french if p.text.startswith("Le Fonds d’affectation spéciale"))
    assert "millions\u00a0de\u00a0dollars" in summary.text and "$" not in summary.text
    # The UN's terms in French in the tables (CEE, not ECE), and amounts never broken across lines.
    reviews = document.tables[1] if "Examen" in document.tables[1].rows[0].cells[0].text else document.tables[2]
    assert any(row.cells[0].text.startswith("CEE (Europe et Amérique du Nord)") for row in reviews.rows)
    text = "\n".join(p.text for p in french)
    assert re.search(r"\d millions de dollars|\d millions\u00a0de dollars", text) is None
    po = read_po(open(messages.catalogue_path(Template(TEMPLATE), "fr"), "rb"))
    assert any(m.string for m in po if m.id)
