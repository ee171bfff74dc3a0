"""The shared deployment's storage: `sgr draft` with run, event and schedule storage in a real
PostgreSQL on loopback (tests/servers.py), seen from a second process."""

import os
import subprocess
import sys

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
