import pyarrow as pa
import pytest

from pipeline.warehouse import UMASK, Warehouse, remove_leftovers, write_atomically


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
    warehouse = Warehouse(tmp_path)
    table = pa.table({"a": pa.array([1, None], pa.int64())})
    warehouse.write("t", table)
    assert warehouse.read("t").equals(table)


def test_raw_files_are_archived_once_under_their_hash_and_readable_by_others(tmp_path):
    import hashlib

    source = tmp_path / "contributions.CSV"
    source.write_bytes(b"x" * 3_000_000)
    warehouse = Warehouse(tmp_path / "data")
    sha256, first = warehouse.archive(source)
    assert sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert first == tmp_path / "data/raw" / f"{sha256}.csv" and first.read_bytes() == source.read_bytes()
    stamp = first.stat().st_mtime_ns
    assert warehouse.archive(source) == (sha256, first) and first.stat().st_mtime_ns == stamp  # never rewritten
    assert first.stat().st_mode & 0o777 == 0o666 & ~UMASK  # as any program's output: 0644 under umask 022
    assert not [p for p in (tmp_path / "data/raw").iterdir() if p.name.endswith(".tmp")]


def test_a_publication_no_draft_was_made_from_is_undone(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.write("reviews", pa.table({"a": [1]}))
    before = warehouse.path("reviews").read_bytes()
    warehouse.keep_published()
    warehouse.write("reviews", pa.table({"a": [2]}))
    warehouse.write("key_figures", pa.table({"b": [3]}))
    with pytest.raises(ValueError), warehouse.published_only_if_drafted():
        raise ValueError("the draft failed")
    assert warehouse.path("reviews").read_bytes() == before and not warehouse.path("key_figures").exists()
    warehouse.keep_published()
    warehouse.write("reviews", pa.table({"a": [4]}))
    warehouse.drafted()  # a draft was made: the new set stands
    assert not warehouse.restore_published() and warehouse.read("reviews").column("a").to_pylist() == [4]


def test_leftover_temporary_files_are_removed(tmp_path):
    left = tmp_path / "data/warehouse/.reviews.parquet.abc123.tmp"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half")
    kept = tmp_path / "data/warehouse/reviews.parquet"
    kept.write_bytes(b"whole")
    assert remove_leftovers(tmp_path / "data", tmp_path / "drafts") == [left]
    assert not left.exists() and kept.exists()


def test_the_instance_configuration_is_installed_updated_and_an_edited_copy_kept(tmp_path, monkeypatch):
    from pipeline import instance

    installed = instance.install(tmp_path)
    assert installed.read_text().split("\n", 1)[1] == instance.SOURCE.read_text()
    newer = tmp_path / "newer.yaml"
    newer.write_text(instance.SOURCE.read_text() + "# a setting the project added\n")
    monkeypatch.setattr(instance, "SOURCE", newer)
    assert instance.install(tmp_path).read_text().endswith("# a setting the project added\n")  # ours: updated
    installed.write_text(installed.read_text().replace("limit: 1", "limit: 2"))
    newer.write_text(newer.read_text() + "# another\n")
    assert "limit: 2" in instance.install(tmp_path).read_text()  # edited by its owner: kept
    assert "# another" not in installed.read_text()


def test_the_warehouse_names_every_path_under_its_folders(tmp_path):
    import datetime as dt

    warehouse = Warehouse(tmp_path / "data", tmp_path / "drafts")
    assert warehouse.draft(dt.date(2021, 6, 24)) == tmp_path / "drafts/SG-report-draft-2021-06-24.docx"
    paths = [
        warehouse.path("reviews"),
        warehouse.staged("reviews"),
        warehouse.check_results("reviews", "contract_rules"),
        warehouse.register("reviews"),
        warehouse.archived("ab" * 32, ".CSV"),
        warehouse.report_table("regional_reviews"),
        warehouse.charts(),
    ]
    assert all(p.is_relative_to(tmp_path / "data") for p in paths) and len(set(paths)) == len(paths)
    assert warehouse.previous_figures(["figure", "value"]).num_rows == 0
