"""The run server `make dev` starts (runtime/launcher.py): a real server process, a real run forked from
it and recorded in the instance; a caller with other code gets no fork."""

import os
import subprocess
import sys
import time

import dagster as dg

from runtime import launcher
from runtime.instance import install
from tests.conftest import AS_OF, ROOT, SAMPLE


def test_a_run_is_forked_from_the_run_server_and_drafts(published_copy, tmp_path, monkeypatch):
    """The run redrafts the published copy: the fork, not the pipeline, is what is tested here."""
    home = tmp_path / "home"
    install(home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "runtime.launcher"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert "run server ready" in server.stdout.readline()
        from assets import definitions
        from assets.partitions import edition_to_run
        from assets.resources import Settings

        config = {
            "sources": str(SAMPLE),
            "data": str(published_copy / "data"),
            "reports": str(tmp_path / "drafts"),
            "as_of": AS_OF,
        }
        with dg.DagsterInstance.get() as instance:
            job = dg.reconstructable(definitions.all_assets_job)
            key = edition_to_run(instance, Settings(**config))
            run = instance.create_run_for_job(
                job_def=definitions.all_assets_job(),
                run_config={"resources": {"settings": {"config": config}}},
                tags={"dagster/partition": key},
                job_code_origin=job.get_python_origin(),
                asset_selection=frozenset({dg.AssetKey("draft_report")}),
            )
            pid = launcher.forked(run.run_id, instance.get_ref())
            assert pid and pid not in (os.getpid(), server.pid)
            deadline = time.monotonic() + 300
            while not instance.get_run_by_id(run.run_id).is_finished:
                assert time.monotonic() < deadline, "the forked run did not finish"
                time.sleep(0.5)
            assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.SUCCESS
            logged = [
                r.dagster_event.pid for r in instance.all_logs(run.run_id) if r.dagster_event and r.dagster_event.pid
            ]
            assert set(logged) == {pid}  # every step in the forked process
        assert (tmp_path / f"drafts/SG-report-draft-{AS_OF}.docx").exists()

        monkeypatch.setattr(launcher, "code_digest", lambda: "other code")
        assert launcher.forked("any", None) is None  # changed code: Dagster's own launcher starts the run
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (home / "runs.sock").exists()  # stopped cleanly: no socket left for callers to find


def test_without_a_server_runs_start_as_dagster_starts_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert launcher.forked("any", None) is None
    (tmp_path / "runs.sock").write_text("")  # left by a server that was killed
    (tmp_path / "runs.key").write_bytes(b"k")
    assert launcher.forked("any", None) is None
