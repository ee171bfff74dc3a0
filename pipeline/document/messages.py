"""The translators' catalogues: one English template, and for each other official language a gettext PO file
(reports/template/<code>/messages.po) made from it, which translators and their tools read and write; XLIFF 2.0
for the tools that prefer it.

A message is what a translator translates whole:
- a paragraph or heading of the Markdown files (summary.md, chapters/, annexes/): its context the paragraph's
  stable anchor, the one reviewers' comments hang on (pipeline/review/anchors.py); its source the English lines
  with their placeholders and conditions;
- a word of the report that is not prose: each masthead line, label and note of report.toml, each table's
  title, column header, cell words and note, each chart's title, note and words, each key figure's name, the
  public sources' names; its context the place it fills (`tables.regional_reviews.headers.2`).

A translated message is drafted in its language; one untranslated or fuzzy is drafted as the whole English
paragraph, in English forms, and highlighted for the translator. A translation keeps the placeholders of its
source (`{{ country_networks }}`, `{% if compared_with %}`): it may reorder them, and give a filter other words
(`plural(one='ligne', other='lignes')`), but one dropped, added or misspelt fails the draft naming the PO file
and line.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from lxml import etree

from pipeline.catalogue import CHARTS, REPORT_TABLES
from pipeline.catalogue.figures import LABELS
from pipeline.contract import PUBLIC_SOURCES
from pipeline.document.narrative import DIRECTIVE, TAGS_ONLY, NarrativeError
from pipeline.languages import glossary
from pipeline.paths import ENGLISH, Template
from pipeline.review.anchors import paragraph_anchor

CATALOGUE = "messages.po"
WORD_FILES = ("summary.md", "chapters", "annexes")
# What report.toml says in words (the rest is settings: the word limit, the sessions' symbols, the dates).
CONFIG_WORDS = (
    "organization",
    "organ",
    "distribution",
    "original",
    "agenda_item",
    "agenda_title",
    "title",
    "subtitle",
    "labels",
    "notes",
    "comparison_words",
    "comment_words",
)
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
CALL = re.compile(r"\([^()]*\)")
OPENS, CLOSES = re.compile(r"\{%-?\s*(if|for)\b"), re.compile(r"\{%-?\s*end(if|for)\b")
TABLE_PLACED = re.compile(r"\{\{\s*table:([a-z0-9_]+)\s*\}\}")
HAS_WORDS = re.compile(r"[^\W\d_]{2,}")
XLIFF = "urn:oasis:names:tc:xliff:document:2.0"


@dataclass(frozen=True)
class Unit:
    """A translatable piece of an English Markdown file: a paragraph or a heading, with the conditions and loops
    inside it, but not those around it."""

    file: str  # as drafters name it: reports/template/summary.md
    first: int  # its first and last lines (1-based)
    last: int
    text: str
    anchor: str  # the context of its message: the stable anchor of the paragraph it makes


@dataclass(frozen=True)
class Source:
    """An English message: where it comes from and what it says."""

    context: str
    text: str
    where: str  # the template file and line, or the declaration: the translator's comment


@dataclass
class Translation:
    """A language's catalogue as the drafts read it: each translated message's text by context, and where it
    is in the PO file, so that an error names the line."""

    language: str
    path: Path | None
    texts: dict[str, str] = field(default_factory=dict)  # translated, not fuzzy
    lines: dict[str, int] = field(default_factory=dict)
    coverage: Coverage | None = None

    def text(self, context: str) -> str | None:
        return self.texts.get(context)


@dataclass(frozen=True)
class Coverage:
    entries: int
    translated: int
    fuzzy: int
    words: int  # of the English sources
    words_translated: int

    @property
    def missing(self) -> int:
        return self.entries - self.translated - self.fuzzy

    def __str__(self) -> str:
        share = self.words_translated / self.words if self.words else 1
        return (
            f"{self.translated} of {self.entries} entries translated, {self.fuzzy} fuzzy, {self.missing} missing; "
            f"{self.words_translated:,} of {self.words:,} words ({share:.0%})"
        )


# The English template's units.


def units(template: Template) -> list[Unit]:
    """Every paragraph and heading of the English Markdown files, in the order drafts state them."""
    found = []
    for path in _word_files(template):
        found += file_units(path.read_text(encoding="utf-8").splitlines(), template.shown(path))
    return found


def _word_files(template: Template) -> list[Path]:
    root = template.words()
    return [root / "summary.md", *template.chapters("en", "chapters"), *template.chapters("en", "annexes")]


def file_units(lines: list[str], shown: str) -> list[Unit]:
    """The units of one file's lines: runs of non-blank lines, split at headings and tables or charts, each
    without the tag-only lines at its edges unless a loop or condition it holds opens or closes there."""
    found: list[Unit] = []
    seen: Counter[str] = Counter()
    for start, end in _runs(lines):
        first, last = start, end
        while first <= last and _no_text(lines[first]):
            first += 1
        while last >= first and _no_text(lines[last]):
            last -= 1
        if first > last:
            continue
        first, last = _balanced(lines, first, last, start, end)
        text_line = next(line for line in lines[first : last + 1] if not _no_text(line)).strip()
        seen[text_line] += 1
        anchor = paragraph_anchor(shown, text_line, seen[text_line])
        found.append(Unit(shown, first + 1, last + 1, "\n".join(lines[first : last + 1]), anchor))
    return found


def _no_text(line: str) -> bool:
    stripped = line.strip()
    return not stripped or bool(TAGS_ONLY.match(stripped))


def _runs(lines: list[str]):
    """Runs of non-blank lines, a heading or a directive a run of its own."""
    start = None
    for i, line in enumerate(lines + [""]):
        stripped = line.strip()
        alone = stripped.startswith("#") and not stripped.startswith("{#") or DIRECTIVE.match(stripped)
        if not stripped or alone:
            if start is not None:
                yield start, i - 1
                start = None
            if alone and stripped.startswith("#"):
                yield i, i
            continue
        if start is None:
            start = i


def _balanced(lines: list[str], first: int, last: int, start: int, end: int) -> tuple[int, int]:
    """Widened over the tag-only lines at the run's edges until every loop and condition opened in the unit is
    closed in it, and every one closed opened in it."""
    while True:
        depth, lowest = 0, 0
        for line in lines[first : last + 1]:
            for tag in PLACEHOLDER.findall(line):
                depth += bool(OPENS.match(tag)) - bool(CLOSES.match(tag))
                lowest = min(lowest, depth)
        if lowest < 0 and first > start:
            first -= 1
        elif depth - lowest > 0 and last < end:
            last += 1
        else:
            return first, last


# The English words that are not prose: report.toml's, and the catalogue's declarations'.


def placed_in_report(template: Template) -> set[str]:
    """The tables the report's own files place (`{{table:name}}`); the dossier's are not translated."""
    files = [template.file(ENGLISH, relative) for relative in template.word_files()]
    return {name for path in files for name in TABLE_PLACED.findall(path.read_text(encoding="utf-8"))}


def config_sources(template: Template) -> list[Source]:
    """Each word of report.toml and of the tables', charts' and figures' declarations, by where it goes."""
    with open(template.file("en", "report.toml"), "rb") as handle:
        config = tomllib.load(handle)
    found = []
    for key in CONFIG_WORDS:
        found += _flattened(key, config.get(key), "reports/template/report.toml")
    for name, table in REPORT_TABLES.items():
        where = f"pipeline/catalogue: table {name}"
        if not table.columns or name not in placed_in_report(template):
            continue  # a table only the dossier shows is in English, the drafters' working language
        found.append(Source(f"tables.{name}.title", table.title, where))
        found += [Source(f"tables.{name}.headers.{i}", c.header, where) for i, c in enumerate(table.columns)]
        found += [Source(f"tables.{name}.notes.{i}", note, where) for i, note in enumerate(table.notes)]
        found += [
            Source(f"tables.{name}.cells.{i}", c.template, where)
            for i, c in enumerate(table.columns)
            if HAS_WORDS.search(PLACEHOLDER.sub("", c.template))
        ]
        if table.totals:
            found.append(Source(f"tables.{name}.total", table.total_label, where))
    for name, chart in CHARTS.items():
        where = f"pipeline/catalogue: chart {name}"
        found.append(Source(f"charts.{name}.title", chart.title, where))
        found += [Source(f"charts.{name}.notes.{i}", note, where) for i, note in enumerate(chart.notes)]
    from pipeline.document.charts import WORDS

    found += [Source(f"chart_words.{k}", v, "pipeline/document/charts.py") for k, v in WORDS.items()]
    found += [Source(f"figure_labels.{k}", v, "pipeline/catalogue/figures.py") for k, v in LABELS.items()]
    found += [Source(f"sources.{k}", v, "pipeline/contract: PUBLIC_SOURCES") for k, v in PUBLIC_SOURCES.items()]
    return found


