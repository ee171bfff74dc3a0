"""One writer per data folder: the lock held across real processes, what a run that cannot get it says,
and the leftovers of a killed run removed by the next. In processes of their own where it matters: the
lock is the kernel's, and a process's death must release it."""

import fcntl
import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline.store.lock import DataFolderBusy, acquire, release
from tests.conftest import AS_OF, ROOT, materialise

HOLD = """
import sys, time
from pathlib import Path
from pipeline.store.lock import acquire
held = acquire(Path(sys.argv[1]), "a test holding it", 5)
print("held", flush=True)
time.sleep(60)
"""
WAIT = """
import sys, time
from pathlib import Path
from pipeline.store.lock import acquire
print("trying", flush=True)
started = time.monotonic()
acquire(Path(sys.argv[1]), "a test waiting", 30)
print(f"got it after {time.monotonic() - started:.1f} s", flush=True)
"""
OPEN = """
import dagster
from runtime import instance
print("opening", flush=True)
with instance.opened() as opened:
    print(len(opened.get_runs()), flush=True)
"""


def holder(data) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(data)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_process_waits_and_gets_the_lock_when_the_first_is_killed(tmp_path):
    first = holder(tmp_path / "data")
    second = subprocess.Popen(
        [sys.executable, "-c", WAIT, str(tmp_path / "data")], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert second.stdout.readline().strip() == "trying"
    # Its own words say it found the lock taken: no sleep to guess when it got there on a loaded machine.
    told = second.stdout.readline()
    assert told.startswith("waiting for the data folder") and f"(pid {first.pid} on " in told
    time.sleep(0.5)
    assert second.poll() is None  # still waiting
    first.send_signal(signal.SIGKILL)  # killed, not stopped: the kernel gives the lock back
    first.wait()
    out, _ = second.communicate(timeout=30)
    assert out.startswith("got it after")


def test_a_process_that_cannot_get_the_lock_in_time_says_who_holds_it(tmp_path):
    first = holder(tmp_path / "data")
    try:
        with pytest.raises(
            DataFolderBusy, match=r"is being written by a test holding it \(pid \d+ on .*\) and did not"
        ):
            acquire(tmp_path / "data", "a test", 0.5, say=lambda message: None)
    finally:
        first.kill()
        first.wait()
    release(acquire(tmp_path / "data", "a test", 5))  # free again once its holder is gone


def test_a_run_that_cannot_get_the_lock_fails_before_its_first_step(published_copy, sample_copy, monkeypatch):
    monkeypatch.setenv("SGR_LOCK_TIMEOUT", "0.5")
    before = {p: p.read_bytes() for p in (published_copy / "data/warehouse").rglob("*") if p.is_file()}
    first = holder(published_copy / "data")
    try:
        result = materialise(sample_copy, published_copy / "data", published_copy / "drafts")
    finally:
        first.kill()
        first.wait()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE")
    assert "did not come free within 0.5 s (SGR_LOCK_TIMEOUT)" in failure.event_specific_data.error.message
    assert not [e for e in result.all_events if e.event_type_value == "STEP_START"]
    assert {p: p.read_bytes() for p in (published_copy / "data/warehouse").rglob("*") if p.is_file()} == before


def test_a_run_removes_what_a_killed_run_left_behind(published_copy, sample_copy):
    left = [
        published_copy / "data/warehouse/.reviews.parquet.x1y2z3.tmp",
        published_copy / "data/raw/.incoming.abc.tmp",
        published_copy / "drafts" / f".SG-report-draft-{AS_OF}.docx.q9.tmp",
    ]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    result = materialise(sample_copy, published_copy / "data", published_copy / "drafts", selection=["draft_report"])
    assert result.success and result.asset_materializations_for_node("draft_report")  # the run drafted
    assert not [path for path in left if path.exists()]


def test_a_fresh_dagster_home_is_set_up_by_one_process_at_a_time(tmp_path):
    """Two `sgr draft` on a fresh $DAGSTER_HOME both created its SQLite storages, and one failed."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    with open(home / ".instance.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a process setting it up would
        opening = subprocess.Popen([sys.executable, "-c", OPEN], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert opening.stdout.readline().strip() == "opening"
        time.sleep(2.0)  # time enough to create the storages, had it not waited
        assert opening.poll() is None and not (home / "history").exists()
    out, _ = opening.communicate(timeout=60)
    assert out == "0\n" and (home / "history/runs.db").exists() and (home / "schedules/schedules.db").exists()
