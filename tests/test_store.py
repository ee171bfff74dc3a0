"""The store: atomic writes, the raw archive, the publication transaction, and the paths it writes to."""

import datetime as dt

import pyarrow as pa
import pytest

from pipeline import paths
from pipeline.store import Store
from pipeline.store.files import UMASK, remove_leftovers, write_atomically


def test_a_failure_mid_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "t.parquet"
    target.write_bytes(b"old")

    def half_write(path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(target, half_write)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_tables_round_trip_with_their_schema(tmp_path):
    published = Store(tmp_path).published
    table = pa.table({"a": pa.array([1, None], pa.int64())})
    published.write("t", table)
    assert published.read("t").equals(table)
    published.write("t", pa.table({"a": [2]}), edition="2026")  # an edition's own
    assert published.read("t").equals(table) and published.read("t", edition="2026").num_rows == 1


def test_raw_files_are_archived_once_under_their_hash_and_readable_by_others(tmp_path):
    import hashlib

    source = tmp_path / "contributions.CSV"
    source.write_bytes(b"x" * 3_000_000)
    archive = Store(tmp_path / "data").archive
    sha256, first = archive.keep(source)
    assert sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert first == tmp_path / "data/raw" / f"{sha256}.csv" and first.read_bytes() == source.read_bytes()
    stamp = first.stat().st_mtime_ns
    assert archive.keep(source) == (sha256, first) and first.stat().st_mtime_ns == stamp  # never rewritten
    assert first.stat().st_mode & 0o777 == 0o666 & ~UMASK  # as any program's output: 0644 under umask 022
    assert not [p for p in (tmp_path / "data/raw").iterdir() if p.name.endswith(".tmp")]


def test_files_kept_ahead_are_each_kept_as_they_were_when_asked_for_in_order(tmp_path):
    """A workbook read for two tables is asked for twice: each ask has its own copy, in order; a file not kept
    ahead is kept when asked; a file gone before its turn fails when asked for, not before."""
    import hashlib

    book, notes, gone = tmp_path / "book.xlsx", tmp_path / "notes.csv", tmp_path / "gone.csv"
    book.write_bytes(b"a" * 2_000_000)
    notes.write_bytes(b"n")
    archive = Store(tmp_path / "data").archive
    archive.keep_ahead([book, book, gone])
    first = archive.keep(book)
    assert first[0] == hashlib.sha256(b"a" * 2_000_000).hexdigest() and first[1].read_bytes() == book.read_bytes()
    assert archive.keep(book) == first
    assert archive.keep(notes)[0] == hashlib.sha256(b"n").hexdigest()
    with pytest.raises(FileNotFoundError):
        archive.keep(gone)


def test_a_publication_no_draft_was_made_from_is_undone(tmp_path):
    published = Store(tmp_path).published
    published.write("reviews", pa.table({"a": [1]}))
    before = published.path("reviews").read_bytes()
    published.keep()
    published.write("reviews", pa.table({"a": [2]}))
    published.write("key_figures", pa.table({"b": [3]}), edition="2026")
    with pytest.raises(ValueError), published.only_if_drafted():
        raise ValueError("the draft failed")
    assert published.path("reviews").read_bytes() == before and not published.exists("key_figures", "2026")
    published.keep()
    published.write("reviews", pa.table({"a": [4]}))
    published.drafted()  # a draft was made: the new set stands
    assert not published.restore() and published.read("reviews").column("a").to_pylist() == [4]


def test_leftover_temporary_files_are_removed(tmp_path):
    left = tmp_path / "data/warehouse/.reviews.parquet.abc123.tmp"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half")
    kept = tmp_path / "data/warehouse/reviews.parquet"
    kept.write_bytes(b"whole")
    assert remove_leftovers(tmp_path / "data", tmp_path / "drafts") == [left]
    assert not left.exists() and kept.exists()


def test_the_instance_configuration_is_installed_updated_and_an_edited_copy_kept(tmp_path, monkeypatch):
    from runtime import instance

    installed = instance.install(tmp_path)
    assert installed.read_text().split("\n", 1)[1].startswith(instance.SOURCE.read_text())
    assert f'home: "{tmp_path.resolve()}"' in installed.read_text()  # the event log under this home
    newer = tmp_path / "newer.yaml"
    newer.write_text(instance.SOURCE.read_text() + "# a setting the project added\n")
    monkeypatch.setattr(instance, "SOURCE", newer)
    assert "# a setting the project added\n" in instance.install(tmp_path).read_text()  # ours: updated
    installed.write_text(installed.read_text().replace("limit: 1", "limit: 2"))
    newer.write_text(newer.read_text() + "# another\n")
    assert "limit: 2" in instance.install(tmp_path).read_text()  # edited by its owner: kept
    assert "# another" not in installed.read_text()


def test_the_store_writes_every_path_under_its_folders(tmp_path):
    store = Store(tmp_path / "data", tmp_path / "drafts")
    assert store.history.draft(dt.date(2021, 6, 24)) == tmp_path / "drafts/SG-report-draft-2021-06-24.docx"
    assert store.history.draft(dt.date(2021, 6, 24), "ar").name == "SG-report-draft-2021-06-24-ar.docx"
    written = [
        store.published.path("reviews"),
        store.published.path("key_figures", "2026"),
        store.published.report_table("regional_reviews", "2026"),
        store.staging.path("reviews"),
        store.staging.check_results("reviews", "contract_rules"),
        store.layout.register("reviews"),
        store.layout.archived("ab" * 32, ".CSV"),
        store.layout.kept_figures("2026", "20261203T000000"),
        store.history.charts,
        store.layout.lock,
    ]
    assert all(p.is_relative_to(tmp_path / "data") for p in written) and len(set(written)) == len(written)
    assert store.history.last_figures("2026", ["figure", "value"]) is None


def test_one_dagster_home_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    monkeypatch.chdir(tmp_path)
    assert paths.dagster_home() == tmp_path / ".dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    assert paths.dagster_home() == tmp_path / "elsewhere"
