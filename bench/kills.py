"""`kill -9` at random moments of `sgr draft`: after each, no torn file (every Parquet file reads, every
draft opens), the next run succeeds, and no temporary file is left after it.

Run: python -m bench.kills [--kills 30] [--seed 3]
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
import pyarrow.parquet as pq
from pipeline.store.warehouse import TEMPORARY

from runtime import instance

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources"


def draft(scratch: Path, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "runtime.cli", "draft", "--sources", str(SAMPLE), "--data", str(scratch / "data")]
    command += ["--reports", str(scratch / "drafts"), "--as-of", "2026-11-23"]
    # A session of its own, so that the kill reaches the validation worker too.
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def torn(scratch: Path) -> list[str]:
    broken = []
    for path in (scratch / "data").rglob("*.parquet"):
        try:
            pq.read_metadata(path)
        except Exception as error:
            broken.append(f"{path}: {error}")
    for path in (scratch / "drafts").glob("*.docx"):
        try:
            docx.Document(str(path))
        except Exception as error:
            broken.append(f"{path}: {error}")
    return broken


def leftovers(scratch: Path) -> list[Path]:
    return [p for folder in ("data", "drafts") for p in (scratch / folder).rglob(f".*{TEMPORARY}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scratch = Path(tempfile.mkdtemp(prefix="sgr-kills-"))
    instance.install(scratch / "home")
    env = {**os.environ, "DAGSTER_HOME": str(scratch / "home"), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    first = draft(scratch, env)
    assert first.wait() == 0, first.stderr.read()
    normal = time.perf_counter() - started
    print(f"a run takes {normal:.1f} s; {args.kills} kills at random moments within it (seed {args.seed})")
    torn_after, failed_next, left_after_next, left_at_kill = 0, 0, 0, 0
    for kill in range(1, args.kills + 1):
        moment = rng.uniform(0.2, normal)
        process = draft(scratch, env)
        time.sleep(moment)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        broken = torn(scratch)
        left_at_kill += len(leftovers(scratch))
        following = draft(scratch, env)
        code = following.wait()
        after = leftovers(scratch)
        torn_after += bool(broken)
        failed_next += code != 0
        left_after_next += len(after)
        print(
            f"  kill {kill:>2} at {moment:4.1f} s: torn files {len(broken)}, next run exit {code}, "
            f"temporary files after it {len(after)}"
        )
        for line in broken:
            print(f"    {line}")
        if code:
            print(f"    {following.stderr.read().decode()[-800:]}")
    print(
        f"{args.kills} kills: {torn_after} left a torn file, {failed_next} next runs failed, "
        f"{left_at_kill} temporary files found right after the kills, {left_after_next} left after the next runs"
    )


if __name__ == "__main__":
    main()
