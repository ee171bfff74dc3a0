"""The drafts of an edition: words from reports/template/ (summary.md, chapters/*.md, annexes/*.md,
report.toml), look from its report.docx, every figure from key_figures and the report tables, the
reviewers' comments returned on earlier drafts; in each language asked for, from the same rows.

Every draft is checked and built in memory first and saved only when all of them could be made.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import replace

from pipeline import ahead
from pipeline.catalogue import CHARTS, REPORT_TABLES, provenance_of
from pipeline.config import Freshness
from pipeline.document import charts, messages
from pipeline.document.builder import ReportInputs, compose
from pipeline.document.dossier import compose_dossier
from pipeline.document.narrative import NarrativeError
from pipeline.document.tagged_pdf import Exported, export
from pipeline.editions import Dates, Edition
from pipeline.languages.forms import DEFAULT, LANGUAGES
from pipeline.paths import Template
from pipeline.review.returned_drafts import CHANGES, COMMENTS
from pipeline.sessions import session_on
from pipeline.store import Store
from pipeline.store.files import write_atomically

WORD_LIMIT_DEFAULT = 8500
KEY_FIGURES = "key_figures"
PLACEHOLDER_NUMBER = "xxx"  # the document number, until the secretariat has it ([sessions."81"] symbol)


class NothingPublished(Exception):
    """A translation asked for before any English draft of its edition."""


def load_config(
    template: Template,
    edition: Edition | None = None,
    language: str = DEFAULT,
    as_of: dt.date | None = None,
    previous: Edition | None = None,
    translation: messages.Translation | None = None,
) -> dict:
    """report.toml, with the masthead of its date: the date the report.toml or the edition's own table
    ([editions."2026"]) gives, else the data's as-of date; the General Assembly session in course on that date;
    the symbol, agenda item and provisional agenda of that session ([sessions."79"]), else a visible
    placeholder symbol. A translation's words are its catalogue's (pipeline/document/messages.py), English's where
    it does not translate them (`untranslated` names those places). The previous edition, when there is one, is
    named by its symbol and the day it was due."""
    config = _toml(template, DEFAULT)
    if translation is not None:
        config = messages.translated_config(config, messages.english(template), translation)
    config.setdefault("word_limit", WORD_LIMIT_DEFAULT)
    sessions = config.get("sessions", {})
    if previous is not None and previous.due is not None:
        config["previous_issued"] = (
            _issued(config.get("editions", {}).get(previous.key, {}).get("date")) or previous.due
        )
        number = session_on(config["previous_issued"])
        config["previous_symbol"] = sessions.get(str(number), {}).get("symbol") or f"A/{number}/{PLACEHOLDER_NUMBER}"
    if edition is not None:
        config |= config.get("editions", {}).get(edition.key, {})
    issued = _issued(config.get("date")) or as_of
    if issued is not None:
        session = session_on(issued)
        config["issued"] = issued
        config["session"] = LANGUAGES[language].session(session)
        config["symbol"] = f"A/{session}/{PLACEHOLDER_NUMBER}"
        config |= sessions.get(str(session), {})
    return config


def _issued(given: str | dt.date | None) -> dt.date | None:
    """A masthead date as report.toml gives it: "2025-02-10", a TOML date (date = 2025-02-10), or none."""
    return (given if isinstance(given, dt.date) else dt.date.fromisoformat(given)) if given else None


def _toml(template: Template, language: str) -> dict:
    path = template.file(language, "report.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise NarrativeError(f"{template.shown(path)}: {error}") from None


def gather(store: Store, dates: Dates, template: Template) -> ReportInputs:
    """What every language's draft of the edition is made from: its key figures, report tables and comments."""
    as_of, edition, published = dates.as_of, dates.edition.key, store.published
    figures = published.read(KEY_FIGURES, edition=edition)
    tables = {name: published.read_report_table(name, edition) for name in REPORT_TABLES}
    derived_as_of = {str(figures.column("as_of")[0]) if figures.num_rows else None}
    derived_as_of |= {provenance_of(table)["as_of"] for table in tables.values()}
    if derived_as_of != {as_of.isoformat()}:
        raise NarrativeError(
            f"the figures and tables were derived as of {', '.join(sorted(map(str, derived_as_of)))}, not "
            f"{as_of.isoformat()}: materialise key_figures and report_tables as of {as_of.isoformat()} first"
        )
    config = language_config(template, dates, DEFAULT)
    comments, changes = returned(store, edition)
    return ReportInputs(as_of, config, figures, tables, store.history.charts, dates, comments, changes)


