"""The draft in the six official languages: the same rows said in each language's forms, templates that
line up with English's, Arabic right to left, and every page rendered with fonts that have the glyphs."""

import datetime as dt
import re
import zipfile
from decimal import Decimal

import dagster as dg
import docx
import pyarrow.parquet as pq
import pytest
from babel.numbers import parse_decimal
from docx.oxml.ns import qn

from pipeline.calendar import editions_of
from pipeline.config import Config
from pipeline.document.drafting import published_dates
from pipeline.editions import resolve
from pipeline.languages import un_style
from pipeline.languages.forms import LANGUAGES
from pipeline.paths import draft_file
from pipeline.store import Store
from runtime import cli
from tests.conftest import AS_OF, ROOT, SAMPLE, D, materialise
from tests.installed import require

CODES = list(LANGUAGES)
TRANSLATIONS = [f"draft_report_{code}" for code in CODES[1:]]
VALIDATOR = ROOT / "node_modules/.bin/ooxml-validate"
# How much each language's scale word multiplies the number before it.
SCALES = [
    (r"milliards?|mil millones|млрд|مليار", Decimal(10**9)),
    (r"millions?|millones|millón|млн|مليون", Decimal(10**6)),
    (r"亿", Decimal(10**8)),
    (r"万", Decimal(10**4)),
    (r"%|per cent|процент", Decimal("0.01")),
]
NUMBER = re.compile(r"\d[\d\u00a0\u202f .,]*\d|\d")


@pytest.fixture(scope="module")
def drafts(translated):
    """The session's drafts in the six languages (tests/conftest.py), and the key figures they state."""
    warehouse = translated.root / "data/warehouse"
    figures = {r["figure"]: r for r in pq.read_table(warehouse / "key_figures.parquet").to_pylist()}
    return translated.paths, figures, translated.metadata


def test_the_forms_of_each_language():
    fr, es, ru, zh, ar = (LANGUAGES[c] for c in ("fr", "es", "ru", "zh", "ar"))
    # An amount is never broken across lines: no-break spaces inside it.
    assert fr.figure(17_500_000, "usd") == "17,5\u00a0millions\u00a0de\u00a0dollars"
    assert es.figure(17_500_000, "usd") == "17,5\u00a0millones\u00a0de\u00a0dólares"
    assert ru.figure(17_500_000, "usd") == "17,5\u00a0млн\u00a0долл.\u00a0США"
    assert zh.figure(17_500_000, "usd") == "1,750万美元"
    assert ar.figure(17_500_000, "usd") == "17.5\u00a0مليون\u00a0دولار"
    assert fr.date(dt.date(2024, 12, 5)) == "5 décembre 2024" and fr.date(dt.date(2024, 12, 1)) == "1er décembre 2024"
    # Date ranges say the month and year once, as each language's UN documents do.
    august, september = dt.date(2021, 8, 31), dt.date(2021, 9, 1)
    november = (dt.date(2020, 11, 12), dt.date(2020, 11, 13))
    assert [LANGUAGES[c].date_range(*november) for c in CODES] == [
        "12–13 November 2020",
        "12–13 novembre 2020",
        "12–13 de noviembre de 2020",
        "12–13 ноября 2020 года",
        "2020年11月12日至13日",
        "12–13 تشرين الثاني/نوفمبر 2020",
    ]
    assert fr.date_range(august, september) == "31 août–1er septembre 2021"
    assert es.date_range(august, september) == "31 de agosto–1 de septiembre de 2021"
    assert es.date(dt.date(2024, 12, 5)) == "5 de diciembre de 2024"
    assert ru.date(dt.date(2024, 12, 5)) == "5 декабря 2024 года"
    assert zh.date(dt.date(2024, 12, 5)) == "2024年12月5日"
    assert ar.date(dt.date(2024, 12, 5)) == "5 كانون الأول/ديسمبر 2024"
    assert fr.figure(0.105, "percent") == "10,5\u202f%" and es.figure(0.105, "percent") == "10,5%"
    assert ru.figure(0.105, "percent") == "10,5 процента" and ru.figure(0.5, "percent") == "50 процентов"
    assert [LANGUAGES[c].session(81) for c in CODES] == [
        "Eighty-first session",
        "Quatre-vingt-unième session",
        "Octogésimo primer período de sesiones",
        "Восемьдесят первая сессия",
        "第八十一届会议",
        "الدورة الحادية والثمانون",
    ]
    assert fr.series(["A", "B", "C"]) == "A, B et C" and zh.series(["A", "B"]) == "A和B"
    assert ru.plural(3, one="сеть", few="сети", many="сетей") == "3 сети"
    assert ru.plural(5, one="сеть", few="сети", many="сетей") == "5 сетей"


