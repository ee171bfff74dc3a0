"""The benchmark's parts on a small scale: the generated sources are valid, the floor runs."""

import subprocess
import sys

from bench.scale import make_sources
from pipeline.contract import TABLES
from pipeline.readers import find_sources, read_sources
from pipeline.validation import reference_keys, validate_table
from pipeline.warehouse import to_frame
from tests.conftest import ROOT


def test_scale_sources_are_valid_and_the_floor_drafts_them(tmp_path):
    root = make_sources(tmp_path / "sources", contributions=3000, transfers=3000, programmes=300, notes=600)
    frames = {}
    for name, table in TABLES.items():
        reading = read_sources(find_sources(root, table), table)
        assert reading.problems == [], name
        frames[name] = to_frame(reading.rows)
    assert len(frames["contributions"]) == 3000 and len(frames["concept_notes"]) == 600
    for name, table in TABLES.items():
        references = reference_keys(table, lambda other, column: list(frames[other][column]))
        assert validate_table(table, frames[name], [], references).errors == [], name
    done = subprocess.run(
        [sys.executable, "-m", "bench.floor", str(root), str(tmp_path / "floor"), "2026-06-30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "floor/floor.docx").exists() and (tmp_path / "floor/contributions.parquet").exists()
