"""Hostile and oversized files, each dropped into a copy of the sample whose data folder already holds a
good published run; `sgr draft` timed and measured as a whole process (its peak memory plus its
validation worker's), against a normal run of the sample. Then a valid CSV just under the size limit.

Run: python -m bench.hostile [--limit-mb 256]
Targets: each hostile file refused naming it, within a normal run's time + 5 s and its peak memory
+ 300 MB; the valid CSV at the limit drafted in under 2 GB.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from runtime import instance

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources"
MB = 2**20


def run(sources: Path, work: Path, env: dict, data: Path) -> dict:
    """One `sgr draft` (timed by bench.timed_draft): exit code, seconds, peak MB (with the worker's), stderr."""
    timings = work / "timings.json"
    timings.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.timed_draft", str(timings), "draft", "--sources", str(sources)]
    command += ["--data", str(data), "--reports", str(work / "drafts"), "--as-of", "2026-11-23"]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    # The two processes' own peaks when the run got far enough to record them; else the whole tree's.
    recorded = json.loads(timings.read_text()) if timings.exists() else {}
    main = recorded.get("main_peak_mb") or usage.ru_maxrss / 1024
    error = process.stderr.read().decode()
    return {
        "code": os.waitstatus_to_exitcode(status),
        "seconds": wall,
        "mb": main + (recorded.get("worker_peak_mb") or 0),
        "stderr": error,
    }


def write_repeated(path: Path, head: bytes, unit: bytes, size: int, tail: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = unit * max(1, (4 * MB) // len(unit))
    with open(path, "wb") as handle:
        handle.write(head)
        written = len(head)
        while written < size:
            chunk = block[: size - written]
            handle.write(chunk)
            written += len(chunk)
        handle.write(tail)
    return path


def zip_bomb(path: Path) -> Path:
    """A few MB on disk; its sheet named `reviews` inflates to over 2 GB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="reviews" sheetId="1"/></sheets></workbook>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            zeros = b" " * (64 * MB)
            for _ in range(34):
                sheet.write(zeros)
    return path


def valid_contributions(path: Path, size: int) -> int:
    """A valid contributions.csv of about `size` bytes; returns its rows."""
    rng = np.random.default_rng(11)
    header = b"contributor,contributor_iso3,year,commitment_usd,deposit_usd\n"
    rows, written = 0, len(header)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(header)
        while written < size:
            n = 200_000
            who = rng.integers(0, 2000, n)
            lines = "".join(
                f"Contributor {w:04d},NOR,{y},{c}.00,{d}.50\n"
                for w, y, c, d in zip(
                    who, rng.integers(2018, 2027, n), rng.integers(1, 10**7, n), rng.integers(0, 10**6, n), strict=True
                )
            ).encode()
            lines = lines[: size - written] if written + len(lines) > size else lines
            lines = lines[: lines.rfind(b"\n") + 1]
            handle.write(lines)
            written += len(lines)
            rows += lines.count(b"\n")
            if not lines:
                break
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=256)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sgr-hostile-"))
    env = {
        **os.environ,
        "DAGSTER_HOME": str(scratch / "home"),
        "PYTHONPATH": str(ROOT),
        "SGR_MAX_FILE_MB": f"{args.limit_mb:g}",
    }
    instance.install(scratch / "home")
    limit = int(args.limit_mb * MB)
    published = scratch / "published"
    print(f"machine: {os.cpu_count()} cores; file limit {args.limit_mb:g} MB; scratch {scratch}")
    first = run(SAMPLE, scratch, env, published)
    assert first["code"] == 0, first["stderr"]
    normal = run(SAMPLE, scratch, env, published)
    print(
        f"normal run of the sample (a published run already there): {normal['seconds']:.2f} s, {normal['mb']:,.0f} MB"
    )

    def case(name: str, make) -> dict:
        sources = scratch / "sources"
        shutil.rmtree(sources, ignore_errors=True)
        shutil.copytree(SAMPLE, sources)
        make(sources)
        data = scratch / "data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(published, data)
        result = run(sources, scratch, env, data)
        named = [
            line.strip()
            for line in result["stderr"].splitlines()
            if line.strip().startswith(("mptf/", "regional_reviews/", "country_networks/", "calendar"))
        ]
        result["message"] = named[0] if named else result["stderr"].strip().splitlines()[-1:]
        result["archived"] = sum(p.stat().st_size for p in (data / "raw").glob("*")) if (data / "raw").exists() else 0
        within = result["seconds"] <= normal["seconds"] + 5 and result["mb"] <= normal["mb"] + 300
        print(
            f"\n{name}: exit {result['code']}, {result['seconds']:.2f} s, {result['mb']:,.0f} MB "
            f"({'within' if within else 'OUTSIDE'} normal + 5 s and + 300 MB)"
        )
        print(f"  {result['message']}")
        shutil.rmtree(sources, ignore_errors=True)
        return result

    case("zip bomb (a sheet inflating to over 2 GB)", lambda s: zip_bomb(s / "regional_reviews/BOMB-2022.xlsx"))
    case(
        "a 1 GB CSV of one line", lambda s: write_repeated(s / "mptf/contributions-one-line.csv", b"", b"x", 1024 * MB)
    )
    case(
        "a CSV of one line, under the size limit",
        lambda s: write_repeated(s / "mptf/contributions-one-line.csv", b"", b"x", limit - MB),
    )
    header = b"contributor,contributor_iso3,year,commitment_usd,deposit_usd\n"
    case(
        "a 1 GB CSV whose one field is huge",
        lambda s: write_repeated(
            s / "mptf/contributions-huge.csv", header + b"Norway,NOR,2021,1,", b"9", 1024 * MB, b"\n"
        ),
    )
    case(
        "a CSV whose one field is huge, under the size limit",
        lambda s: write_repeated(
            s / "mptf/contributions-huge.csv", header + b'"', b"x", limit - MB, b'",NOR,2021,1,1\n'
        ),
    )
    case(
        "a header of 100,000 columns",
        lambda s: (s / "mptf/contributions-wide.csv").write_bytes(
            ",".join(f"c{i}" for i in range(100_000)).encode() + b"\n"
        ),
    )
    case(
        "a valid 1 GB contributions.csv (over the limit)",
        lambda s: valid_contributions(s / "mptf/contributions-big.csv", 1024 * MB),
    )

    def linked(s: Path) -> None:
        (s / "mptf/contributions.csv").unlink()
        (s / "mptf/contributions.csv").symlink_to("/etc/passwd")

    case("a link to a system file", linked)
    print("\nvalid CSVs of a quarter, a half and all of the limit (memory must grow no faster than the data):")
    for share in (0.25, 0.5, 1.0):
        size = int(limit * share) - 4 * MB
        sources = scratch / "sources"
        shutil.rmtree(sources, ignore_errors=True)
        shutil.copytree(SAMPLE, sources)
        rows = valid_contributions(sources / "mptf/contributions-at-the-limit.csv", size)
        data = scratch / "data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(published, data)
        result = run(sources, scratch, env, data)
        added = (result["mb"] - normal["mb"]) / (size / MB)
        print(
            f"  {size / MB:,.0f} MB, {rows:,} rows: exit {result['code']}, {result['seconds']:.1f} s, "
            f"{result['mb']:,.0f} MB peak, {added:.1f} MB of memory per MB of data over a normal run"
            + (f" (target < 2,048 MB: {'met' if result['mb'] < 2048 else 'MISSED'})" if share == 1.0 else "")
        )
        if result["code"]:
            print(result["stderr"][-2000:])
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
