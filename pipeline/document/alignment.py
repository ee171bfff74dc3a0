"""A translation's template lines up with English's: the same files, the same paragraphs in the same
order, and in each paragraph the same placeholders, so that every language's draft has the same
numbered paragraphs, footnotes, tables and charts, and states the same figures.

Words differ, and so may the words a filter is given (`plural('jour', 'jours')`): string literals
are not compared. Jinja comments (`{# to be translated #}`) are not paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.document.narrative import DIRECTIVE, NarrativeError
from pipeline.paths import Template

PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
COMMENT = re.compile(r"\{#.*?#\}")


@dataclass
class Paragraph:
    line: int
    kind: str  # "chapter", "section", "table", "chart" or "text"
    placeholders: Counter


def paragraphs(path: Path) -> list[Paragraph]:
    found: list[Paragraph] = []
    current: Paragraph | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = COMMENT.sub("", raw).strip()
        if not line:
            if not COMMENT.search(raw):
                current = None  # a blank line ends a paragraph; a comment's line does not
            continue
        if current is None:
            current = Paragraph(number, _kind(line), Counter())
            found.append(current)
        current.placeholders.update(_normal(p) for p in PLACEHOLDER.findall(line))
    return found


def _kind(line: str) -> str:
    directive = DIRECTIVE.match(line)
    if directive:
        return directive.group(1)
    if line.startswith("## "):
        return "section"
    return "chapter" if line.startswith("# ") else "text"


def _normal(placeholder: str) -> str:
    return " ".join(LITERAL.sub("''", placeholder).replace("{{", "{{ ").replace("}}", " }}").split())


def check_aligned(template: Template, language: str) -> None:
    """Raise NarrativeError naming the file and line where `language`'s template leaves English's."""
    folder = template.words(language)
    shown = template.shown(folder)
    if not folder.is_dir():
        raise NarrativeError(f"{shown}/ does not exist: copy reports/template/ there and translate it")
    english, translated = template.word_files(), template.word_files(language)
    missing = sorted(set(map(str, english)) - set(map(str, translated)))
    extra = sorted(set(map(str, translated)) - set(map(str, english)))
    if missing or extra:
        raise NarrativeError(
            f"{shown}/ does not have English's files: "
            + "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not in English {', '.join(extra)}" if extra else "",
                )
                if part
            )
        )
    for name in english:
        ours, theirs = template.file("en", name), template.file(language, name)
        _compare(ours, theirs, template.shown(ours), template.shown(theirs))


def _compare(english: Path, translated: Path, english_shown: str, shown: str) -> None:
    ours, theirs = paragraphs(english), paragraphs(translated)
    for mine, other in zip(ours, theirs, strict=False):
        where = f"{shown} line {other.line}"
        against = f"{english_shown} line {mine.line}"
        if mine.kind != other.kind:
            raise NarrativeError(f"{where}: a {other.kind} where English has a {mine.kind} ({against})")
        if mine.placeholders != other.placeholders:
            lost = sorted((mine.placeholders - other.placeholders).elements())
            added = sorted((other.placeholders - mine.placeholders).elements())
            said = [f"missing {', '.join(lost)}" if lost else "", f"not in English {', '.join(added)}" if added else ""]
            raise NarrativeError(
                f"{where}: the placeholders differ from English's ({against}): " + "; ".join(s for s in said if s)
            )
    if len(ours) != len(theirs):
        shorter = min(len(ours), len(theirs))
        first = (theirs[shorter].line if len(theirs) > shorter else "the end") if theirs else "the start"
        raise NarrativeError(
            f"{shown} line {first}: {len(theirs)} paragraphs where English has {len(ours)} ({english_shown})"
        )
