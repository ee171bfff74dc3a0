"""CSV files, read in bounded memory: the header line is read alone and checked against the limits
before the body is parsed; pyarrow parses the body from the file in blocks no larger than the row
limit; whatever cannot be read is located (line, column) and said in the drafter's words.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.limits import Limits, beyond, over
from pipeline.problems import Problem
from pipeline.readers.sources import Sheet, SourceFile

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20
NOT_UTF8 = "the file is not UTF-8 text: save it as 'CSV UTF-8'"


def read(source: SourceFile, limit: Limits, problems: list[Problem]) -> Sheet | None:
    with open(source.readable, "rb") as handle:
        start = len(BOM) if handle.read(len(BOM)) == BOM else 0
        handle.seek(start)
        first = handle.readline(limit.line_bytes + 1)
        if not first.strip() and _blank(handle):
            problems.append(Problem(source.name, "the file is empty: it needs at least a header row"))
            return None
    if len(first) > limit.line_bytes:
        problems.append(Problem(source.name, _row_too_long(limit), line=1))
        return None
    header = _header(first, source, limit, problems)
    if header is None:
        return None
    scan = _scan(source, start, limit)
    if scan.long_line:
        problems.append(Problem(source.name, _row_too_long(limit), line=scan.long_line))
        return None
    invalid: list[pacsv.InvalidRow] = []
    try:
        cells = _parse(source, header, limit, threads=True, invalid=invalid)
        cells.validate(full=True)  # pyarrow does not check every string's UTF-8 while it parses
    except (pa.ArrowInvalid, pa.ArrowKeyError) as error:
        problems.append(_unreadable(source, start, limit, str(error)))
        return None
    except UnicodeDecodeError:  # pyarrow's message about bytes that are not UTF-8 holds those bytes
        problems.append(Problem(source.name, NOT_UTF8, line=_first_invalid_utf8_line(source, start)))
        return None
    if invalid:
        # pyarrow numbers a row only when it reads on one thread: read again so, to name each one's line.
        invalid.clear()
        _parse(source, header, limit, threads=False, invalid=invalid)
        for row in invalid:
            rule = f"the row has {row.actual_columns} fields where the header has {row.expected_columns}"
            problems.append(Problem(source.name, rule, line=row.number, value=row.text))
        return None
    try:
        lines = _lines(source, scan, cells.num_rows, limit)
    except UnicodeDecodeError:  # bytes pyarrow let pass where no column was typed
        problems.append(Problem(source.name, NOT_UTF8, line=_first_invalid_utf8_line(source, start)))
        return None
    if _cell_too_long(source, cells, lines, limit, problems):
        return None
    return Sheet(source, None, header, cells, lines)


def _blank(handle) -> bool:
    return all(not block.strip() for block in iter(lambda: handle.read(CHUNK), b""))


def _row_too_long(limit: Limits) -> str:
    return beyond("a row", limit.line_kb, "KB", "line_kb")


def _cell_too_long_rule(limit: Limits) -> str:
    return beyond("a cell", limit.field_kb, "KB", "field_kb")


def _header(first: bytes, source: SourceFile, limit: Limits, problems: list[Problem]) -> list[str] | None:
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(source.name, NOT_UTF8, line=1))
        return None
    columns = text.count(",") + 1
    if columns > limit.columns:
        rule = over("a header with too many columns", columns, limit.columns, "columns", "columns")
        problems.append(Problem(source.name, rule, line=1))
        return None
    csv.field_size_limit(limit.field_chars)
    try:
        fields = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        problems.append(Problem(source.name, _cell_too_long_rule(limit), line=1))
        return None
    return [name.strip() for name in fields]


def _parse(
    source: SourceFile, header: list[str], limit: Limits, threads: bool, invalid: list[pacsv.InvalidRow]
) -> pa.Table:
    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    return pacsv.read_csv(
        source.readable,
        read_options=pacsv.ReadOptions(
            column_names=header, skip_rows=1, use_threads=threads, block_size=max(limit.line_bytes + 1, 1 << 16)
        ),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )


def _unreadable(source: SourceFile, start: int, limit: Limits, message: str) -> Problem:
    """A file pyarrow could not parse, located where possible, in the drafter's words."""
    if "invalid UTF8" in message or "Invalid UTF8" in message:
        return Problem(source.name, NOT_UTF8, line=_first_invalid_utf8_line(source, start))
    if "straddl" in message:
        return Problem(source.name, _row_too_long(limit))
    return Problem(source.name, f"not a CSV file that can be read ({message.splitlines()[0]})")


