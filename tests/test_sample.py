"""The bundled illustrative sample is what `python -m pipeline.sample` writes, the same each time."""

import openpyxl

from pipeline import sample
from pipeline.contract import TABLES
from tests.conftest import SAMPLE


def contents(root) -> dict[str, object]:
    """Each file's content: a CSV's bytes, a workbook's cells (a workbook's own bytes carry the time it was saved)."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".csv", ".xlsx")):
        name = path.relative_to(root).as_posix()
        if path.suffix == ".csv":
            found[name] = path.read_bytes()
        else:
            book = openpyxl.load_workbook(path, read_only=True)
            found[name] = {
                sheet: [list(row) for row in book[sheet].iter_rows(values_only=True)] for sheet in book.sheetnames
            }
            book.close()
    return found


def test_the_generator_is_deterministic_and_wrote_the_bundled_sample(tmp_path):
    sample.build(tmp_path / "a")
    sample.build(tmp_path / "b")
    first = contents(tmp_path / "a")
    assert first == contents(tmp_path / "b")
    assert first == contents(SAMPLE), (
        "sources/ differs from `python -m pipeline.sample`: edit the generator, not the files"
    )
    # Every table of the contract is in the sample: a CSV named after it or a sheet of a review's workbook; but
    # IATI activity files, which the Fund's figures of the sample do not come from (tests/test_iati.py).
    named = {name.rsplit("/", 1)[-1].removesuffix(".csv") for name in first if name.endswith(".csv")}
    sheets = {sheet for content in first.values() if isinstance(content, dict) for sheet in content}
    assert named | sheets == set(TABLES) - {"iati_transactions", "iati_activities"}
    assert sorted(name for name in first if name.endswith(".xlsx")) == [
        f"regional_reviews/{review}.xlsx"
        for review in ("ECA-2025", "ECE-2020", "ECE-2024", "ECLAC-2021", "ECLAC-2025", "ESCAP-2021", "ESCAP-2025")
        + ("ESCWA-2025",)
    ]


def test_another_seed_gives_other_illustrative_rows(tmp_path):
    sample.build(tmp_path / "a")
    sample.build(tmp_path / "b", seed=7)
    a, b = contents(tmp_path / "a"), contents(tmp_path / "b")
    assert a["mptf/contributions.csv"] != b["mptf/contributions.csv"]
    assert a["calendar.csv"] == b["calendar.csv"]  # the calendar is public fact, not drawn at random
