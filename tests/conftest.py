"""Shared fixtures. Most tests call plain functions; those that need a whole Dagster run share one
published run of the bundled sample per test session (`published`), copied by tests that change it."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import filelock
import pandas as pd
import pyarrow as pa
import pytest

from pipeline.contract import TABLES
from pipeline.paths import dossier_file, draft_file
from tests.installed import SKIPPED, require

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources"
TEMPLATE = ROOT / "reports" / "template"
AS_OF = "2021-06-24"
D = dt.date(2021, 6, 24)
SYMBOL = "A/75/xxx"  # a draft dated 24 June 2021: the seventy-fifth session was in course (pipeline/sessions.py)
DAY_BEFORE, DAY_AFTER = dt.date(2021, 6, 23), dt.date(2021, 6, 25)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def save_workbook(path: Path, sheets: dict[str, list[list]], saved: dict[str, object] | None = None) -> Path:
    """A workbook of the given sheets. openpyxl writes a formula without the value Excel saves with it;
    `saved` puts one in, as Excel does ({"B2": "Geneva"}: cell B2 of the first sheet). As in Excel, a
    leading apostrophe makes text of what would be a formula ("'=SUM(A1:A3)")."""
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([v.removeprefix("'") if isinstance(v, str) and v.startswith("'=") else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, str) and value.startswith("'="):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    if saved:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for cell, value in saved.items():
            kind = "" if isinstance(value, int | float) else ' t="str"'
            xml = re.sub(
                rf'<c r="{cell}"><f>(.*?)</f><v></v></c>', rf'<c r="{cell}"{kind}><f>\1</f><v>{value}</v></c>', xml
            )
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in parts.items():
                archive.writestr(name, content)
    return path


def materialise(
    sources,
    data,
    reports,
    as_of=AS_OF,
    selection=None,
    instance=None,
    edition=None,
    compare_with=None,
    languages=None,
    template=None,
    pdf="no",
    provenance_comments=None,
):
    """One in-process run of every asset (or of `selection`), as `sgr draft` runs them; the tagged PDFs only when
    asked (the shared six-language run makes them, once)."""
    from assets.definitions import defs
    from assets.partitions import edition_to_run
    from assets.resources import Settings

    config = {"sources": str(sources), "data": str(data), "reports": str(reports), "as_of": as_of}
    config |= {"compare_with": compare_with} if compare_with else {}
    config |= {"languages": languages} if languages else {}
    config |= {"template": str(template)} if template else {}
    config |= {"pdf": pdf} | ({"provenance_comments": provenance_comments} if provenance_comments else {})
    instance = instance or dg.DagsterInstance.ephemeral()
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=instance,
        asset_selection=[dg.AssetKey(k) for k in selection] if selection else None,
        partition_key=edition_to_run(instance, Settings(**config), edition),
        raise_on_error=False,
    )


def summary(result: dg.ExecuteInProcessResult) -> dict:
    """What tests read of a run: each materialization's metadata and data version, each check's verdict."""

    def plain(metadata) -> dict:
        # A table (the languages drafted, the key figures) as its records.
        return {
            key: [r.data for r in value.records] if isinstance(value, dg.TableMetadataValue) else value.value
            for key, value in metadata.items()
        }

    return {
        "success": result.success,
        "materializations": {
            e.asset_key.to_user_string(): {
                "metadata": plain(e.materialization.metadata),
                "data_version": (e.materialization.tags or {}).get("dagster/data_version"),
            }
            for e in result.get_asset_materialization_events()
        },
        "checks": {
            f"{c.asset_key.to_user_string()}.{c.check_name}": {"passed": c.passed, "metadata": plain(c.metadata)}
            for c in result.get_asset_check_evaluations()
        },
    }


@dataclass
class Published:
    summary: dict
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def drafts(self) -> Path:
        return self.root / "drafts"

    @property
    def draft(self) -> Path:
        return draft_file(self.drafts, D)

    @property
    def dossier(self) -> Path:
        return dossier_file(self.drafts, D)


def session_folder(tmp_path_factory) -> Path:
    """The folder all workers of a session share: under pytest-xdist each worker's base folder sits in it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    """The bundled sample, drafted once as of 24 June 2021: the published state tests start from. Made
    once per test session: with pytest-xdist, the first worker to need it makes it, the others wait."""
    shared = session_folder(tmp_path_factory)
    root, made = shared / "published", shared / "published.json"
    with filelock.FileLock(str(shared / "published.lock")):
        if not made.exists():
            result = materialise(SAMPLE, root / "data", root / "drafts")
            made.write_text(json.dumps(summary(result), default=str))
    published = Published(json.loads(made.read_text()), root)
    assert published.summary["success"]
    return published


@pytest.fixture
def published_copy(published, tmp_path) -> Path:
    """A private copy of the published data and drafts that a test may change; returns its root."""
    shutil.copytree(published.data, tmp_path / "data")
    shutil.copytree(published.drafts, tmp_path / "drafts")
    return tmp_path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled sample that a test may break."""
    target = tmp_path / "sources"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory):
    """Runs of the tests never go into the project's own .dagster_home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
        patch.setenv("SGR_PDF", "no")  # LibreOffice's export for the tests that check it only (test_documents)
        yield


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A contract table from a few hand-made rows, typed and with lineage as ingest stages it."""
    table = TABLES[name]
    full = [
        {c: r.get(c) for c in table.column_names}
        | {
            "source_file": r.get("file", f"{name}.csv"),
            "source_sheet": None,
            "source_line": i + 2,
            "source_sha256": "0" * 64,
        }
        for i, r in enumerate(rows)
    ]
    return pa.Table.from_pylist(full, schema=table.schema).to_pandas(date_as_object=False)


