import pyarrow as pa
import pytest

from pipeline.warehouse import Warehouse, write_atomically


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


def test_raw_files_are_archived_once_under_their_hash(tmp_path):
    warehouse = Warehouse(tmp_path)
    first = warehouse.archive(b"x", "ab" * 32, ".CSV")
    stamp = first.stat().st_mtime_ns
    again = warehouse.archive(b"x", "ab" * 32, ".csv")
    assert first == again == tmp_path / "raw" / f"{'ab' * 32}.csv"
    assert again.stat().st_mtime_ns == stamp