def _flattened(key: str, value, where: str) -> list[Source]:
    if isinstance(value, str):
        return [Source(key, value, where)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _flattened(f"{key}.{k}", v, where)]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _flattened(f"{key}.{i}", v, where)]
    return []


def english(template: Template) -> list[Source]:
    """Every English message, paragraphs first."""
    prose = [Source(u.anchor, u.text, f"{u.file}:{u.first}") for u in units(template)]
    return prose + config_sources(template)


# Catalogues.


def catalogue_path(template: Template, language: str) -> Path:
    return template.file(language, CATALOGUE)


def template_catalogue(template: Template, language: str) -> Catalog:
    """The English messages as a catalogue for `language` (a POT, with the language's plural forms)."""
    catalogue = Catalog(locale=Locale.parse(language), charset="utf-8", fuzzy=False)
    _headed(catalogue, language)
    for source in english(template):
        # Where the words are, and the UN's own terms for what they name (pipeline/languages/glossary.py).
        notes = [source.where, *glossary.named_in(source.text, language)]
        catalogue.add(source.text, context=source.context, auto_comments=notes)
    return catalogue


def _headed(catalogue: Catalog, language: str) -> None:
    """What the PO file says of itself: the report it translates and how it is kept (not Babel's placeholders)."""
    name = Locale.parse(language).get_display_name("en")
    catalogue.project = "Report of the Secretary-General on the Global Compact for Migration"
    catalogue.version = "1"
    catalogue.copyright_holder = "United Nations"
    catalogue.msgid_bugs_address = ""
    catalogue.last_translator = "the report's translators"
    catalogue.language_team = f"{name} translators"
    catalogue.creation_date = catalogue.revision_date = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    catalogue.header_comment = (
        f"# The Secretary-General's report on the Global Compact for Migration, in {name}.\n"
        "# One entry per paragraph, heading and word of the English template (reports/template/): its context\n"
        "# the paragraph's anchor, the place the words go. Keep every {{ placeholder }} and {% tag %}: they may\n"
        "# move, not go. `sgr translations update` adds what the English adds, and marks fuzzy what it changes."
    )


