"""The whole pipeline with the data and the drafts on an object store: a real S3 API on loopback (moto's
server mode, tests/servers.py), read back with pyarrow's own S3 client, as any other reader would."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import PurePosixPath

import docx
import pyarrow.parquet as pq
import pytest

from assets.ingest.source_sensors import family_selection
from pipeline.contract import TABLES
from pipeline.paths import Data
from tests.conftest import AS_OF, ROOT, materialise
from tests.servers import BUCKET, arrow_s3, copy_prefix, listed, manifest, published_rows

# One worker for the servers: the S3 API and the run on it are made once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("servers")


def urls(prefix: str) -> tuple[str, str]:
    return f"s3://{BUCKET}/{prefix}/data", f"s3://{BUCKET}/{prefix}/drafts"


def test_the_published_tables_and_the_draft_are_on_s3_and_read_by_pyarrow(object_store, on_s3, published):
    fs = arrow_s3(object_store)
    rows = published_rows(fs, on_s3)
    local = published.data / "warehouse"
    for name in TABLES:
        assert rows[name] == pq.read_metadata(local / f"{name}.parquet").num_rows, name
    assert rows["source_files"] == pq.read_metadata(local / "source_files.parquet").num_rows

    key_figures = pq.read_table(
        f"{BUCKET}/{on_s3}/data/{manifest(fs, on_s3)['objects']['key_figures.parquet']}", filesystem=fs
    )
    expected = pq.read_table(local / "key_figures.parquet")
    assert key_figures.select(["figure", "value"]).to_pylist() == expected.select(["figure", "value"]).to_pylist()

    with fs.open_input_file(f"{BUCKET}/{on_s3}/drafts/SG-report-draft-{AS_OF}.docx") as stream:
        document = docx.Document(io.BytesIO(stream.read()))
    assert any("country networks" in p.text for p in document.paragraphs)
    # Nothing half-written and nothing of this machine's: no temporary file, no lock, on the store.
    assert not [p for p in listed(fs, on_s3) if p.endswith(".tmp") or p.endswith(".lock")]


def test_a_failed_validation_leaves_the_published_set_on_s3_as_it_was(object_store, on_s3, sample_copy):
    """On a copy of the published set on S3; a run of the family whose file is broken."""
    fs = arrow_s3(object_store)
    prefix = copy_prefix(fs, on_s3, "failed")
    before_manifest, before_rows = manifest(fs, prefix), published_rows(fs, prefix)
    with fs.open_input_file(f"{BUCKET}/{prefix}/drafts/SG-report-draft-{AS_OF}.docx") as stream:
        draft_before = stream.read()
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "KEN,8 June 2021,\n")

    result = materialise(sample_copy, *urls(prefix), selection=family_selection("country_networks"))

    assert not result.success and not result.asset_materializations_for_node("published_tables")
    assert manifest(fs, prefix) == before_manifest
    assert published_rows(fs, prefix) == before_rows
    with fs.open_input_file(f"{BUCKET}/{prefix}/drafts/SG-report-draft-{AS_OF}.docx") as stream:
        assert stream.read() == draft_before


KILLED_MID_PUBLICATION = """
import os, signal, sys
from pipeline.store.publication import PublishedSet

published = PublishedSet.publish_staged

def publish(self, table, staged):
    if table == "targets":  # the Fund's other tables of the new set are on the store, the manifest is not
        os.kill(os.getpid(), signal.SIGKILL)
    return published(self, table, staged)

PublishedSet.publish_staged = publish
from runtime.cli import main


