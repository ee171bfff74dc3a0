"""The byte-level checks of pipeline/readers/cell_bytes.py held to the contract's regular expressions and to
Arrow's trimming, on every short string of the characters that matter: a "yes" from the bytes is never a
cell the regular expression would refuse, whichever cells stand beside it."""

import itertools
import random
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipeline.contract import DATE, DECIMAL, INTEGER
from pipeline.readers import cell_bytes
from pipeline.readers.cells import PATTERNS

NUMBER_CHARACTERS = "09+-.e "


def strings(alphabet: str, longest: int) -> list[str]:
    return ["".join(p) for n in range(1, longest + 1) for p in itertools.product(alphabet, repeat=n)]


def dates() -> list[str]:
    day = "2024-01-31"
    changed = [day[:i] + c + day[i + 1 :] for i in range(len(day)) for c in "0-+./a "]
    return changed + [day[:i] + day[i + 1 :] for i in range(len(day))] + [day + "1", "2024-1-31", "20240131"]


CASES = [(INTEGER, strings(NUMBER_CHARACTERS, 4)), (DECIMAL, strings(NUMBER_CHARACTERS, 4)), (DATE, dates())]


@pytest.mark.parametrize(("base", "cells"), CASES, ids=[c[0] for c in CASES])
def test_each_cell_alone_is_in_form_exactly_as_the_pattern_says(base, cells):
    pattern = re.compile(PATTERNS[base])
    wrong = [c for c in cells if cell_bytes.all_in_form(pa.chunked_array([[c]]), base) != bool(pattern.match(c))]
    assert wrong == []


@pytest.mark.parametrize(("base", "cells"), CASES, ids=[c[0] for c in CASES])
def test_cells_side_by_side_never_pass_where_one_is_out_of_form(base, cells):
    """A sign or a decimal mark is counted in its own cell, not the one before; empty cells in between."""
    pattern, shuffle = re.compile(PATTERNS[base]), random.Random(28)
    for _ in range(400):
        group = shuffle.sample(cells, 3)
        column = pa.chunked_array([pa.array([group[0], None, group[1], group[2]]).slice(shuffle.randint(0, 1))])
        expected = all(pattern.match(c) for c in column.to_pylist() if c is not None)
        assert cell_bytes.all_in_form(column, base) == expected, group


def test_a_column_with_bytes_between_its_cells_is_left_to_the_pattern():
    """An empty cell holding bytes (Arrow allows it): the bytes are not the cells' own, the pattern decides."""
    offsets = pa.py_buffer(pa.array([0, 10, 11, 21], pa.int32()).buffers()[1])
    validity = pa.array([True, False, True]).buffers()[1]
    column = pa.StringArray.from_buffers(3, offsets, pa.py_buffer(b"2024-01-31x2024-02-29"), validity)
    assert column.to_pylist() == ["2024-01-31", None, "2024-02-29"]
    assert cell_bytes.all_in_form(pa.chunked_array([column]), DATE) is False
    assert cell_bytes.needs_trim(pa.chunked_array([column])) is False


@pytest.mark.parametrize("cell", ["a", " a", "a ", "\ta", "a\u00a0", "\u3000a", "a\x1f", "a b", "é", "", "  "])
def test_trimming_is_needed_where_arrow_would_trim(cell):
    column = pa.chunked_array([[cell, "b"]])
    changed = pc.utf8_trim_whitespace(column).to_pylist() != column.to_pylist() or cell == ""
    assert cell_bytes.needs_trim(column) or not changed
    if cell.isascii() and cell.strip() == cell and cell:
        assert not cell_bytes.needs_trim(column)