def test_an_unknown_language_is_refused_before_anything_runs(capsys):
    assert cli.main(["draft", "--languages", "en,de"]) == cli.EXIT_USAGE
    assert "unknown language de: the languages are en, fr, es, ru, zh, ar" in capsys.readouterr().err


def _structure(path):
    document = docx.Document(str(path))
    body = document.element.body
    numbered = sum(1 for p in document.paragraphs if p.style.name == "SG Paragraph")
    return {
        "numbered paragraphs": numbered,
        "footnotes": len(list(body.iter(qn("w:footnoteReference")))),
        "tables": len(document.tables),
        "pictures": len(list(body.iter(qn("w:drawing")))),
        "figure anchors": len(
            [b for b in body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")).startswith("sgr_f_")]
        ),
    }


def test_every_language_has_english_paragraphs_footnotes_tables_and_charts(drafts):
    paths, _, _ = drafts
    english = _structure(paths["en"])
    assert english["numbered paragraphs"] > 20 and english["pictures"] >= 2 and english["figure anchors"] > 20
    for code in CODES[1:]:
        assert _structure(paths[code]) == english, code


ENGLISH_FIGURE = re.compile(r"\$\d|per cent")


def _said(text: str, code: str) -> Decimal:
    """A figure as a language says it, read back with Babel: the number, times its scale word; English's
    counts under 10 in words."""
    if text in un_style.ONES[:10]:  # English's counts under 10, in any draft's English paragraphs
        return Decimal(un_style.ONES.index(text))
    if ENGLISH_FIGURE.search(text):  # a paragraph the language's catalogue does not translate: English forms
        code = "en"
    number = NUMBER.search(text).group(0)
    locale, symbols = ("ar", "latn") if code == "ar" else (code, None)
    plain = re.sub(r"[\u00a0\u202f ]", "", number)
    if code == "es":  # Spanish groups with a fixed space, which Babel's es does not: read it without
        plain = plain.replace(".", "")
    value = parse_decimal(plain, locale=locale, numbering_system=symbols or "latn")
    for words, scale in SCALES:
        if re.search(words, text):
            return value * scale
    return value


def test_every_key_figure_stated_in_each_language_is_its_row_of_key_figures(drafts):
    paths, figures, _ = drafts
    for code in CODES:
        comments = docx.Document(str(paths[code])).comments
        stated = 0
        for comment in comments:
            name, _, rest = comment.text.partition(" = ")
            if name not in figures or figures[name]["value"] is None or figures[name]["unit"] == "number":
                continue
            said = rest.split(", as of ")[0]
            if not NUMBER.search(said) and said not in un_style.ONES:
                continue  # said in words that need not repeat it ("the whole of their commitments")
            value, unit = Decimal(str(figures[name]["value"])), figures[name]["unit"]
            tolerance = {"usd": Decimal("0.05") * (10**9 if value >= 10**9 else 10**6), "percent": Decimal("0.0005")}
            allowed = tolerance.get(unit, Decimal(0)) if unit != "usd" or value >= 10**6 else Decimal("0.5")
            assert abs(_said(said, code) - value) <= allowed, (code, name, said, value)
            stated += 1
        assert stated >= 15, (code, stated)


def test_the_arabic_draft_runs_right_to_left(drafts):
    paths, _, _ = drafts
    document = docx.Document(str(paths["ar"]))
    body = document.element.body
    paragraphs = list(body.iter(qn("w:p")))
    english = {p for p in paragraphs if p.find(f".//{qn('w:highlight')}") is not None}  # untranslated: English

    def bidi(p):
        found = p.find(f"{qn('w:pPr')}/{qn('w:bidi')}")
        return None if found is None else found.get(qn("w:val"), "1")

    # An English paragraph left to right over the right-to-left style; every other paragraph right to left.
    assert english and all(bidi(p) == "0" for p in english)
    assert all(bidi(p) == "1" for p in paragraphs if p not in english and not p.xpath("ancestor::w:tbl"))
    arabic = [
        r
        for r in body.iter(qn("w:r"))
        if re.search("[\u0600-\u06ff]", "".join(t.text or "" for t in r.iter(qn("w:t"))))
    ]
    assert len(arabic) > 20 and all(r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None for r in arabic)
    assert all(t.find(f"{qn('w:tblPr')}/{qn('w:bidiVisual')}") is not None for t in body.iter(qn("w:tbl")))
    # In the styles too, so that a paragraph a drafter adds in Word runs right to left.
    styles = zipfile.ZipFile(paths["ar"]).read("word/styles.xml").decode()
    assert "<w:bidi/>" in styles and 'w:cs="Noto Naskh Arabic"' in styles
    # Paragraphs numbered as in UN Arabic documents: `1 -`, not `1.`.
    numbering = {code: zipfile.ZipFile(paths[code]).read("word/numbering.xml").decode() for code in ("ar", "en")}
    assert '<w:lvlText w:val="%1 -"/>' in numbering["ar"]
    assert '<w:lvlText w:val="%1 -"/>' not in numbering["en"]
    # The English draft has none of it.
    assert "<w:bidi/>" not in zipfile.ZipFile(paths["en"]).read("word/document.xml").decode()


def test_english_alone_by_default_and_the_languages_asked_for_beside_it(drafts, published):
    _, _, metadata = drafts
    assert sorted(p.name for p in published.drafts.glob("*.docx")) == [
        f"SG-report-draft-{AS_OF}-dossier.docx",  # in English only, the drafters' language
        f"SG-report-draft-{AS_OF}.docx",
    ]
    assert [language["Code"] for language in metadata["Languages"]] == CODES
    assert "Languages" not in published.summary["materializations"]["draft_report"]["metadata"]


def test_each_translation_is_an_asset_that_follows_the_english_draft_once_asked_for(published_copy):
    """Asked for by the settings, a translation drafted with English is recorded as its asset's; materialised
    alone, it is drafted from the published tables; once drafted, it follows each new English draft, and a
    translation never asked for is never drafted."""
    from assets.partitions import edition_to_run
    from assets.resources import Settings
    from assets.translations import defs

    require("fonts")  # the Chinese draft's charts
    data, drafts = published_copy / "data", published_copy / "drafts"
    instance = dg.DagsterInstance.ephemeral()

    def english(languages=None):
        result = materialise(SAMPLE, data, drafts, selection=["draft_report"], instance=instance, languages=languages)
        assert result.success
        return {m.asset_key.to_user_string(): m for m in result.asset_materializations_for_node("draft_report")}

    def translated(*keys):
        config = {"sources": str(SAMPLE), "data": str(data), "reports": str(drafts), "as_of": AS_OF}
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            run_config={"resources": {"settings": {"config": config}}},
            instance=instance,
            asset_selection=[dg.AssetKey(k) for k in keys],
            partition_key=edition_to_run(instance, Settings(**config)),
            raise_on_error=False,
        )
        return result

    def followed():
        from assets.translations.translation_sensors import translations_follow_english

        result = translations_follow_english(dg.build_sensor_context(instance=instance))
        if isinstance(result, dg.SkipReason):
            return set()
        english = instance.fetch_materializations(dg.AssetKey("draft_report"), limit=1).records[0]
        assert [r.partition_key for r in result] == [english.partition_key]
        return {k.to_user_string() for r in result for k in r.asset_selection}

    made = english(languages="fr")
    french = drafts / f"SG-report-draft-{AS_OF}-fr.docx"
    assert set(made) == {"draft_report", "draft_report_fr"}
    assert made["draft_report_fr"].metadata["Draft"].value == str(french)
    assert (
        made["draft_report_fr"].metadata["Numbered paragraphs"] == made["draft_report"].metadata["Numbered paragraphs"]
    )
    assert followed() == set()  # drafted together, the French after the English: nothing to follow

    made = english()
    assert set(made) == {"draft_report"}
    assert followed() == {"draft_report_fr"}  # French follows; the others were never asked for

    english_draft, published = (drafts / f"SG-report-draft-{AS_OF}.docx").read_bytes(), snapshot(data / "warehouse")
    french.unlink()
    result = translated("draft_report_fr", "draft_report_zh")
    assert result.success
    made = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert made == {"draft_report_fr", "draft_report_zh"} and french.exists()
    assert (drafts / f"SG-report-draft-{AS_OF}.docx").read_bytes() == english_draft
    assert snapshot(data / "warehouse") == published
    assert len(docx.Document(str(french)).paragraphs) > 50
    english()  # a new English draft with no look of the sensor in between: told apart by the event log's order
    assert followed() == {"draft_report_fr", "draft_report_zh"}


