"""How large a source file may be, checked before anything is parsed: a hostile or mistaken file is
refused in seconds, in bounded memory, with a message that names it and says how to change the limit.

Each limit has its environment variable; the `settings` resource can set them for a run (pipeline/config.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

ENVIRONMENT = {
    "file_mb": "SGR_MAX_FILE_MB",
    "line_kb": "SGR_MAX_LINE_KB",
    "field_kb": "SGR_MAX_FIELD_KB",
    "columns": "SGR_MAX_COLUMNS",
    "workbook_mb": "SGR_MAX_WORKBOOK_MB",
    "zip_ratio": "SGR_MAX_ZIP_RATIO",
}


@dataclass(frozen=True)
class Limits:
    file_mb: float = 256  # a source file, as it is on disk
    line_kb: float = 1024  # one CSV row
    field_kb: float = 128  # one cell
    columns: int = 1000  # columns of a header
    workbook_mb: float = 1024  # a workbook's parts once unzipped, together
    zip_ratio: float = 100  # how many times one part of a workbook may inflate

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 2**20)

    @property
    def line_bytes(self) -> int:
        return int(self.line_kb * 2**10)

    @property
    def field_chars(self) -> int:
        return int(self.field_kb * 2**10)

    @property
    def workbook_bytes(self) -> int:
        return int(self.workbook_mb * 2**20)


def limits(env: Mapping[str, str] = os.environ, **given: float) -> Limits:
    """The limits given (a value of 0 or none means not given), else `env`'s, else the defaults."""
    values = {}
    for field in fields(Limits):
        value = given.get(field.name) or env.get(ENVIRONMENT[field.name])
        if value:
            try:
                values[field.name] = int(value) if field.type == "int" else float(value)
            except ValueError:
                raise ValueError(f"{ENVIRONMENT[field.name]}={value!r} is not a number") from None
    return Limits(**values)


def _amount(value: float, unit: str) -> str:
    """`1,024 MB`, `3.5 MB`, `0.019 MB`."""
    shown = f"{value:,.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0") if value >= 1 else f"{value:.2g}"
    return f"{shown} {unit}"


def over(what: str, size: float, limit: float, unit: str, name: str) -> str:
    """`too large (1,024 MB; the limit is 256 MB, set SGR_MAX_FILE_MB to change it)`."""
    shown, allowed = _amount(size, unit), _amount(limit, unit)
    return f"{what} ({shown}; the limit is {allowed}, set {ENVIRONMENT[name]} to change it)"


def beyond(what: str, limit: float, unit: str, name: str) -> str:
    """`a row longer than 1,024 KB, the limit (set SGR_MAX_LINE_KB to change it)`."""
    return f"{what} longer than {_amount(limit, unit)}, the limit (set {ENVIRONMENT[name]} to change it)"