def _first_invalid_utf8_line(source: SourceFile, start: int) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(source.readable, "rb") as handle:
        handle.seek(start)
        for block in iter(lambda: handle.read(CHUNK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return line + block.count(b"\n", 0, error.start)
            line += block.count(b"\n")
    return None


def _cell_too_long(source: SourceFile, cells: pa.Table, lines: pa.Array, limit: Limits, problems) -> bool:
    for i, name in enumerate(cells.column_names):
        if not pa.types.is_string(cells.column(i).type):
            continue  # a column of nothing but empty cells
        if (pc.max(pc.binary_length(cells.column(i))).as_py() or 0) <= limit.field_chars:
            continue  # no cell has more bytes than the limit has characters: none is too long
        too_long = pc.greater(pc.utf8_length(cells.column(i)), limit.field_chars)
        if pc.any(too_long).as_py():
            first = pc.indices_nonzero(too_long.combine_chunks())[0].as_py()
            problems.append(Problem(source.name, _cell_too_long_rule(limit), line=lines[first].as_py(), column=name))
            return True
    return False


@dataclass
class Scan:
    start: int = 0  # after the byte order mark
    breaks: int = 0  # line feeds
    carriage_returns: bool = False  # any: a lone one ends a record for pyarrow, not a line
    ends_with_break: bool = True
    long_line: int | None = None  # the first line longer than the limit


def _scan(source: SourceFile, start: int, limit: Limits) -> Scan:
    """One pass over the bytes, in blocks: the lines, whether any ends in a carriage return, the first too
    long for a row."""
    scan, length, tail = Scan(start), 0, b""
    with open(source.readable, "rb") as handle:
        handle.seek(start)
        for block in iter(lambda: handle.read(CHUNK), b""):
            scan.carriage_returns = scan.carriage_returns or b"\r" in block
            first, last = block.find(b"\n"), block.rfind(b"\n")
            if scan.long_line is None:
                if first < 0:
                    length += len(block)
                elif length + first > limit.line_bytes:
                    scan.long_line = scan.breaks + 1
                elif last - first > limit.line_bytes:  # only a limit below the block's size needs each line
                    ends = np.diff(np.flatnonzero(np.frombuffer(block, np.uint8) == 10)) - 1
                    too_long = np.flatnonzero(ends > limit.line_bytes)
                    if len(too_long):
                        scan.long_line = scan.breaks + int(too_long[0]) + 2
                if first >= 0:
                    length = len(block) - last - 1
                if length > limit.line_bytes and scan.long_line is None:
                    scan.long_line = scan.breaks + block.count(b"\n") + 1
            scan.breaks += block.count(b"\n")
            tail = (tail + block[-2:])[-2:]
    scan.ends_with_break = tail.endswith(b"\n") or not tail
    return scan


def _blank_line(source: SourceFile, start: int) -> bool:
    tail = b""
    with open(source.readable, "rb") as handle:
        handle.seek(start)
        for block in iter(lambda: handle.read(CHUNK), b""):
            joined = tail + block
            if b"\n\n" in joined or b"\n\r\n" in joined:
                return True
            tail = joined[-2:]
    return False


def _lines(source: SourceFile, scan: Scan, rows: int, limit: Limits) -> pa.Array:
    """The line each record starts on (header = line 1), as a person sees it in an editor."""
    lines = scan.breaks + (0 if scan.ends_with_break else 1)
    # Each line one record, unless a blank line (pyarrow skips it) makes up for a lone carriage return.
    if lines == rows + 1 and not (scan.carriage_returns and _blank_line(source, scan.start)):
        return pa.array(np.arange(2, rows + 2, dtype=np.int64))
    # Quoted line breaks or blank lines: count the lines records really start on.
    csv.field_size_limit(limit.line_bytes)
    starts = []
    with open(source.readable, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        previous_end = reader.line_num
        for record in reader:
            if record and reader.line_num > 1:  # as pyarrow, which skips only empty lines
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    if len(starts) != rows:  # never expected; numbered in order rather than not at all
        return pa.array(np.arange(2, rows + 2, dtype=np.int64))
    return pa.array(starts, pa.int64())