sys.exit(main())
"""


def sets_on_store(fs, prefix: str) -> set[str]:
    """The published sets whose objects are on the store, named as the manifest names them."""
    data = Data(PurePosixPath("data"))
    objects = f"{data.objects.as_posix()}/"
    return {Data.set_of(p.removeprefix("data/")) for p in listed(fs, prefix) if p.startswith(objects)}


def test_a_kill_during_publication_leaves_the_old_set_and_the_next_run_publishes_the_new(
    object_store, on_s3, sample_copy, tmp_path
):
    """On a copy of the published set on S3; a run of the Fund's family, which publishes contributions."""
    fs = arrow_s3(object_store)
    prefix = copy_prefix(fs, on_s3, "killed")
    data, drafts = urls(prefix)
    before_manifest, before_rows = manifest(fs, prefix), published_rows(fs, prefix)
    contributions = sample_copy / "mptf/contributions.csv"
    lines = contributions.read_text().splitlines()
    contributions.write_text("\n".join([*lines, lines[-1].replace(lines[-1].split(",")[0], "C-KILL-1", 1)]) + "\n")
    env = {**os.environ, **object_store, "DAGSTER_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-c", KILLED_MID_PUBLICATION, "draft", "--sources", str(sample_copy)]
    command += ["--data", data, "--reports", drafts, "--as-of", AS_OF, "--family", "mptf"]
    with open(tmp_path / "stderr", "w+") as stderr:
        # A session of its own, so that the validation worker it forked goes with it.
        killed = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
        try:
            returncode = killed.wait(timeout=600)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(killed.pid, signal.SIGKILL)
        stderr.seek(0)
        assert returncode == -signal.SIGKILL, stderr.read()[-3000:]
    new_objects = sets_on_store(fs, prefix) - {s for entry in before_manifest["recent"] for s in entry["sets"]}
    assert new_objects, "the kill came before any table of the new set was written: the test shows nothing"
    assert manifest(fs, prefix) == before_manifest
    assert published_rows(fs, prefix) == before_rows

    assert materialise(sample_copy, data, drafts, selection=family_selection("mptf")).success
    after = published_rows(fs, prefix)
    assert after["contributions"] == before_rows["contributions"] + 1
    assert {k: v for k, v in after.items() if k != "contributions"} == {
        k: v for k, v in before_rows.items() if k != "contributions"
    }
    # The killed publication's objects, named by no manifest, are gone; the replaced set's stay a while,
    # for a reader who read the manifest before it was replaced.
    kept = {s for entry in manifest(fs, prefix)["recent"] for s in entry["sets"]}
    present = sets_on_store(fs, prefix)
    assert present <= kept
    assert {_set for entry in before_manifest["recent"][:1] for _set in entry["sets"]} <= present


def cursor_hashes(cursor: str) -> dict[str, str]:
    return {path: seen["sha256"] for path, seen in json.loads(cursor)["files"].items()}


def test_the_source_sensor_hashes_objects_by_content_not_by_etag(object_store, on_s3):
    """The same bytes uploaded again in parts (a multipart ETag, "…-2") start nothing; new bytes do."""
    import boto3
    import dagster as dg
    from boto3.s3.transfer import TransferConfig

    from assets.ingest.source_sensors import source_sensor
    from assets.resources import Settings

    client = boto3.client("s3")
    key = "sensed/mptf/contributions-archive.csv"
    body = ("contribution_id,contributor\n" + "C-1,Someone\n" * 700_000).encode()  # over 5 MB: two parts
    client.put_object(Bucket=BUCKET, Key=key, Body=body)
    data, _ = urls(on_s3)
    settings = Settings(sources=f"s3://{BUCKET}/sensed", data=data)
    sensor, cursor = source_sensor("mptf"), None

    def tick():
        nonlocal cursor
        context = dg.build_sensor_context(
            instance=dg.DagsterInstance.ephemeral(), cursor=cursor, resources={"settings": settings}
        )
        result = sensor(context)
        cursor = context.cursor
        return [] if isinstance(result, dg.SkipReason) else [result.tags["sgr/changes"]]

    def settled() -> list[str]:
        # An object is taken once seen unchanged on two ticks, as a file being written is.
        return tick() + tick()

    assert settled() == ["new contributions-archive.csv"]
    hashes = cursor_hashes(cursor)
    assert hashes == {"contributions-archive.csv": hashlib.sha256(body).hexdigest()}
    single = client.head_object(Bucket=BUCKET, Key=key)["ETag"]
    time.sleep(1.1)  # a new LastModified (S3 counts whole seconds): the sensor sees a new object and hashes it
    parts = TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    client.upload_fileobj(io.BytesIO(body), BUCKET, key, Config=parts)
    assert client.head_object(Bucket=BUCKET, Key=key)["ETag"] != single  # the ETag is no content hash
    assert settled() == []
    assert cursor_hashes(cursor) == hashes
    client.upload_fileobj(io.BytesIO(body + b"C-2,Someone else\n"), BUCKET, key, Config=parts)
    assert settled() == ["changed contributions-archive.csv"]


