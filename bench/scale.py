"""Sources at the scale of every fund the MPTF Office administers: valid rows, a fixed seed.

Defaults: 1,000,000 contributions and 1,000,000 transfers, 100,000 joint programmes, 200,000
concept notes; the regional reviews, networks, Champions and calendar of the bundled sample.
"""

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.countries import ISO3_CODES

SAMPLE = Path(__file__).resolve().parents[1] / "sources"
ORGANIZATIONS = np.array(["IOM", "ILO", "UNDP", "UNHCR", "UNICEF", "UNODC", "OHCHR", "UN Women", "WHO", "UNFPA"])
STATUSES = np.array(["approved", "ongoing", "operationally closed", "financially closed"])
NOTE_STATUSES = np.array(["received", "positively assessed", "prioritized", "not retained", "funded"])
EPOCH = np.datetime64("2019-01-01")


def _write(path: Path, columns: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(pa.table({k: pa.array(v) for k, v in columns.items()}), path, write_options=options)


def _dates(rng, n: int, start: str, days: int) -> np.ndarray:
    return (np.datetime64(start) + rng.integers(0, days, n).astype("timedelta64[D]")).astype(str)


def _joined(rng, pool: np.ndarray, n: int, most: int) -> np.ndarray:
    """`A;B` lists of 1 to `most` items per row, vectorised."""
    picks = pool[rng.integers(0, len(pool), (n, most))]
    counts = rng.integers(1, most + 1, n)
    out = picks[:, 0].astype(object)
    for k in range(1, most):
        extra = counts > k
        out[extra] = out[extra] + ";" + picks[extra, k]
    return out.astype(str)


def make_sources(
    root: Path,
    contributions: int = 1_000_000,
    transfers: int = 1_000_000,
    programmes: int = 100_000,
    notes: int = 200_000,
    seed: int = 6,
) -> Path:
    rng = np.random.default_rng(seed)
    if root.exists():
        shutil.rmtree(root)
    for family in ("regional_reviews", "country_networks"):
        shutil.copytree(SAMPLE / family, root / family)
    shutil.copyfile(SAMPLE / "calendar.csv", root / "calendar.csv")
    codes = np.array(sorted(ISO3_CODES - {"XKX"}))

    contributors = np.array([f"Contributor {i:04d}" for i in range(2000)])
    who = rng.integers(0, len(contributors), contributions)
    commitment = rng.integers(1_000, 5_000_000, contributions)
    _write(
        root / "mptf/contributions.csv",
        {
            "contributor": contributors[who],
            "contributor_iso3": np.where(who % 3 == 0, "", codes[who % len(codes)]),
            "year": rng.integers(2018, 2027, contributions),
            "commitment_usd": commitment.astype(float),
            "deposit_usd": np.round(commitment * rng.uniform(0, 1, contributions), 2),
        },
    )

    ids = np.char.add("JP-", np.char.zfill(np.arange(1, programmes + 1).astype(str), 6))
    approved = EPOCH + rng.integers(0, 2800, programmes).astype("timedelta64[D]")
    start = approved + rng.integers(10, 90, programmes).astype("timedelta64[D]")
    _write(
        root / "mptf/joint_programmes.csv",
        {
            "programme_id": ids,
            "title": np.char.add("Joint programme ", ids),
            "countries": _joined(rng, codes, programmes, 3),
            "thematic_area": rng.integers(1, 6, programmes),
            "participating_organizations": _joined(rng, ORGANIZATIONS, programmes, 3),
            "approved_on": approved.astype(str),
            "start_date": start.astype(str),
            "end_date": (start + rng.integers(365, 1100, programmes).astype("timedelta64[D]")).astype(str),
            "budget_usd": rng.integers(500_000, 5_000_000, programmes).astype(float),
            "status": STATUSES[rng.integers(0, 4, programmes)],
        },
    )

    funded = rng.uniform(1_000, 500_000, transfers).round(2)
    _write(
        root / "mptf/transfers.csv",
        {
            "programme_id": ids[rng.integers(0, programmes, transfers)],
            "organization": ORGANIZATIONS[rng.integers(0, len(ORGANIZATIONS), transfers)],
            "year": rng.integers(2019, 2027, transfers),
            "net_funded_usd": funded,
            "expenditure_usd": (funded * rng.uniform(0, 0.9, transfers)).round(2),
        },
    )

    status = NOTE_STATUSES[rng.integers(0, len(NOTE_STATUSES), notes)]
    _write(
        root / "mptf/concept_notes.csv",
        {
            "note_id": np.char.add("CN-", np.char.zfill(np.arange(1, notes + 1).astype(str), 7)),
            "submitted_on": _dates(rng, notes, "2019-01-01", 2800),
            "countries": _joined(rng, codes, notes, 2),
            "thematic_area": rng.integers(1, 6, notes),
            "status": status,
            "programme_id": np.where(status == "funded", ids[rng.integers(0, programmes, notes)], ""),
        },
    )
    _write(
        root / "mptf/targets.csv",
        {
            "year": np.arange(2018, 2031),
            "capitalization_target_usd": np.full(13, 30_000_000.0),
        },
    )
    return root


if __name__ == "__main__":
    import sys
    import time

    started = time.perf_counter()
    where = make_sources(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/sgr-scale"))
    print(f"wrote {where} in {time.perf_counter() - started:.1f} s ({dt.date.today()})")
