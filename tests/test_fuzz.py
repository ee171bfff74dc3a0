"""The readers fuzzed: random bytes, CSV-like text, and truncated or mutated copies of the sample's
workbooks. Every input either reads or gives problems that name the file, never an uncaught
exception, each within a bounded time. `make test` runs a short, fixed-seed pass (about 200
examples); `make fuzz` a long one (HYPOTHESIS_PROFILE=fuzz)."""

import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.contract import TABLES
from pipeline.readers import find_sources, read_sources
from tests.conftest import SAMPLE

settings.register_profile(
    "suite", max_examples=70, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

SECONDS_EACH = 10
WORKBOOK = (SAMPLE / "regional_reviews/ECE-2020.xlsx").read_bytes()
HEADER = ",".join(TABLES["contributions"].column_names)


def read(name: str, content: bytes, table: str) -> None:
    """Read `content` as the file `name`; it reads or gives named problems, in bounded time."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        started = time.monotonic()
        reading = read_sources(find_sources(Path(folder), TABLES[table]), TABLES[table])
        assert time.monotonic() - started < SECONDS_EACH
    for problem in reading.problems:
        assert problem.file == Path(name).as_posix() and problem.rule
        assert "Traceback" not in str(problem) and not problem.rule.startswith(("pyarrow", "Arrow", "Error"))


@given(st.binary(max_size=4096))
def test_random_bytes_as_a_csv(content):
    read("mptf/contributions.csv", content, "contributions")


CELL = st.one_of(
    st.text(alphabet=list('ab1.,;"\n\r\t -=\x00é€'), max_size=30),
    st.sampled_from(
        ["2021", "+2021", "99999999999999999999", "2021-02-30", "1e9", "NOR", "", '"quoted, with a comma"', '"a\nline"']
    ),
)


@given(st.lists(st.lists(CELL, max_size=7), max_size=20), st.booleans())
def test_csv_like_text(rows, with_header):
    lines = ([HEADER] if with_header else []) + [",".join(row) for row in rows]
    read("mptf/contributions.csv", "\n".join(lines).encode("utf-8", "surrogatepass"), "contributions")


@given(st.data())
def test_truncated_and_mutated_workbooks(data):
    content = bytearray(WORKBOOK)
    how = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
    if how == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(content) - 1))
            if how == "flip":
                content[at] = data.draw(st.integers(0, 255))
            else:
                content[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    read("regional_reviews/ECE-2020.xlsx", bytes(content), data.draw(st.sampled_from(["reviews", "review_findings"])))