def test_a_translation_alone_before_any_english_draft_says_to_draft_english_first(tmp_path):
    from assets.partitions import edition_to_run
    from assets.resources import Settings
    from assets.translations import defs

    config = {"sources": str(SAMPLE), "data": str(tmp_path / "data"), "reports": str(tmp_path), "as_of": AS_OF}
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=instance,
        asset_selection=[dg.AssetKey("draft_report_ar")],
        partition_key=edition_to_run(instance, Settings(**config)),
        raise_on_error=False,
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        "materialise draft_report (the English draft) first" in failure.step_failure_data.user_failure_data.description
    )
    assert not list(tmp_path.glob("*.docx"))


def test_a_translation_alone_states_the_figures_as_of_the_published_date(published):
    config = Config.of({"sources": str(SAMPLE), "data": str(published.data), "as_of": "2021-09-30"})
    store = Store(config.data)
    dates = resolve(editions_of(store, config.sources), None, config, dt.date.today())
    as_of = published_dates(store, dates).as_of
    assert as_of == dt.date.fromisoformat(AS_OF) != dates.as_of


def test_the_translations_are_a_code_location_of_their_own_after_the_english_draft(tmp_path):
    """In the workspace (make dev: workspace.yaml's locations, loaded here in this process), each translation
    follows draft_report, which the report's location defines; the report's graph is English's alone."""
    import yaml
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget

    from assets.definitions import defs

    assert not {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()} & set(TRANSLATIONS)
    locations = [entry["python_module"] for entry in yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]]
    origins = [
        InProcessCodeLocationOrigin(
            LoadableTargetOrigin(module_name=entry["module_name"], working_directory=str(ROOT)),
            location_name=entry["location_name"],
        )
        for entry in locations
    ]
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origins)) as workspace:
            context = workspace.create_request_context()
            assert not context.code_location_errors()
            graph = context.asset_graph
            english = graph.get(dg.AssetKey("draft_report"))
            assert english.is_materializable
            for key in TRANSLATIONS:
                node = graph.get(dg.AssetKey(key))
                assert node.is_materializable and node.parent_keys == {dg.AssetKey("draft_report")}, key


