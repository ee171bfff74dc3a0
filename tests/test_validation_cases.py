"""Each defective source, one defect per case, through `sgr draft`: the exact message a drafter
sees, nothing published changed, the file kept in the raw archive and marked rejected."""

import hashlib
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
DEFECTS = sorted(p.name for p in (FIXTURES / "defects").iterdir())
TOLERATED = sorted(p.name for p in (FIXTURES / "tolerated").iterdir())
AS_OF = "2021-06-24"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The sample, drafted once: the published state every case starts from."""
    root = tmp_path_factory.mktemp("published")
    code = main(
        [
            "draft",
            "--sources",
            str(SAMPLE),
            "--data",
            str(root / "data"),
            "--reports",
            str(root / "drafts"),
            "--as-of",
            AS_OF,
        ]
    )
    assert code == 0
    return root


@pytest.fixture(autouse=True)
def dagster_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path_factory.getbasetemp() / "dagster_home"))


def case_files(case: Path) -> list[Path]:
    return [p for p in case.rglob("*") if p.is_file() and p.name != "expected.txt"]


def draft_with(case: Path, published: Path, tmp_path: Path) -> tuple[int, Path]:
    sources, data, drafts = tmp_path / "sources", tmp_path / "data", tmp_path / "drafts"
    shutil.copytree(SAMPLE, sources)
    shutil.copytree(published / "data", data)
    shutil.copytree(published / "drafts", drafts)
    for file in case_files(case):
        target = sources / file.relative_to(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    code = main(["draft", "--sources", str(sources), "--data", str(data), "--reports", str(drafts), "--as-of", AS_OF])
    return code, tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    files = [p for folder in ("data/warehouse", "drafts") for p in (root / folder).rglob("*") if p.is_file()]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@pytest.mark.parametrize("name", DEFECTS)
def test_a_defect_is_named_and_nothing_published_changes(name, published, tmp_path, capsys):
    case = FIXTURES / "defects" / name
    code, root = draft_with(case, published, tmp_path)
    err = capsys.readouterr().err
    assert code == 1
    lines = {line.strip() for line in err.splitlines()}
    for expected in (case / "expected.txt").read_text().splitlines():
        assert expected in lines, f"{expected!r} not in:\n{err}"
    assert "Traceback" not in err
    assert snapshot(root) == snapshot(published)

    (defective,) = case_files(case)
    content = defective.read_bytes()
    archived = root / "data/raw" / f"{hashlib.sha256(content).hexdigest()}{defective.suffix}"
    assert archived.read_bytes() == content
    register = [r for f in (root / "data/raw/register").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    mine = [r for r in register if r["path"] == defective.relative_to(case).as_posix()]
    assert mine and all(r["status"] == "rejected" for r in mine)
    assert {r["reason"] for r in mine} <= set((case / "expected.txt").read_text().splitlines())


@pytest.mark.parametrize("name", TOLERATED)
def test_tolerated_inputs_are_published(name, published, tmp_path, capsys):
    case = FIXTURES / "tolerated" / name
    code, root = draft_with(case, published, tmp_path)
    assert code == 0, capsys.readouterr().err
    (file,) = case_files(case)
    table = file.stem.split("-")[0]
    rows = pq.read_table(root / f"data/warehouse/{table}.parquet").to_pylist()
    mine = [r for r in rows if r["source_file"] == file.relative_to(case).as_posix()]
    assert len(mine) == 1
    if name == "formula-like-text":
        assert mine[0]["title"] == "=SUM(A1:A3)"
    listed = pq.read_table(root / "data/warehouse/source_files.parquet").to_pylist()
    assert [r["status"] for r in listed if r["path"] == mine[0]["source_file"]] == ["accepted"]
