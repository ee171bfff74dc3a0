"""Files refused before they are read: too large, a row or a cell too long, outside the sources root,
a name the draft could not cite. Each refused by name, none read or archived; small limits set through
the environment stand for the defaults, so that nothing large is written."""

import os

import pytest

from pipeline.contract import TABLES
from pipeline.ingestion import stage_table
from pipeline.limits import limits
from pipeline.problems import SourceError
from pipeline.readers import find_sources, read_table
from pipeline.store import Store
from tests.conftest import write

CONTRIBUTIONS = TABLES["contributions"]
HEADER = "contributor,contributor_iso3,year,commitment_usd,deposit_usd\n"


def messages(root) -> list[str]:
    """What reading the table says, with the limits the environment sets (as a run's configuration takes them)."""
    with pytest.raises(SourceError) as caught:
        read_table(find_sources(root, CONTRIBUTIONS), CONTRIBUTIONS, limits())
    return [str(p) for f in caught.value.failures for p in f.examples]


def test_a_file_over_the_size_limit_is_refused_unread_and_not_archived(tmp_path, monkeypatch):
    monkeypatch.setenv("SGR_MAX_FILE_MB", "0.01")
    write(tmp_path / "sources/mptf/contributions.csv", HEADER + "Norway,NOR,2021,1,1\n" * 1000)
    assert messages(tmp_path / "sources") == [
        "mptf/contributions.csv — too large (0.019 MB; the limit is 0.01 MB, set SGR_MAX_FILE_MB to change it)"
    ]
    staged = stage_table(Store(tmp_path / "data"), tmp_path / "sources", CONTRIBUTIONS, "test", limits())
    assert staged.reading.rows.num_rows == 0
    assert not (tmp_path / "data/raw").exists() or not list((tmp_path / "data/raw").glob("*.csv"))


def test_the_size_message_says_the_size_and_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("SGR_MAX_FILE_MB", "1")
    write(tmp_path / "mptf/contributions.csv", HEADER + "x" * (3 * 2**20))
    assert messages(tmp_path) == [
        "mptf/contributions.csv — too large (3 MB; the limit is 1 MB, set SGR_MAX_FILE_MB to change it)"
    ]


def test_a_file_of_one_endless_line_is_refused_at_its_first_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SGR_MAX_LINE_KB", "4")
    write(tmp_path / "mptf/contributions.csv", "x" * 100_000)
    assert messages(tmp_path) == [
        "mptf/contributions.csv line 1 — a row longer than 4 KB, the limit (set SGR_MAX_LINE_KB to change it)"
    ]


def test_a_row_too_long_is_named_by_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SGR_MAX_LINE_KB", "64")
    write(tmp_path / "mptf/contributions.csv", HEADER + "Norway,NOR,2021,1,1\n" * 3 + "N" * 70_000 + ",NOR,2021,1,1\n")
    assert messages(tmp_path) == [
        "mptf/contributions.csv line 5 — a row longer than 64 KB, the limit (set SGR_MAX_LINE_KB to change it)"
    ]


def test_a_link_to_a_file_outside_the_sources_is_refused_and_nothing_outside_is_read(tmp_path):
    secret = write(tmp_path / "elsewhere/secret.csv", HEADER + "Secret,NOR,2021,1,1\n")
    (tmp_path / "sources/mptf").mkdir(parents=True)
    (tmp_path / "sources/mptf/contributions.csv").symlink_to(secret)
    staged = stage_table(Store(tmp_path / "data"), tmp_path / "sources", CONTRIBUTIONS, "test")
    assert [str(p) for p in staged.reading.problems] == [
        f"mptf/contributions.csv — a link to {secret}, outside the sources root: copy the file into the sources"
    ]
    assert staged.reading.rows.num_rows == 0
    raw = tmp_path / "data/raw"
    assert not any(p.is_file() and p.suffix == ".csv" for p in raw.rglob("*")) if raw.exists() else True


def test_a_linked_folder_outside_the_sources_is_refused_file_by_file(tmp_path):
    write(tmp_path / "elsewhere/contributions.csv", HEADER + "Secret,NOR,2021,1,1\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources/mptf").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert messages(tmp_path / "sources") == [
        f"mptf/contributions.csv — a link to {tmp_path / 'elsewhere/contributions.csv'}, outside the sources root: "
        "copy the file into the sources"
    ]


def test_a_link_inside_the_sources_is_read(tmp_path):
    original = write(tmp_path / "mptf/archive/contributions-2020.csv", HEADER + "Norway,NOR,2020,1,1\n")
    os.symlink(original, tmp_path / "mptf/contributions.csv")
    rows = read_table(find_sources(tmp_path, CONTRIBUTIONS), CONTRIBUTIONS)
    assert rows.column("contributor").to_pylist() == ["Norway", "Norway"]


def test_a_file_name_with_a_control_character_is_refused(tmp_path):
    write(tmp_path / "mptf/contributions-\x07.csv", HEADER + "Norway,NOR,2020,1,1\n")
    assert messages(tmp_path) == [
        "mptf/contributions-\\x07.csv — a control character in the file's name: rename the file"
    ]


def test_limits_come_from_the_settings_else_the_environment_else_the_defaults(monkeypatch):
    assert limits().file_mb == 256 and limits().columns == 1000
    monkeypatch.setenv("SGR_MAX_COLUMNS", "20")
    assert limits().columns == 20 and limits(columns=30).columns == 30
    monkeypatch.setenv("SGR_MAX_FILE_MB", "lots")
    with pytest.raises(ValueError, match="SGR_MAX_FILE_MB='lots' is not a number"):
        limits()