def snapshot(folder) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_annex_comparing_reports_names_each_figure_in_the_drafts_language(published_copy, sample_copy):
    require("fonts")  # the Chinese and Arabic drafts' charts
    selection = ["key_figures", "report_tables", "draft_report"]
    drafts = published_copy / "drafts"
    languages = "fr,es,ru,zh,ar"
    assert materialise(
        sample_copy,
        published_copy / "data",
        drafts,
        compare_with="2021-03-31",
        languages=languages,
        selection=selection,
    ).success
    for code in languages.split(","):
        compared = docx.Document(str(draft_file(drafts, D, code))).tables[-1]
        cells = [c.text for row in compared.rows for c in row.cells]
        assert cells and not any("_" in text for text in cells), code  # no machine name, in any language
        # The baseline of a flow by year and the recount's heading are in the draft's language too.
        assert not any("to the end of" in text or "As counted now" in text for text in cells), code
    french = docx.Document(str(draft_file(drafts, D, "fr"))).tables[-1]
    assert [french.rows[1].cells[0].text, french.rows[1].cells[1].text, french.rows[1].cells[2].text] == [
        "Réseaux nationaux",
        "45",
        "52",
    ]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in french.rows}
    assert rows["Chiffre clé"][0] == "Chiffres recalculés au 31 mars 2021"
    assert rows["Versements au Fonds, en cumul"][0].endswith(" (fin 2020)")
    chinese = docx.Document(str(draft_file(drafts, D, "zh"))).tables[-1]
    assert chinese.rows[1].cells[0].text == "国家网络"
    assert any(c.text.endswith("（截至2020年底）") and " （" not in c.text for row in chinese.rows for c in row.cells)