def language_config(
    template: Template, dates: Dates, language: str, translation: messages.Translation | None = None
) -> dict:
    """A language's report.toml for the edition and its dates (load_config), its catalogue loaded if not given."""
    if language != DEFAULT and translation is None:
        translation = messages.load(template, language)
    return load_config(template, dates.edition, language, dates.as_of, dates.previous, translation)


def draw_charts_ahead(
    store: Store, dates: Dates, languages: list[str] | tuple[str, ...], template: Template, freshness: Freshness
) -> None:
    """Ask the worker, if `sgr draft` started one (pipeline/ahead.py), to draw the draft's charts now, each in each
    language's words, from the tables just published: while this process derives the figures and tables, the other
    core draws, and the draft finds each chart in the cache (charts.png waits for it). Without a worker, the draft
    draws them."""
    if not ahead.working():
        return
    words = {language: language_config(template, dates, language).get("chart_words") for language in languages}
    for name in CHARTS:
        asked = (str(store.data), dates.edition.key, dates.as_of, freshness, name, words)
        ahead.ahead(charts.ahead_key(store.history.charts, name), charts.draw_ahead, *asked)


def in_language(inputs: ReportInputs, template: Template, language: str) -> ReportInputs:
    """The drafts' inputs for one language: its report.toml and forms, and the reviewers' comments and changes
    made on drafts in that language (a returned draft that does not say is English)."""
    if language == DEFAULT:
        config, translation = inputs.config, None
    else:
        translation = messages.load(template, language)
        config = language_config(template, inputs.dates, language, translation)
    comments, changes = (
        [row for row in rows if (row.get("language") or DEFAULT) == language]
        for rows in (inputs.comments, inputs.changes)
    )
    return replace(
        inputs,
        config=config,
        language=language,
        comments=comments,
        changes=changes,
        translation=translation,
        english_config=inputs.config,
    )


def returned(store: Store, edition: str) -> tuple[list[dict], list[dict]]:
    """The reviewers' comments and changes of drafts of this edition (or of a draft that does not say)."""
    found = []
    for name in (COMMENTS, CHANGES):
        rows = store.published.read(name).to_pylist() if store.published.exists(name) else []
        found.append([row for row in rows if row["edition"] in (None, edition)])
    return found[0], found[1]


def drafts_in(
    store: Store,
    dates: Dates,
    languages: list[str] | tuple[str, ...],
    template: Template,
    provenance_comments: bool = False,
    pdf: bool = False,
) -> tuple[ReportInputs, dict, Exported | None]:
    """The drafts in these languages, from the same rows (read once: only the words and the forms change),
    and the English draft's dossier, each checked and built in memory, then saved together; none is saved if
    one cannot be made (a NarrativeError naming the file and line). With `pdf`, each draft's tagged PDF beside it
    (None: not asked for)."""
    for language in languages:
        if language != DEFAULT:
            messages.load(template, language)  # its catalogue checked before anything is read or written
    inputs = replace(gather(store, dates, template), provenance_comments=provenance_comments)
    drafts = {language: compose(in_language(inputs, template, language), template) for language in languages}
    dossier = compose_dossier(inputs, template, drafts) if DEFAULT in drafts else None
    saved = {store.history.draft(inputs.as_of, language): document for language, (_, _, document) in drafts.items()}
    for path, document in saved.items():
        write_atomically(path, lambda p, d=document: d.save(str(p)))
    if dossier is not None:
        write_atomically(store.history.dossier(inputs.as_of), lambda p: dossier.save(str(p)))
    return inputs, drafts, export(saved) if pdf else None


def published_dates(store: Store, dates: Dates) -> Dates:
    """A translation drafted by itself states what the English draft states: the published figures, as of the
    date and compared with the date they were derived for."""
    published = store.published
    if not published.exists(KEY_FIGURES, dates.edition.key):
        raise NothingPublished(
            f"nothing of edition {dates.edition.key} is published yet: materialise draft_report (the English draft) "
            "first"
        )
    figures = published.read(KEY_FIGURES, columns=["as_of", "previous_as_of"], edition=dates.edition.key)
    if not figures.num_rows:
        return dates
    as_of, compare_with = figures.column("as_of")[0].as_py(), figures.column("previous_as_of")[0].as_py()
    previous = dates.previous if compare_with == dates.compare_with else None
    return replace(dates, as_of=as_of, compare_with=compare_with, previous=previous)
