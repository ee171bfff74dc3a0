"""The validation worker that `sgr draft` forks: same verdicts as validating in the process, and a
plain error if it dies."""

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq

from pipeline import worker
from tests.conftest import SAMPLE


def sgr_draft(sources, data, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "SGR_TIMINGS": str(tmp_path / "timings.json"),
    }
    command = [sys.executable, "-m", "pipeline.cli", "draft", "--sources", str(sources), "--data", str(data)]
    command += ["--reports", str(tmp_path / "drafts"), "--as-of", "2021-06-24"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def verdicts(data) -> list[tuple]:
    results = pq.read_table(data / "warehouse/validation_results.parquet").to_pylist()
    return sorted(
        (r["table"], r["check"], r["rule"], r["passed"], r["offending"], tuple(r["examples"])) for r in results
    )


def test_sgr_draft_validates_in_its_worker_with_the_verdicts_of_an_inline_run(sample_copy, tmp_path):
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")  # a warning to carry across
    done = sgr_draft(sample_copy, tmp_path / "data", tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "timings.json").read_text())["worker_peak_mb"] > 0

    from tests.test_pipeline import materialise

    assert worker._pool is None  # no worker in this process: validation runs inline
    assert materialise(sample_copy, tmp_path / "inline", tmp_path / "inline-drafts").success
    assert verdicts(tmp_path / "data") == verdicts(tmp_path / "inline")


def test_a_defect_found_in_the_worker_is_reported_by_file_line_and_column(sample_copy, tmp_path):
    (sample_copy / "mptf/targets.csv").write_text("year,capitalization_target_usd\n2021,-5\n")
    done = sgr_draft(sample_copy, tmp_path / "data", tmp_path)
    assert done.returncode == 1
    assert "mptf/targets.csv line 2, column capitalization_target_usd: value -5" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_worker_that_dies_is_named_plainly():
    script = (
        "import os\n"
        "from pipeline import worker\n"
        "worker.start()\n"
        "try:\n"
        "    worker.call(os._exit, 9)\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
        "worker.stop()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=SAMPLE.parent
    )
    assert done.stdout.strip() == "the validation worker stopped before it answered (out of memory?)"
