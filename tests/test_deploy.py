"""The shared deployment: `sgr draft` with run, event and schedule storage in a real PostgreSQL on loopback
(tests/servers.py), seen from a second process; and every step of a run on a Celery worker that shares
only that PostgreSQL and the S3 API with the launcher. One PostgreSQL for the module, the session's S3 API
and its published set (tests/conftest.py: object_store, on_s3)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from assets.ingest.source_sensors import family_selection
from assets.keys import AFTER_INGEST
from runtime.instance import install
from tests.conftest import AS_OF, ROOT, SAMPLE
from tests.installed import PG_BIN
from tests.servers import BUCKET, arrow_s3, copy_prefix, manifest, postgres, redis

# One worker for the servers: each is started once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("servers")
SEE = """
import dagster as dg
with dg.DagsterInstance.get() as instance:
    runs = instance.get_runs()
    drafts = instance.fetch_materializations(dg.AssetKey("draft_report"), limit=10).records
    events = len(instance.all_logs(runs[0].run_id))
    print(len(runs), runs[0].status.value, len(drafts), type(instance.run_storage).__name__, events)
"""


@pytest.fixture(scope="module")
def database():
    """One PostgreSQL for the module's tests, each in a database of its own."""
    with postgres() as settings:
        yield settings


def own_database(settings: dict, name: str) -> dict:
    """A new database on the module's server, for one test."""
    createdb = [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", settings["SGR_PG_PORT"], "-U", "sgr", name]
    subprocess.run(createdb, check=True, capture_output=True, timeout=60)
    return settings | {"SGR_PG_DB": name}


def test_sgr_draft_keeps_its_runs_and_events_in_postgres_and_another_process_sees_them(database, published_copy):
    """A run of one family over the published data, as a drafter's run after a file changed."""
    settings, home = own_database(database, "drafted"), published_copy / "home"
    env = {**os.environ, **settings, "SGR_DAGSTER": "postgres", "DAGSTER_HOME": str(home)}
    command = [sys.executable, "-m", "runtime.cli", "draft", "--sources", str(SAMPLE), "--as-of", AS_OF]
    command += ["--data", str(published_copy / "data"), "--reports", str(published_copy / "drafts")]
    command += ["--family", "calendar"]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = (home / "dagster.yaml").read_text()
    assert "postgres_db" in installed and "SGR_PG_PASSWORD" in installed and "unused" not in installed
    assert not (home / "history").exists()  # nothing in SQLite
    seen = subprocess.run([sys.executable, "-c", SEE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    *said, events = seen.stdout.split() or [""]
    assert said == ["1", "SUCCESS", "1", "PostgresRunStorage"], seen.stderr[-3000:]
    rows = subprocess.run(
        [
            str(PG_BIN / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            settings["SGR_PG_PORT"],
            "-U",
            "sgr",
            "-d",
            settings["SGR_PG_DB"],
            "-Atc",
            "select count(*) from runs; select count(*) from event_logs",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert rows.stdout.split() == ["1", events]  # every event the other process read, in the database


LAUNCH = """
import json, os
import dagster as dg
import dagster_celery.core_execution_loop as loop
loop.TICK_SECONDS = 0.1  # Dagster's Celery loop looks for finished steps each second: 13 steps, 13 s idle
from assets import definitions
from assets.partitions import edition_to_run
from assets.resources import Settings


config = json.loads(os.environ["RUN_SETTINGS"])
with dg.DagsterInstance.get() as instance:
    key = edition_to_run(instance, Settings(**config))
    result = dg.execute_job(
        dg.reconstructable(definitions.all_assets_job),
        instance=instance,
        run_config={"resources": {"settings": {"config": config}}},
        tags={"dagster/partition": key},
        asset_selection=[dg.AssetKey(name) for name in json.loads(os.environ["RUN_ASSETS"])],
    )
    starts = [r.dagster_event.pid for r in instance.all_logs(result.run_id)
              if r.dagster_event and r.dagster_event.event_type_value == "STEP_START"]
    print(json.dumps({"success": result.success, "launcher": os.getpid(), "steps": starts}))
"""


def key_figures(data) -> dict:
    import pyarrow.parquet as pq

    return {r["figure"]: r["value"] for r in pq.read_table(data / "warehouse/key_figures.parquet").to_pylist()}


@contextlib.contextmanager
def celery_worker(env: dict, folder: Path, broker: str):
    """A Dagster Celery worker in a process of its own, ready to take steps."""
    (folder / "worker.yaml").write_text(f"execution:\n  config:\n    broker: {broker}\n    backend: {broker}\n")
    log = folder / "worker.log"
    command = [str(ROOT / ".venv/bin/dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
    # One process takes the steps: a run's steps go one after the other, and each process loads the code.
    command += ["-y", str(folder / "worker.yaml"), "-l", "info", "--", "--concurrency=1"]
    with open(log, "w") as out:
        worker = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while " ready." not in log.read_text():
            assert time.monotonic() < deadline and worker.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def launch(env: dict, settings: dict, assets: list[str]) -> dict:
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCH],
        env={**env, "RUN_SETTINGS": json.dumps(settings), "RUN_ASSETS": json.dumps(assets)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert launched.returncode == 0, launched.stderr[-3000:]
    return json.loads(launched.stdout.strip().splitlines()[-1])


def test_a_worker_that_shares_only_the_object_store_and_postgres_runs_every_step(
    database, object_store, on_s3, published, tmp_path
):
    """A family's ingest and validation, the publication, the derivations and the draft on a Celery worker
    with its own Dagster home, temporary folder and working files, over a copy of the set published on S3:
    the sources, the data and the drafts on S3, run storage in Postgres. Every step runs in the worker's
    processes, and the figures are those of the in-process run."""
    fs = arrow_s3(object_store)
    prefix = copy_prefix(fs, on_s3, "celery")
    for path in SAMPLE.rglob("*"):
        if path.is_file():
            with fs.open_output_stream(f"{BUCKET}/{prefix}/sources/{path.relative_to(SAMPLE).as_posix()}") as out:
                out.write(path.read_bytes())
    with redis() as broker:
        launcher, worker_side = tmp_path / "launcher", tmp_path / "worker"
        stored = own_database(database, "celery")
        common = {**os.environ, **stored, **object_store, "SGR_DAGSTER": "postgres", "SGR_EXECUTOR": "celery"}
        common |= {"SGR_CELERY_BROKER": broker, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}
        envs = {}
        for side in (launcher, worker_side):
            (side / "tmp").mkdir(parents=True)
            install(side / "home", env=common)
            envs[side] = {**common, "DAGSTER_HOME": str(side / "home"), "TMPDIR": str(side / "tmp")}
        with celery_worker(envs[worker_side], worker_side, broker):
            settings = {f: f"s3://{BUCKET}/{prefix}/{f}" for f in ("sources", "data")} | {"as_of": AS_OF}
            settings["reports"] = f"s3://{BUCKET}/{prefix}/drafts"
            run = launch(envs[launcher], settings, family_selection("country_networks"))
    # The family's ingest and validation, then what follows ingest: each a step, each in the worker.
    assert run["success"] and len(run["steps"]) == 2 + len(AFTER_INGEST) and run["launcher"] not in run["steps"]
    objects = manifest(fs, prefix)["objects"]
    figures = pq.read_table(f"{BUCKET}/{prefix}/data/{objects['key_figures.parquet']}", filesystem=fs).to_pylist()
    assert {r["figure"]: r["value"] for r in figures} == key_figures(published.data)
    assert fs.get_file_info(f"{BUCKET}/{prefix}/drafts/SG-report-draft-{AS_OF}.docx").type == pafs.FileType.File