def test_no_mark_of_the_narrative_is_left_in_any_language(drafts):
    paths, _, _ = drafts
    for code, path in paths.items():
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert not re.search("[\ue000-\uf8ff]", text), code


# Sessions as the masthead of each language's UN documents names them, checked one by one: the seventieth,
# seventy-first, seventy-fourth, eightieth, eighty-first, ninetieth, ninety-first and ninety-ninth.
SESSIONS = {
    "en": ["Seventieth", "Seventy-first", "Seventy-fourth", "Eightieth", "Eighty-first", "Ninetieth", "Ninety-first",
           "Ninety-ninth"],
    "fr": ["Soixante-dixième", "Soixante et onzième", "Soixante-quatorzième", "Quatre-vingtième",
           "Quatre-vingt-unième", "Quatre-vingt-dixième", "Quatre-vingt-onzième", "Quatre-vingt-dix-neuvième"],
    "es": ["Septuagésimo", "Septuagésimo primer", "Septuagésimo cuarto", "Octogésimo", "Octogésimo primer",
           "Nonagésimo", "Nonagésimo primer", "Nonagésimo noveno"],
    "ru": ["Семидесятая", "Семьдесят первая", "Семьдесят четвертая", "Восьмидесятая", "Восемьдесят первая",
           "Девяностая", "Девяносто первая", "Девяносто девятая"],
    "zh": ["七十", "七十一", "七十四", "八十", "八十一", "九十", "九十一", "九十九"],
    "ar": ["السبعون", "الحادية والسبعون", "الرابعة والسبعون", "الثمانون", "الحادية والثمانون", "التسعون",
           "الحادية والتسعون", "التاسعة والتسعون"],
}  # fmt: skip


@pytest.mark.parametrize("code", list(SESSIONS))
def test_every_session_from_the_seventieth_to_the_ninety_ninth_as_un_documents_name_it(code):
    forms = LANGUAGES[code]
    said = [forms.session(number) for number in (70, 71, 74, 80, 81, 90, 91, 99)]
    expected = {
        "en": lambda o: f"{o} session",
        "fr": lambda o: f"{o} session",
        "es": lambda o: f"{o} período de sesiones",
        "ru": lambda o: f"{o} сессия",
        "zh": lambda o: f"第{o}届会议",
        "ar": lambda o: f"الدورة {o}",
    }[code]
    assert said == [expected(o) for o in SESSIONS[code]]
    every = [forms.session(number) for number in range(70, 100)]
    assert len(set(every)) == 30 and not any("vingtsième" in s or "ё" in s for s in every)


def test_french_typography_and_amounts_never_broken():
    fr = LANGUAGES["fr"]
    assert fr.usd(61.1e6) == "61,1\u00a0millions\u00a0de\u00a0dollars"
    assert fr.share(0.743) == "74,3\u202f%"
    assert fr.finish("Source : A ; B « C » ?") == "Source\u202f: A\u202f; B «\u202fC\u202f»\u202f?"
    assert fr.change(0.743, 0.736, "percent") == "en hausse de 0,7 point de pourcentage"  # one: 0 to under 2
    assert LANGUAGES["ar"].share(0.743) == "74.3 في المائة"
