"""The shared deployment's storage: `sgr draft` with run, event and schedule storage in a real
PostgreSQL on loopback (tests/servers.py), seen from a second process."""

import os
import subprocess
import sys
import time

from tests.conftest import AS_OF, ROOT, SAMPLE
from tests.servers import PG_BIN, postgres

SEE = """
import dagster as dg
with dg.DagsterInstance.get() as instance:
    runs = instance.get_runs()
    drafts = instance.fetch_materializations(dg.AssetKey("draft_report"), limit=10).records
    print(len(runs), runs[0].status.value, len(drafts), type(instance.run_storage).__name__)
"""


def test_sgr_draft_keeps_its_runs_and_events_in_postgres_and_another_process_sees_them(tmp_path):
    with postgres() as settings:
        env = {**os.environ, **settings, "SGR_DAGSTER": "postgres", "DAGSTER_HOME": str(tmp_path / "home")}
        command = [sys.executable, "-m", "pipeline.cli", "draft", "--sources", str(SAMPLE), "--as-of", AS_OF]
        command += ["--data", str(tmp_path / "data"), "--reports", str(tmp_path / "drafts")]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        installed = (tmp_path / "home/dagster.yaml").read_text()
        assert "postgres_db" in installed and "SGR_PG_PASSWORD" in installed and "unused" not in installed
        assert not (tmp_path / "home/history").exists()  # nothing in SQLite
        seen = subprocess.run(
            [sys.executable, "-c", SEE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert seen.stdout.split() == ["1", "SUCCESS", "1", "PostgresRunStorage"], seen.stderr[-3000:]
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
                "dagster",
                "-Atc",
                "select count(*) from runs; select count(*) > 100 from event_logs",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert rows.stdout.split() == ["1", "t"]


LAUNCH = """
import json, os
import dagster as dg
from pipeline import definitions
from pipeline.settings import Settings, edition_to_run
config = json.loads(os.environ["RUN_SETTINGS"])
with dg.DagsterInstance.get() as instance:
    key = edition_to_run(instance, Settings(**config))
    result = dg.execute_job(
        dg.reconstructable(definitions.all_assets_job),
        instance=instance,
        run_config={"resources": {"settings": {"config": config}}},
        tags={"dagster/partition": key},
    )
    starts = [r.dagster_event.pid for r in instance.all_logs(result.run_id)
              if r.dagster_event and r.dagster_event.event_type_value == "STEP_START"]
    print(json.dumps({"success": result.success, "launcher": os.getpid(), "steps": starts}))
"""


def key_figures(data) -> dict:
    import pyarrow.parquet as pq

    return {r["figure"]: r["value"] for r in pq.read_table(data / "warehouse/key_figures.parquet").to_pylist()}


def test_steps_run_on_a_celery_worker_and_give_the_in_process_figures(tmp_path, published):
    import json
    import signal

    from pipeline.instance import install
    from tests.servers import redis

    with redis() as broker:
        install(tmp_path / "home")
        env = {
            **os.environ,
            "DAGSTER_HOME": str(tmp_path / "home"),
            "SGR_EXECUTOR": "celery",
            "SGR_CELERY_BROKER": broker,
            "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}",
        }
        (tmp_path / "worker.yaml").write_text(f"execution:\n  config:\n    broker: {broker}\n    backend: {broker}\n")
        log = tmp_path / "worker.log"
        with open(log, "w") as out:
            worker = subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/dagster-celery"),
                    "worker",
                    "start",
                    "-A",
                    "dagster_celery.app",
                    "-y",
                    str(tmp_path / "worker.yaml"),
                    "-l",
                    "info",
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 120
            while " ready." not in log.read_text():
                assert time.monotonic() < deadline and worker.poll() is None, log.read_text()[-2000:]
                time.sleep(0.5)
            settings = {
                "sources": str(SAMPLE),
                "data": str(tmp_path / "data"),
                "reports": str(tmp_path / "drafts"),
                "as_of": AS_OF,
            }
            launched = subprocess.run(
                [sys.executable, "-c", LAUNCH],
                env={**env, "RUN_SETTINGS": json.dumps(settings)},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            run = json.loads(launched.stdout.strip().splitlines()[-1])
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
    assert run["success"] and run["steps"]
    assert run["launcher"] not in run["steps"]  # every step ran in the worker's processes
    assert key_figures(tmp_path / "data") == key_figures(published.data)