def read(path: Path, language: str) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def write(path: Path, catalogue: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=0, omit_header=False, sort_output=False, ignore_obsolete=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update(template: Template, language: str) -> Catalog:
    """The language's catalogue made anew from the English template: new English messages added untranslated,
    changed ones matched to their old translation and marked fuzzy, those gone kept as obsolete. Saved."""
    path = catalogue_path(template, language)
    fresh = template_catalogue(template, language)
    if not path.exists():
        write(path, fresh)
        return fresh
    catalogue = read(path, language)
    catalogue.update(fresh, no_fuzzy_matching=False, update_header_comment=False)
    write(path, catalogue)
    return catalogue


def coverage(catalogue: Catalog) -> Coverage:
    messages = [m for m in catalogue if m.id]
    done = [m for m in messages if m.string and not m.fuzzy]
    return Coverage(
        len(messages),
        len(done),
        sum(1 for m in messages if m.string and m.fuzzy),
        sum(_words(m.id) for m in messages),
        sum(_words(m.id) for m in done),
    )


def _words(text: str) -> int:
    return len(PLACEHOLDER.sub(" ", text).split())


def load(template: Template, language: str) -> Translation:
    """The translated messages a language's draft uses: those whose English source is still the template's (one
    whose English changed since is taken as fuzzy until `sgr translations update` and a translator confirm it),
    each checked against its source: a placeholder dropped, added or misspelt, or a paragraph split by a blank
    line, fails naming the PO file and line."""
    sources = english(template)
    current = {s.context: s.text for s in sources}
    path = catalogue_path(template, language)
    translation = Translation(language, path if path.exists() else None)
    fuzzy = 0
    if path.exists():
        shown = template.shown(path)
        for message in read(path, language):
            if not message.id or not message.string or message.context not in current:
                continue
            if message.fuzzy or message.id != current[message.context]:
                fuzzy += 1
                continue
            check_placeholders(message, f"{shown} line {message.lineno}")
            translation.texts[message.context] = message.string
            translation.lines[message.context] = message.lineno
    translation.coverage = Coverage(
        len(sources),
        len(translation.texts),
        fuzzy,
        sum(_words(s.text) for s in sources),
        sum(_words(s.text) for s in sources if s.context in translation.texts),
    )
    return translation


def translated_config(config: dict, sources: list[Source], translation: Translation) -> dict:
    """report.toml's words and the declarations' in the language where its catalogue translates them, English's
    elsewhere; `untranslated` lists the places whose words are English's, which are drafted in English forms."""
    words = {**config}
    untranslated = set()
    for source in sources:
        if source.context.startswith("sgr_p_"):
            continue  # a paragraph: the Markdown files' own
        text = translation.text(source.context)
        if text is None:
            untranslated.add(source.context)
        _place(words, source.context.split("."), text if text is not None else source.text)
    words["untranslated"] = untranslated
    return words


def _place(config: dict, path: list[str], value: str) -> None:
    """`tables.regional_reviews.headers.2` into config["tables"]["regional_reviews"]["headers"][2]."""
    *parents, last = path
    node = config
    for i, key in enumerate(parents):
        following = parents[i + 1] if i + 1 < len(parents) else last
        default = [] if following.isdigit() and key in ("headers", "notes") else {}
        if isinstance(node, list):
            key = int(key)
            while len(node) <= key:
                node.append(None)
            node[key] = node[key] if node[key] is not None else default
            node = node[key]
        else:
            node[key] = dict(node[key]) if isinstance(node.get(key), dict) else node.get(key) or default
            node = node[key]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def placeholders(text: str) -> Counter:
    """What a text's placeholders and tags name, without the words given to filters (string literals and
    arguments) or the filters themselves."""
    found: Counter[str] = Counter()
    for tag in PLACEHOLDER.findall(text):
        body = tag[2:-2].strip().strip("-").strip()
        body = CALL.sub("", LITERAL.sub("", body))
        if tag.startswith("{{"):
            body = body.split("|")[0]
        elif body.startswith("set "):
            body = body.split("|")[0]
        found[" ".join(body.split())] += 1
    return found


def check_placeholders(message: Message, where: str) -> None:
    ours, theirs = placeholders(message.id), placeholders(message.string)
    if ours != theirs:
        missing, extra = ours - theirs, theirs - ours
        said = []
        if missing:
            said.append(f"drops {', '.join(sorted(missing))}")
        if extra:
            said.append(f"adds or misspells {', '.join(sorted(extra))}")
        raise NarrativeError(f"{where}: the translation of {message.context!r} {' and '.join(said)}")
    if "\n\n" in message.string.strip() or any(
        line.count("{{") != line.count("}}") or line.count("{%") != line.count("%}")
        for line in message.string.splitlines()
    ):
        raise NarrativeError(
            f"{where}: the translation of {message.context!r} has a blank line or a placeholder over two lines: a "
            "paragraph is one block of lines, each placeholder on one line"
        )


# XLIFF 2.0, for translation tools.


def to_xliff(catalogue: Catalog, language: str) -> bytes:
    """The catalogue as XLIFF 2.0: a unit per message (its id the message's context), its English source, its
    target when translated (state `translated`, or `initial` when fuzzy), the template's place as a note."""
    root = etree.Element(f"{{{XLIFF}}}xliff", nsmap={None: XLIFF}, version="2.0", srcLang="en", trgLang=language)
    file = etree.SubElement(root, f"{{{XLIFF}}}file", id="messages")
    for message in catalogue:
        if not message.id:
            continue
        unit = etree.SubElement(file, f"{{{XLIFF}}}unit", id=message.context or message.id)
        if message.auto_comments:
            notes = etree.SubElement(unit, f"{{{XLIFF}}}notes")
            for comment in message.auto_comments:
                etree.SubElement(notes, f"{{{XLIFF}}}note", category="location").text = comment
        state = "initial" if not message.string else "initial" if message.fuzzy else "translated"
        segment = etree.SubElement(unit, f"{{{XLIFF}}}segment", state=state)
        etree.SubElement(segment, f"{{{XLIFF}}}source").text = message.id
        if message.string:
            etree.SubElement(segment, f"{{{XLIFF}}}target").text = message.string
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xliff_root(data: bytes, shown: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise NarrativeError(f"{shown} line {error.lineno}: not XML: {error.msg}") from None
    if root.tag != f"{{{XLIFF}}}xliff" or not root.get("version", "").startswith("2."):
        raise NarrativeError(f"{shown}: not an XLIFF 2 file (its root is {root.tag})")
    return root


def xliff_language(data: bytes, shown: str) -> str:
    """The target language an XLIFF 2.0 file says it holds."""
    return (_xliff_root(data, shown).get("trgLang") or "").split("-")[0]


def from_xliff(data: bytes, catalogue: Catalog, shown: str) -> int:
    """Each target of an XLIFF 2.0 file into the catalogue, by unit id; a unit whose source is no longer the
    catalogue's (the English changed since the export) is taken as fuzzy. Returns how many were taken."""
    root = _xliff_root(data, shown)
    by_context = {m.context: m for m in catalogue if m.id}
    taken = 0
    for unit in root.iter(f"{{{XLIFF}}}unit"):
        message = by_context.get(unit.get("id"))
        segment = unit.find(f"{{{XLIFF}}}segment")
        target = segment.find(f"{{{XLIFF}}}target") if segment is not None else None
        if message is None or target is None or not (target.text or "").strip():
            continue
        source = segment.find(f"{{{XLIFF}}}source")
        message.string = target.text
        stale = source is None or source.text != message.id
        if segment.get("state") in ("translated", "reviewed", "final") and not stale:
            message.flags.discard("fuzzy")
        else:
            message.flags.add("fuzzy")
        taken += 1
    return taken


# A language's draft of a Markdown file: its translated paragraphs in its words and forms, the others English's.


@dataclass(frozen=True)
class Assembled:
    """A template file with each translated unit in its translation: its text, and for each of its lines the unit
    it belongs to (None: a line between units)."""

    text: str
    unit_of_line: list[int | None]


def assemble(lines: list[str], file_units: list[Unit], translation: Translation) -> Assembled:
    out: list[str] = []
    owner: list[int | None] = []
    by_first = {u.first: (i, u) for i, u in enumerate(file_units)}
    number = 1
    while number <= len(lines):
        if number in by_first:
            index, unit = by_first[number]
            text = translation.text(unit.anchor) or unit.text
            for line in text.splitlines():
                out.append(line)
                owner.append(index)
            number = unit.last + 1
            continue
        out.append(lines[number - 1])
        owner.append(None)
        number += 1
    return Assembled("\n".join(out) + "\n", owner)


def english_owners(lines: list[str], file_units: list[Unit]) -> list[int | None]:
    """For each line of the English file, the unit it belongs to."""
    owner: list[int | None] = [None] * len(lines)
    for index, unit in enumerate(file_units):
        for number in range(unit.first, unit.last + 1):
            owner[number - 1] = index
    return owner


def line_of(source: str) -> int | None:
    """The line number of a block's source ("reports/template/summary.md line 14")."""
    _, _, number = source.rpartition(" line ")
    return int(number) if number.isdigit() else None


def interleaved(ours: list, theirs: list, our_owner: list, their_owner: list, units: list[Unit], translation):
    """The language's blocks (`theirs`) with each untranslated paragraph replaced by its English block (`ours`,
    drafted in English forms), and each translated one given the English block's source, so that its anchor is
    English's: the same in every language. Paired by unit and by occurrence (a loop makes a unit's paragraph
    more than once)."""

    def keyed(blocks, owner):
        seen: Counter[int] = Counter()
        for block in blocks:
            number = line_of(block.source)
            unit = owner[number - 1] if number is not None and 0 < number <= len(owner) else None
            if unit is None or block.kind in ("table", "chart"):
                yield None, block
                continue
            seen[unit] += 1
            yield (unit, seen[unit]), block

    english_by_key = {key: block for key, block in keyed(ours, our_owner) if key is not None}
    made = []
    for key, block in keyed(theirs, their_owner):
        if key is None:
            made.append(block)
            continue
        counterpart = english_by_key.get(key)
        if translation.text(units[key[0]].anchor) is not None:
            if counterpart is not None:
                block.source = counterpart.source
            made.append(block)
        elif counterpart is not None:
            counterpart.english = True
            made.append(counterpart)
    return made
