"""How long validation takes: every table of the bundled sample, and a contributions table of
N rows (default 1,000,000). Run: .venv/bin/python -m bench.validation [N]"""

import random
import sys
import tempfile
import time
from pathlib import Path

from pipeline.contract import TABLES
from pipeline.readers import find_sources, read_sources
from pipeline.validation import check_warnings, reference_keys, validate_table, warnings_for

SAMPLE = Path(__file__).resolve().parents[1] / "sources"


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def read(root: Path, name: str):
    table = TABLES[name]
    reading = read_sources(find_sources(root, table), table)
    return reading, reading.rows.to_pandas(date_as_object=False)


def validate_all(root: Path) -> None:
    frames, readings = {}, {}
    for name in TABLES:
        readings[name], frames[name] = read(root, name)
    for name, table in TABLES.items():
        references = reference_keys(table, lambda other, column: list(frames[other][column]))
        validate_table(table, frames[name], readings[name].problems, references)
        if warnings_for(name):
            check_warnings(name, frames)


def write_contributions(folder: Path, rows: int) -> None:
    rng = random.Random(1)
    names = [f"Contributor {i}" for i in range(400)]
    codes = ["DEU", "NOR", "SWE", "FRA", "ESP", ""]
    lines = ["contributor,contributor_iso3,year,commitment_usd,deposit_usd"]
    lines += [
        f"{rng.choice(names)},{rng.choice(codes)},{rng.randint(2018, 2030)},{rng.randint(0, 10**7)}.00,"
        f"{rng.randint(0, 10**7)}.50"
        for _ in range(rows)
    ]
    (folder / "mptf").mkdir(parents=True)
    (folder / "mptf/contributions.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print("validation timings (this machine; one run)")
    timed("import great_expectations", lambda: __import__("great_expectations"))
    timed("sample: read and validate every table", lambda: validate_all(SAMPLE))
    timed("sample: again, GX warm", lambda: validate_all(SAMPLE))
    with tempfile.TemporaryDirectory() as folder:
        timed(f"write contributions.csv, {rows:,} rows", lambda: write_contributions(Path(folder), rows))
        reading, frame = timed("read and type it", lambda: read(Path(folder), "contributions"))
        outcome = timed("validate it (GX, 8 rules)", lambda: validate_table(TABLES["contributions"], frame, []))
        assert not outcome.failures, outcome.failures


if __name__ == "__main__":
    main()
