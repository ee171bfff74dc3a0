"""Whether a column's cells need no trimming and are all in their type's form, answered from Arrow's
bytes with numpy: a column as the contract asks (nearly every column) costs a pass over its bytes
instead of a regular expression per cell. Each answer is exact for "yes"; "no" sends the column to the
regular expressions in cells.py (PATTERNS), which name each cell out of form. tests/test_cell_bytes.py holds
the two to the same answer on every short string of the characters that matter.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipeline.contract import DATE, DECIMAL, INTEGER

PLUS, MINUS, DOT = ord("+"), ord("-"), ord(".")
DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # YYYY-MM-DD


def needs_trim(text: pa.ChunkedArray) -> bool:
    """Whether any cell is empty or starts or ends with a byte that may be whitespace: an ASCII control or
    space, or any byte of a non-ASCII character (Unicode's spaces are all outside ASCII)."""
    for chunk in text.chunks:
        cells = _cells(chunk)
        if cells is None:
            return True
        data, starts, ends = cells
        if len(starts) == 0:
            continue
        if (ends == starts).any():
            return True
        edges = np.concatenate([data[starts], data[ends - 1]])
        if ((edges <= 0x20) | (edges >= 0x80)).any():
            return True
    return False


def all_in_form(text: pa.ChunkedArray, base: str) -> bool:
    """True only if every cell given matches its type's pattern (INTEGER_PATTERN, DECIMAL_PATTERN,
    DATE_PATTERN in cells.py); False where one does not, or where the bytes are not laid out plainly."""
    return all(_chunk_in_form(chunk, base) for chunk in text.chunks)


def _chunk_in_form(chunk: pa.Array, base: str) -> bool:
    cells = _contiguous(chunk)
    if cells is None:
        return False
    data, starts, ends = cells
    lengths = ends - starts
    if len(lengths) == 0:
        return True
    if (lengths == 0).any():
        return False
    if base == DATE:
        if (lengths != 10).any():
            return False
        days = data.reshape(-1, 10)
        digits = np.subtract(days[:, DATE_DIGITS], ord("0"), dtype=np.uint8) < 10
        return bool(digits.all() and (days[:, 4] == MINUS).all() and (days[:, 7] == MINUS).all())
    others = np.flatnonzero(np.subtract(data, ord("0"), dtype=np.uint8) > 9)
    if len(others) == 0:
        return True  # digits only
    cell = np.searchsorted(starts, others, side="right") - 1
    first = others == starts[cell]
    byte = data[others]
    sign = (byte == PLUS) | (byte == MINUS)
    if (sign & ~first).any():
        return False  # a sign only before the number
    if base == INTEGER:
        return bool(sign.all() and (lengths[cell] >= 2).all())
    dot = byte == DOT
    if base != DECIMAL or not (sign | dot).all():
        return False
    dotted = cell[dot]
    if (np.diff(dotted) == 0).any():
        return False  # two decimal marks in one cell
    return bool((lengths - np.bincount(cell, minlength=len(lengths)) >= 1).all())  # a digit in each


def _cells(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A string chunk's bytes and where each cell given starts and ends in them; None for another type."""
    if chunk.type == pa.string():
        width = np.int32
    elif chunk.type == pa.large_string():
        width = np.int64
    else:
        return None
    _, offsets, data = chunk.buffers()
    ends = np.frombuffer(offsets, width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, ends = ends[:-1], ends[1:]
    if chunk.null_count:
        given = chunk.is_valid().to_numpy(zero_copy_only=False)
        starts, ends = starts[given], ends[given]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return data, starts, ends


def _contiguous(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The cells given, their bytes one after the other (as Arrow's readers lay them out), with starts and
    ends counted from the first; None if bytes lie between them."""
    cells = _cells(chunk)
    if cells is None:
        return None
    data, starts, ends = cells
    if len(starts) == 0:
        return data[:0], starts, ends
    if not np.array_equal(starts[1:], ends[:-1]):
        return None
    first = starts[0]
    return data[first : ends[-1]], starts - first, ends - first