def test_an_object_the_run_wrote_is_read_back_without_asking_while_it_holds_the_data_folder(object_store):
    """The lock's promise (no other writer meanwhile) is what lets a run skip the HEAD: replaced behind its
    back, the run still reads its own; once the lock is released, the store is asked again."""
    import pyarrow as pa

    from pipeline.paths import location
    from pipeline.store.files import exists, read_table, write_parquet
    from pipeline.store.lock import acquire, release

    data = location(f"s3://{BUCKET}/trusted/data")
    path = Data(data).staged("table")
    fs = arrow_s3(object_store)
    handle = acquire(data, "test", 5)
    try:
        write_parquet(path, pa.table({"n": [1, 2]}))
        pq.write_table(pa.table({"n": [9]}), f"{BUCKET}/trusted/data/staging/table.parquet", filesystem=fs)
        assert read_table(path).column("n").to_pylist() == [1, 2]
        assert exists(path)
    finally:
        release(handle)
    assert read_table(path).column("n").to_pylist() == [9]
    fs.delete_file(f"{BUCKET}/trusted/data/staging/table.parquet")
    assert not exists(path)


def _n(path: str) -> list[int]:
    """In the validation worker: a staged table's column, as the worker reads it."""
    from pipeline.paths import location
    from pipeline.store.files import read_table

    return read_table(location(path)).column("n").to_pylist()


def test_the_worker_reads_what_the_lock_holder_wrote_as_it_wrote_it(object_store):
    """Working for the holder, which waits for the answer, the worker trusts the holder's writes as the
    holder does (no HEAD each): replaced behind their backs, both read the holder's own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import pyarrow as pa

    from pipeline import ahead
    from pipeline.paths import location
    from pipeline.store.files import write_parquet
    from pipeline.store.lock import acquire, release

    data = location(f"s3://{BUCKET}/worker/data")
    path = Data(data).staged("table")
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    handle = acquire(data, "test", 5)
    try:
        ahead.use(pool)
        write_parquet(path, pa.table({"n": [1, 2]}))
        pq.write_table(
            pa.table({"n": [9]}), f"{BUCKET}/worker/data/staging/table.parquet", filesystem=arrow_s3(object_store)
        )
        assert ahead.call(_n, str(path)) == [1, 2]
    finally:
        release(handle)
        ahead.use(None)
    try:
        assert pool.submit(_n, str(path)).result() == [9]  # for no holder: the store is asked
    finally:
        pool.shutdown()


def _text(path: str) -> str:
    """In the validation worker: an object's text, as the worker reads it."""
    from pipeline.paths import location
    from pipeline.store.files import read_text

    return read_text(location(path))


