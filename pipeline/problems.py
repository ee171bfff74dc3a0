"""Problems found in source files, worded for the drafter who has to fix them."""

from __future__ import annotations

from dataclasses import dataclass, field

EXAMPLES_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One offending place: `file[:sheet] line N, column C: value V — rule`."""

    file: str
    rule: str
    sheet: str | None = None
    line: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file + (f":{self.sheet}" if self.sheet else "")
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        if self.value is not None:
            where += f": value {show_value(self.value)}"
        return f"{where} — {self.rule}"


def show_value(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


@dataclass
class Failure:
    """A rule that some rows break: how many, and the first few of them."""

    table: str
    rule: str
    count: int
    examples: list[Problem]
    column: str | None = None
    severity: str = "error"
    files: tuple[str, ...] = ()  # every file with an offending row, not only those in the examples

    def __str__(self) -> str:
        unit = "row" if any(p.line is not None for p in self.examples) else "file"
        rows = f"{self.count} {unit}{'s' if self.count != 1 else ''}"
        head = f"{self.table}{'.' + self.column if self.column else ''}: {self.rule} ({rows})"
        lines = [head] + [f"  {p}" for p in self.examples[:EXAMPLES_SHOWN]]
        if self.count > EXAMPLES_SHOWN:
            lines.append(f"  ... and {self.count - EXAMPLES_SHOWN} more")
        return "\n".join(lines)


@dataclass
class SourceError(Exception):
    """Source files that cannot be taken in; carries every broken rule, not just the first."""

    table: str
    failures: list[Failure] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.failures)
