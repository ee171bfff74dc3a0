"""`.xlsx` workbooks. The zip's directory is read first, without inflating anything: an encrypted or
old-format file, a workbook too large once unzipped or with a part that inflates suspiciously, and a
macro-enabled workbook are refused by name before openpyxl opens them. openpyxl then reads with
defusedxml's parser (XML entities are refused, so entity expansion cannot happen) and without
external links; a formula cell is read as the value Excel saved with it, never evaluated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile

import defusedxml  # noqa: F401  (openpyxl parses with defusedxml whenever it is importable)
import pyarrow as pa
from defusedxml import DefusedXmlException

from pipeline.contract import Table
from pipeline.limits import Limits, over
from pipeline.problems import Problem
from pipeline.readers.sources import Sheet, SourceFile

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of an encrypted workbook or an .xls
MACROS = "a macro-enabled workbook (.xlsm) named .xlsx: save it as an Excel Workbook (.xlsx), without macros"
ENCRYPTED = (
    "an encrypted (password-protected) workbook or an Excel 97-2003 file: save it as an Excel Workbook (.xlsx) "
    "without a password"
)
KEPT_OPEN = 16  # workbooks kept open: a family's, read table after table
_KEPT_OPEN: dict[tuple, object] = {}  # oldest first
NO_SAVED_VALUE = "a formula without the value Excel saves with it: open the workbook in Excel and save it again"


def unreadable(reason: str) -> str:
    return f"not a readable .xlsx workbook ({reason}): open and save it again in Excel"


def inflation(parts: list[zipfile.ZipInfo], limit: Limits) -> str | None:
    """Why an Office file's zip is refused from its directory alone, before anything is inflated (a zip bomb)."""
    total = sum(part.file_size for part in parts)
    if total > limit.workbook_bytes:
        return over("too large once unzipped", total / 2**20, limit.workbook_mb, "MB", "workbook_mb")
    for part in parts:
        if part.compress_size and part.file_size / part.compress_size > limit.zip_ratio:
            ratio = part.file_size / part.compress_size
            return over(f"{part.filename} inflates too much", ratio, limit.zip_ratio, "times", "zip_ratio")
    return None


def inspect(source: SourceFile, limit: Limits) -> str | None:
    """Why a workbook is refused before it is opened, from its first bytes and its zip directory."""
    with open(source.readable, "rb") as handle:
        if handle.read(len(OLE)) == OLE:
            return ENCRYPTED
    try:
        with zipfile.ZipFile(source.readable) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            inflated = inflation(parts, limit)
            if inflated:
                return inflated
            if "xl/vbaProject.bin" in names:
                return MACROS
            if "[Content_Types].xml" in names and b"macroEnabled" in archive.read("[Content_Types].xml"):
                return MACROS
    except zipfile.BadZipFile:
        return unreadable("BadZipFile")
    except Exception as error:  # a damaged deflate stream, an unsupported or encrypted zip entry
        return unreadable(type(error).__name__)
    return None


def read(source: SourceFile, table: Table, limit: Limits, problems: list[Problem]) -> Sheet | None:
    refused = inspect(source, limit)
    if refused:
        problems.append(Problem(source.name, refused))
        return None
    try:
        return _read(source, table, problems)
    except Exception as error:  # openpyxl raises zip, XML and key errors for damaged files, and wraps some
        if any(isinstance(cause, DefusedXmlException) for cause in _chain(error)):
            problems.append(Problem(source.name, unreadable("it declares XML entities, which are refused")))
        else:
            problems.append(Problem(source.name, unreadable(type(error).__name__)))
    return None


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


@contextlib.contextmanager
def _opened(source: SourceFile, saved_values: bool):
    """The workbook, read-only. An archived copy never changes (it is named by its SHA-256): it is opened once
    for all the tables of its family, which are sheets of the same workbooks, and kept open for the next."""
    import openpyxl

    archived = source.kept is not None and source.digest is not None
    key = (str(source.kept), source.digest, saved_values)
    workbook = _KEPT_OPEN.pop(key, None) if archived else None
    if workbook is None:
        workbook = openpyxl.load_workbook(source.readable, read_only=True, data_only=saved_values, keep_links=False)
    try:
        yield workbook
    except BaseException:
        workbook.close()
        raise
    if not archived:
        workbook.close()
        return
    _KEPT_OPEN[key] = workbook
    while len(_KEPT_OPEN) > KEPT_OPEN:
        _KEPT_OPEN.pop(next(iter(_KEPT_OPEN))).close()


def _read(source: SourceFile, table: Table, problems: list[Problem]) -> Sheet | None:
    with _opened(source, saved_values=False) as workbook:
        name = next((n for n in workbook.sheetnames if n.strip().lower() == table.name), None)
        if name is None:
            return None
        rows = workbook[name].iter_rows()
        first = next(rows, None)
        if first is None:
            problems.append(Problem(source.name, "the sheet is empty: it needs at least a header row", sheet=name))
            return None
        header = [str(c.value).strip() if c.value is not None else "" for c in first]
        while header and header[-1] == "":
            header.pop()
        columns, lines, formulas = _columns(rows, header, source, name, problems)
    if formulas:
        _saved_values(source, name, header, columns, lines, formulas, problems)
    cells = pa.table({h: pa.array(col, pa.string()) for h, col in zip(header, columns, strict=True)})
    return Sheet(source, name, header, cells, pa.array(lines, pa.int64()))


def _columns(rows, header: list[str], source: SourceFile, sheet: str, problems: list[Problem]):
    """The cells under the header, column by column; the line of each row kept; where the formulas are."""
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    formulas: dict[tuple[int, int], int] = {}  # (line, column) -> the row's place in `columns`
    for line, row in enumerate(rows, start=2):
        values = [_cell_text(cell.value) for cell in row]
        is_formula = [getattr(cell, "data_type", None) == "f" for cell in row]
        if all(v is None for v in values):
            continue
        extra = [v for v in values[len(header) :] if v is not None]
        if extra:
            rule = f"a value beyond the header's {len(header)} columns"
            problems.append(Problem(source.name, rule, sheet=sheet, line=line, value=extra[0]))
        for i in range(len(header)):
            columns[i].append(values[i] if i < len(values) else None)
            if i < len(values) and is_formula[i]:
                formulas[line, i] = len(lines)
        lines.append(line)
    return columns, lines, formulas


def _saved_values(source, sheet: str, header, columns, lines, formulas, problems: list[Problem]) -> None:
    """Put the value Excel saved in place of each formula; a formula saved without one is a problem."""
    with _opened(source, saved_values=True) as workbook:
        for line, row in enumerate(workbook[sheet].iter_rows(min_row=2), start=2):
            for i, cell in enumerate(row[: len(header)]):
                if (line, i) in formulas:
                    columns[i][formulas[line, i]] = _cell_text(cell.value)
    for (line, i), place in sorted(formulas.items()):
        if columns[i][place] is None:
            problems.append(Problem(source.name, NO_SAVED_VALUE, sheet, line, header[i]))


def _cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold, so both formats type the same way."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
