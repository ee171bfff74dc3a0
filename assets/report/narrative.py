"""The report's prose: Markdown files under reports/template/ with placeholders for figures.

`# ` starts the title, `## ` a heading and a blank line a new paragraph; `{{name}}` is
replaced by the key figure or fact of that name. An unknown name is an error naming the
file and the line, never a silent blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class Value:
    """What a placeholder stands for: its text in the document and, for a key figure, its name."""

    text: str
    figure: str | None = None


@dataclass
class Block:
    style: str  # "title", "heading" or "paragraph"
    runs: list[Value] = field(default_factory=list)
    line: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


class NarrativeError(ValueError):
    pass


def render(path: Path, values: dict[str, Value], shown_as: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    name = shown_as or path.name
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        style = "title" if stripped.startswith("# ") else "heading" if stripped.startswith("## ") else "paragraph"
        if style != "paragraph":
            stripped = stripped.lstrip("#").strip()
            current = None
        runs = _substitute(stripped, values, name, number)
        if current is not None and style == "paragraph":
            current.runs += [Value(" ")] + runs
            continue
        current = Block(style, runs, number)
        blocks.append(current)
        if style != "paragraph":
            current = None
    return blocks


def _substitute(text: str, values: dict[str, Value], file: str, line: int) -> list[Value]:
    runs, position = [], 0
    for match in PLACEHOLDER.finditer(text):
        key = match.group(1)
        if key not in values:
            raise NarrativeError(
                f"{file} line {line}: unknown placeholder {{{{{key}}}}}; known names: {', '.join(sorted(values))}"
            )
        if match.start() > position:
            runs.append(Value(text[position : match.start()]))
        runs.append(values[key])
        position = match.end()
    if position < len(text):
        runs.append(Value(text[position:]))
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise NarrativeError(f"{file} line {line}: a placeholder is not closed or not a plain name: {text!r}")
    return runs