def frames(**rows) -> dict[str, pd.DataFrame]:
    """Every contract table, empty but for the rows given."""
    return {name: frame(name, rows.get(name, [])) for name in TABLES}


def network(nid, level="country", iso3="KEN", established=dt.date(2020, 1, 1), closed=None):
    return {
        "network_id": nid,
        "level": level,
        "iso3": iso3,
        "name": nid,
        "established_on": established,
        "closed_on": closed,
    }


def champion(iso3, joined=dt.date(2020, 10, 15), left=None):
    return {"iso3": iso3, "joined_on": joined, "left_on": left}


def review(rid, end, region="Africa", commission="ECA", cycle="2020-2021", fmt="virtual"):
    return {
        "review_id": rid,
        "cycle": cycle,
        "region": region,
        "commission": commission,
        "start_date": end,
        "end_date": end,
        "venue": "virtual",
        "format": fmt,
        "member_states_participating": 1,
    }


def contribution(who, year, commitment, deposit):
    return {"contributor": who, "year": year, "commitment_usd": commitment, "deposit_usd": deposit}


def programme(pid, approved, area, budget, countries=("KEN",)):
    return {
        "programme_id": pid,
        "title": pid,
        "countries": list(countries),
        "thematic_area": area,
        "participating_organizations": ["IOM"],
        "approved_on": approved,
        "budget_usd": budget,
        "status": "ongoing",
    }


def note(nid, submitted, status):
    return {"note_id": nid, "submitted_on": submitted, "countries": ["KEN"], "thematic_area": 1, "status": status}


def transfer(pid, year, funded, spent, organization="IOM"):
    return {
        "programme_id": pid,
        "organization": organization,
        "year": year,
        "net_funded_usd": funded,
        "expenditure_usd": spent,
    }


def pytest_terminal_summary(terminalreporter):
    """Say what this machine lacks for the tests it skipped, and how to install it (tests/installed.py)."""
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if SKIPPED in reason:
            reasons.add(reason.split(SKIPPED, 1)[1])
    if reasons:
        terminalreporter.write_sep("-", "skipped: not installed here")
        for reason in sorted(reasons):
            terminalreporter.write_line(f"install {reason}; CI installs everything (.ci/run)")


@dataclass
class Translated:
    """The published run's drafts in the six languages, made once per session (tests/installed.py: fonts)."""

    paths: dict[str, Path]
    metadata: dict  # draft_report's, with each language's draft under "Languages"
    root: Path


@pytest.fixture(scope="session")
def translated(published, tmp_path_factory) -> Translated:
    """A copy of the published run drafted again in the six official languages: only the drafting step, from
    the tables the English draft was made from, with the provenance comments a drafter may ask for (so that
    each language's figures can be read back) and the tagged PDFs. Made once per session, as `published` is."""
    from pipeline.languages.official import LANGUAGES

    require("fonts")
    shared = session_folder(tmp_path_factory)
    root, made = shared / "translated", shared / "translated.json"
    with filelock.FileLock(str(shared / "translated.lock")):
        if not made.exists():
            shutil.copytree(published.data, root / "data")
            result = materialise(
                SAMPLE,
                root / "data",
                root / "drafts",
                selection=["draft_report"],
                languages=",".join(LANGUAGES),
                pdf="yes" if shutil.which("soffice") else "no",
                provenance_comments="yes",
            )
            assert result.success
            made.write_text(json.dumps(summary(result)["materializations"]["draft_report"]["metadata"], default=str))
    paths = {code: draft_file(root / "drafts", D, code) for code in LANGUAGES}
    return Translated(paths, json.loads(made.read_text()), root)


@pytest.fixture(scope="session")
def object_store():
    """One S3 API for the session's tests that use one (tests/servers.py), the AWS variables set for this
    process, as a deployment sets them."""
    import s3fs

    from tests.servers import s3

    with s3() as settings, pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            patch.setenv(key, value)
        yield settings
        s3fs.S3FileSystem.clear_instance_cache()  # its clients point at this server


@pytest.fixture(scope="session")
def on_s3(object_store) -> str:
    """The bundled sample drafted once with its data and drafts on S3, under this prefix; a test that changes
    them works on a copy (tests/servers.py: copy_prefix)."""
    from tests.servers import BUCKET

    prefix = "first"
    result = materialise(SAMPLE, f"s3://{BUCKET}/{prefix}/data", f"s3://{BUCKET}/{prefix}/drafts")
    assert result.success
    return prefix


# Tests that share a server, the S3 run or the LibreOffice rendering run on one worker (their `xdist_group`,
# under pytest-xdist's loadgroup), so that each is made once; they go first, as the longest.
GROUPED_FIRST = ("test_deploy.py", "test_object_store.py", "test_documents.py", "test_ui.py")


@pytest.hookimpl(trylast=True)  # after pytest-xdist has named each test's group
def pytest_collection_modifyitems(config, items):
    """The longest tests first: one that needs the published run (its worker makes it), the grouped ones, then
    those that do not need the published run, then the others: with pytest-xdist, one worker makes the
    published run while the other works through tests that do not need it, and neither waits for it."""

    def rank(item) -> int:
        if item.fspath.basename in GROUPED_FIRST:
            return 1
        return 2 if "published" not in item.fixturenames else 3

    if getattr(config.option, "loadgroup", False):
        lost = [i.nodeid for i in items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
        if lost:
            raise pytest.UsageError(f"pytest-xdist did not group {lost[0]}: see the pytest pin in pyproject.toml")
    ordered = sorted(items, key=rank)
    first = next((i for i in ordered if rank(i) == 3), None)
    items[:] = ([first] if first else []) + [i for i in ordered if i is not first]
