"""Dagster's SQLite event log with each database's connection kept open (runtime/event_log.py), in processes
of their own: another process reads the events while the writer's connections are open; a process forked
from the writer writes through connections of its own and neither loses an event; the files held open are
bounded."""

import contextlib
import json
import os
import sqlite3
import subprocess
import sys

import dagster as dg

from runtime.instance import install
from tests.conftest import ROOT

WRITE = """
import json, os, sys
import dagster as dg
from runtime.event_log import KEPT

@dg.asset
def counted():
    return 1

def open_databases():
    links = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.add(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own
            pass
    return len({link for link in links if link.endswith(".db")})

runs = int(sys.argv[1])
with dg.DagsterInstance.from_config(sys.argv[2]) as instance:
    storage = type(instance.event_log_storage).__name__
    ids = [dg.materialize([counted], instance=instance).run_id for _ in range(runs)]
    held = open_databases()
    forked = None
    if "--fork" in sys.argv:
        pid = os.fork()
        if pid == 0:  # the child writes through its own connections, then leaves without cleaning up
            child = dg.materialize([counted], instance=instance).run_id
            os._exit(0 if instance.get_run_by_id(child).is_success else 1)
        forked = os.waitpid(pid, 0)[1]
        ids.append(dg.materialize([counted], instance=instance).run_id)  # the parent's connections still work
    events = {run_id: len(instance.all_logs(run_id)) for run_id in ids}
    print(json.dumps({"storage": storage, "events": events, "held": held, "kept": KEPT, "forked": forked}))
"""

READ = """
import json, sys
import dagster as dg
with dg.DagsterInstance.from_config(sys.argv[1]) as instance:
    records = instance.fetch_materializations(dg.AssetKey("counted"), limit=100).records
    events = {run_id: len(instance.all_logs(run_id)) for run_id in sys.argv[2:]}
    print(json.dumps({"materializations": len(records), "events": events}))
"""


def run(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_another_process_reads_every_event_a_forked_one_writes_its_own_and_open_files_are_bounded(tmp_path):
    home = tmp_path / "home"
    install(home, env={})
    written = run(WRITE, "10", str(home), "--fork")
    assert written["storage"] == "KeptConnectionsEventLogStorage"
    assert 2 <= written["held"] <= written["kept"]  # the index and recent runs, not all 10
    assert written["forked"] == 0  # the child wrote through connections of its own
    read = run(READ, str(home), *written["events"])
    assert read["materializations"] == 12  # 10, then one in the child, one in the parent after the fork
    assert read["events"] == written["events"] and min(read["events"].values()) > 5
    databases = [home / "history/runs/index.db", *(home / f"history/runs/{r}.db" for r in written["events"])]
    for database in databases:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", database


def test_dagster_sees_the_project_event_log_under_the_installed_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    install(home, env={})
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert os.path.samefile(instance.event_log_storage._base_dir, home / "history/runs")
