"""Pairs of `sgr draft` started together on one data folder with different sources: the sample, and the
sample without two of its contributors. For each pair: both succeed, each prints its own sources'
figures, and the published set comes from one run.

Run: python -m bench.concurrent [--pairs 10]
"""

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.catalogue import FIGURES, columns_read, compute_key_figures
from pipeline.contract import TABLES
from pipeline.readers import find_sources, read_table
from pipeline.store import Store
from pipeline.store.files import to_frame
from pipeline.validation.verdicts import STAGED_BY
from runtime import instance

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources"
AS_OF = "2026-11-23"
FIGURE = "mptf_contributors"


def without_two_contributors(target: Path) -> None:
    shutil.copytree(SAMPLE, target)
    path = target / "mptf/contributions.csv"
    rows = list(csv.reader(path.open()))
    dropped = {"Norway", "Sweden"}
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([r for r in rows if r[0] not in dropped])


def expected(sources: Path) -> int:
    frames = {}
    for name, columns in columns_read(FIGURES.values()).items():
        frames[name] = to_frame(read_table(find_sources(sources, TABLES[name]), TABLES[name]))[
            columns + ["source_file"]
        ]
    figures = compute_key_figures(frames, dt.date.fromisoformat(AS_OF)).to_pylist()
    return int(next(r["value"] for r in figures if r["figure"] == FIGURE))


def printed(out: str) -> int:
    line = next(line for line in out.splitlines() if line.strip().startswith(FIGURE))
    return int(line.split()[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sgr-concurrent-"))
    instance.install(scratch / "home")
    env = {**os.environ, "DAGSTER_HOME": str(scratch / "home"), "PYTHONPATH": str(ROOT)}
    sources = {"sample": SAMPLE, "fewer": scratch / "fewer"}
    without_two_contributors(sources["fewer"])
    wanted = {name: expected(path) for name, path in sources.items()}
    print(f"{FIGURE}: {wanted['sample']} in the sample, {wanted['fewer']} without two; {args.pairs} pairs")
    data = scratch / "data"
    good = 0
    for pair in range(1, args.pairs + 1):
        started = time.perf_counter()
        processes = {
            name: subprocess.Popen(
                [sys.executable, "-m", "runtime.cli", "draft", "--sources", str(path), "--data", str(data)]
                + ["--reports", str(scratch / f"drafts-{name}"), "--as-of", AS_OF],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
            for name, path in (sorted(sources.items()) if pair % 2 else sorted(sources.items(), reverse=True))
        }
        outputs = {name: process.communicate() for name, process in processes.items()}
        seconds = time.perf_counter() - started
        codes = {name: processes[name].returncode for name in processes}
        own = {name: printed(out) == wanted[name] for name, (out, _) in outputs.items() if codes[name] == 0}
        waited = [name for name, (_, err) in outputs.items() if "waiting for the data folder" in err]
        stamps = {
            (pq.read_schema(Store(data).published.path(t)).metadata or {}).get(STAGED_BY, b"").decode() for t in TABLES
        }
        ok = set(codes.values()) == {0} and all(own.values()) and len(own) == 2 and len(stamps) == 1
        good += ok
        print(
            f"  pair {pair:>2}: exit codes {codes['sample']}/{codes['fewer']}, own figures printed "
            f"{'yes' if all(own.values()) and len(own) == 2 else 'NO'}, published set from "
            f"{len(stamps)} run{'s' if len(stamps) != 1 else ''}, waited: {', '.join(waited) or 'none'}, "
            f"{seconds:.1f} s"
        )
        for name, (_, err) in outputs.items():
            if codes[name]:
                print(f"    {name}: {err.strip()[-500:]}")
    print(f"{good} of {args.pairs} pairs: both succeeded, each printed its own figures, one run's set published")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