def test_the_worker_reads_the_version_it_was_given_though_the_holder_wrote_a_newer_one(object_store):
    """Charts are drawn ahead from the manifest just committed, while the holder publishes again: the
    worker reads the version it was handed, from this machine's copy, not the store's newer one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.ahead import _for_caller
    from pipeline.paths import location
    from pipeline.store.files import write_atomically
    from pipeline.store.lock import acquire, release
    from pipeline.store.objects import own_writes

    data = location(f"s3://{BUCKET}/given/data")
    path = Data(data).manifest
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    handle = acquire(data, "test", 5)
    try:
        write_atomically(path, lambda local: local.write_text("first"))
        given = own_writes()
        write_atomically(path, lambda local: local.write_text("second"))
        assert pool.submit(_for_caller, given, _text, str(path)).result() == "first"
        assert pool.submit(_for_caller, own_writes(), _text, str(path)).result() == "second"
    finally:
        release(handle)
        pool.shutdown()


def test_a_write_left_behind_is_read_at_once_and_is_in_the_store_once_settled(object_store):
    """Ingest reads the next table while the last one's upload goes on: the holder reads it at once from its
    copy; the store has it only after what it names (`after`), and a failed upload fails where it is
    settled, and at the latest when the lock is released."""
    from concurrent.futures import Future

    import pyarrow as pa

    from pipeline.paths import location
    from pipeline.store.files import exists, read_table, write_parquet_behind
    from pipeline.store.lock import acquire, release
    from pipeline.store.objects import settle_writes

    data = location(f"s3://{BUCKET}/behind/data")
    layout, fs = Data(data), arrow_s3(object_store)

    def in_store(name: str) -> list[int] | None:
        key = f"{BUCKET}/behind/data/staging/{name}.parquet"
        found = fs.get_file_info(key).type.name != "NotFound"
        return pq.read_table(key, filesystem=fs).column("n").to_pylist() if found else None

    named = Future()  # the upload of a file the table names, under way
    handle = acquire(data, "test", 5)
    try:
        write_parquet_behind(layout.staged("first"), pa.table({"n": [1, 2]}), after=[named])
        assert read_table(layout.staged("first")).column("n").to_pylist() == [1, 2]
        assert exists(layout.staged("first"))
        assert in_store("first") is None
        named.set_result(None)
        settle_writes([layout.staged("first")])
        assert in_store("first") == [1, 2]
        failed = Future()
        failed.set_exception(OSError("a file it names did not reach the store"))
        write_parquet_behind(layout.staged("second"), pa.table({"n": [3]}), after=[failed])
        with pytest.raises(OSError, match="did not reach the store"):
            settle_writes()
        assert in_store("second") is None
        write_parquet_behind(layout.staged("third"), pa.table({"n": [4]}))
    finally:
        if not named.done():
            named.set_result(None)
        release(handle)
    assert in_store("third") == [4]


def test_a_folder_is_listed_once_while_the_lock_is_held(object_store):
    """The lock's promise again: a folder listed once stands for the objects in it (one LIST, not a HEAD
    each) but for the holder's own writes and removals; released, the store is asked again."""
    import pyarrow as pa

    from pipeline.paths import location
    from pipeline.store.files import exists, read_text, remove_tree, write_parquet
    from pipeline.store.lock import acquire, release

    data = location(f"s3://{BUCKET}/listed/data")
    layout, fs = Data(data), arrow_s3(object_store)
    key = f"{BUCKET}/listed/data/staging/"
    with fs.open_output_stream(key + "before.json") as out:
        out.write(b'{"written": "by another, before"}')
    handle = acquire(data, "test", 5)
    try:
        assert exists(layout.staging / "before.json")
        assert read_text(layout.staging / "before.json") == '{"written": "by another, before"}'
        with fs.open_output_stream(key + "behind.json") as out:
            out.write(b"{}")
        assert not exists(layout.staging / "behind.json")  # not there when listed: no other writer meanwhile
        drafts = location(f"s3://{BUCKET}/listed/drafts")  # outside the data folder: other writers, asked each time
        assert not exists(drafts / "draft.docx")
        with fs.open_output_stream(f"{BUCKET}/listed/drafts/draft.docx") as out:
            out.write(b"PK")
        assert exists(drafts / "draft.docx")
        write_parquet(layout.staged("own"), pa.table({"n": [1]}))
        assert exists(layout.staged("own"))
        remove_tree(layout.staging)
        assert not exists(layout.staged("own"))
        assert not exists(layout.staging / "before.json")
    finally:
        release(handle)
    with fs.open_output_stream(key + "after.json") as out:
        out.write(b"{}")
    assert exists(layout.staging / "after.json")


def test_the_raw_archive_on_s3_holds_every_file_read_dated_as_the_register_says(object_store, on_s3):
    """Archived objects are uploaded while their files are read: each one the register names is there,
    and its first sighting is the object's own time."""
    import pyarrow.compute as pc

    fs = arrow_s3(object_store)
    objects = manifest(fs, on_s3)["objects"]
    files = pq.read_table(f"{BUCKET}/{on_s3}/data/{objects['source_files.parquet']}", filesystem=fs)
    kept = files.filter(pc.is_valid(files.column("sha256"))).to_pylist()
    assert kept
    for row in kept:
        suffix = PurePosixPath(row["path"]).suffix.lower()
        info = fs.get_file_info(f"{BUCKET}/{on_s3}/data/raw/{row['sha256']}{suffix}")
        assert info.size == row["bytes"], row["path"]
        assert int(info.mtime.timestamp()) == int(row["first_seen"].timestamp()), row["path"]
