"""Each defective source, one defect per case: the exact message a drafter sees, the file kept in the
raw archive and marked rejected. Every case runs through the ingest and validation functions on
staged tables; three of them (a file that cannot be read, a broken rule, a key defined twice) also
run whole through `sgr draft`, for the guarantee that nothing published or drafted changes."""

import hashlib
import shutil
from pathlib import Path

import pytest

from pipeline.contract import tables_of
from pipeline.ingestion import stage_table
from pipeline.store import Store
from pipeline.validation.rules import references_of
from pipeline.validation.suites import validate_staged
from pipeline.validation.verdicts import mark_rejected, rejection_reasons, summary
from runtime.cli import main
from tests.conftest import AS_OF, SAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
DEFECTS = sorted(p.name for p in (FIXTURES / "defects").iterdir())
TOLERATED = sorted(p.name for p in (FIXTURES / "tolerated").iterdir())
WHOLE_RUNS = ["not-utf8", "negative-amount", "programme-in-two-files", "control-character-in-text"]


def case_files(case: Path) -> list[Path]:
    return [p for p in case.rglob("*") if p.is_file() and p.name != "expected.txt"]


def with_case(case: Path, sources: Path) -> Path:
    for file in case_files(case):
        target = sources / file.relative_to(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return sources


def staged_and_validated(case: Path, tmp_path: Path):
    """The sample plus the case's file: the tables the file feeds, and those they refer to, staged; each
    table the file feeds validated."""
    (file,) = case_files(case)
    family = file.relative_to(case).parts[0]
    sources = tmp_path / "sources"
    shutil.copytree(SAMPLE / family, sources / family)
    with_case(case, sources)
    store = Store(tmp_path / "data")
    name = file.relative_to(case).as_posix()
    feeds = [t for t in tables_of(family) if file.suffix == ".xlsx" or file.stem.startswith(t.name + "-")]
    staged = {t.name for t in feeds} | {other for t in feeds for other in references_of(t)}
    fed, errors = [], []
    for table in tables_of(family):
        if table.name in staged:
            stage_table(store, sources, table, "test")
        if table in feeds and name in store.archive.read_register(table.name, ["path"]).column("path").to_pylist():
            fed.append(table.name)
    for table in fed:
        outcome = validate_staged(str(store.data), table)
        mark_rejected(store, table, rejection_reasons(outcome.errors))
        errors += outcome.errors
    return store, name, fed, errors


@pytest.mark.parametrize("name", DEFECTS)
def test_a_defect_is_named_archived_and_rejected(name, tmp_path):
    case = FIXTURES / "defects" / name
    store, path, fed, errors = staged_and_validated(case, tmp_path)
    expected = (case / "expected.txt").read_text().splitlines()
    lines = {line.strip() for line in summary(errors, 0).splitlines()}
    for line in expected:
        assert line in lines, f"{line!r} not in:\n{summary(errors, 0)}"
    (file,) = case_files(case)
    content = file.read_bytes()
    assert store.layout.archived(hashlib.sha256(content).hexdigest(), file.suffix).read_bytes() == content
    mine = [r for t in fed for r in store.archive.read_register(t).to_pylist() if r["path"] == path]
    assert mine and all(r["status"] == "rejected" for r in mine)
    assert {r["reason"] for r in mine} <= set(expected)


@pytest.mark.parametrize("name", TOLERATED)
def test_tolerated_inputs_pass(name, tmp_path):
    case = FIXTURES / "tolerated" / name
    store, path, fed, errors = staged_and_validated(case, tmp_path)
    assert errors == [] and len(fed) == 1
    rows = [r for r in store.staging.read(fed[0]).to_pylist() if r["source_file"] == path]
    assert len(rows) == 1
    if name == "formula-like-text":
        assert rows[0]["title"] == "=SUM(A1:A3)"
    assert [r["status"] for r in store.archive.read_register(fed[0]).to_pylist() if r["path"] == path] == ["accepted"]


def snapshot(root: Path) -> dict[str, bytes]:
    files = [p for folder in ("data/warehouse", "drafts") for p in (root / folder).rglob("*") if p.is_file()]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@pytest.mark.parametrize("name", WHOLE_RUNS)
def test_a_defect_in_a_whole_run_changes_nothing_published(name, published, published_copy, sample_copy, capsys):
    case = FIXTURES / "defects" / name
    before = snapshot(published_copy)
    with_case(case, sample_copy)
    (family,) = {f.relative_to(case).parts[0] for f in case_files(case)}
    code = main(
        ["draft", "--sources", str(sample_copy), "--data", str(published_copy / "data")]
        + ["--reports", str(published_copy / "drafts"), "--as-of", AS_OF, "--family", family]
    )
    err = capsys.readouterr().err
    assert code == 1
    lines = {line.strip() for line in err.splitlines()}
    for expected in (case / "expected.txt").read_text().splitlines():
        assert expected in lines, f"{expected!r} not in:\n{err}"
    assert "Traceback" not in err
    assert snapshot(published_copy) == before == snapshot(published.root)
