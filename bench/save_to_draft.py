"""Save -> draft under `make dev`: starts `make dev` on a copy of the sample in a temporary folder,
saves a change to one family's file at a time, and reads the Dagster instance's records for when
the draft it causes was written. Prints each save's figures, the median and the worst.

Run: python -m bench.save_to_draft [--saves 10]

For each save: detected (the save to the run's creation: sensor interval and settle rule),
queued (creation to start: the run queue and the run process's launch), run (start to the draft
written: imports, steps and Dagster's bookkeeping) and the total.
"""

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources"
TARGET_MEDIAN, TARGET_WORST = 10.0, 15.0
FIRST_DRAFT_TIMEOUT = 600
SAVE_TIMEOUT = 180


def _edit_contributions(text: str, n: int) -> str:
    """The last contribution's amounts, a dollar more each save: mptf."""
    lines = text.rstrip("\n").split("\n")
    *head, commitment, deposit = lines[-1].split(",")
    lines[-1] = ",".join([*head, f"{125000 + n}.00", f"{125000 + n}.00"])
    return "\n".join(lines) + "\n"


def _edit_network(text: str, n: int) -> str:
    """The last network's name: country_networks."""
    lines = text.rstrip("\n").split("\n")
    lines[-1] = re.sub(r"( \(\d+\))?,(\d{4}-\d\d-\d\d),", rf" ({n}),\2,", lines[-1], count=1)
    return "\n".join(lines) + "\n"


def _edit_finding(text: str, n: int) -> str:
    """The first finding's text: regional_reviews."""
    return re.sub(r'during the review( \(\d+\))?\."', f'during the review ({n})."', text, count=1)


EDITS = [
    ("mptf/contributions.csv", _edit_contributions),
    ("country_networks/country_networks.csv", _edit_network),
    ("regional_reviews/review_findings.csv", _edit_finding),
]


def idle(instance: dg.DagsterInstance) -> None:
    busy = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    time.sleep(10)  # the sensors and the automation take the first draft in
    while instance.get_runs_count(dg.RunsFilter(statuses=busy)):
        time.sleep(0.5)


def cells(figures) -> str:
    return "".join(f"{f:>{w}.1f}" for f, w in zip(figures, (9, 8, 7, 7), strict=True))


def runs_seen(instance: dg.DagsterInstance, since: float) -> None:
    """Every run made while the benchmark ran: what started it and how long it queued and ran."""
    print("\nruns (created after the first draft):")
    records = instance.get_run_records(dg.RunsFilter(created_after=dt.datetime.fromtimestamp(since, dt.UTC)))
    for record in sorted(records, key=lambda r: r.create_timestamp):
        run, created = record.dagster_run, record.create_timestamp.timestamp()
        started, ended = record.start_time or created, record.end_time or created
        trigger = (
            run.tags.get("sgr/changes")
            or run.tags.get("dagster/sensor_name")
            or run.tags.get("dagster/automation_condition")
            or "?"
        )
        at = time.strftime("%H:%M:%S", time.gmtime(created))
        print(
            f"  {at} {run.status.value:<8} queued {started - created:5.1f} s, ran {ended - started:5.1f} s  {trigger}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drafts_since(instance: dg.DagsterInstance, since: float) -> list[dg.EventLogRecord]:
    records = instance.fetch_materializations(dg.AssetKey("draft_report"), limit=20).records
    return sorted((r for r in records if r.timestamp > since), key=lambda r: r.timestamp)


def wait_for_draft(instance: dg.DagsterInstance, since: float, timeout: float) -> dg.EventLogRecord:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = drafts_since(instance, since)
        if found:
            return found[0]
        time.sleep(0.2)
    sys.exit(f"no draft within {timeout:.0f} s of {time.strftime('%H:%M:%S', time.localtime(since))}")


def wait_for_run_of(instance: dg.DagsterInstance, name: str, since: float, timeout: float) -> dg.EventLogRecord:
    """The draft written by the run the save of `name` started (its sensor names the file in its tags)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for record in instance.get_run_records(dg.RunsFilter(created_after=dt.datetime.fromtimestamp(since, dt.UTC))):
            if name in record.dagster_run.tags.get("sgr/changes", ""):
                drafts = instance.fetch_materializations(
                    dg.AssetRecordsFilter(asset_key=dg.AssetKey("draft_report"), storage_ids=None), limit=5
                ).records
                mine = [d for d in drafts if d.run_id == record.dagster_run.run_id]
                if mine:
                    return mine[0]
                if record.dagster_run.is_finished:
                    sys.exit(f"the run {record.dagster_run.run_id} for {name} ended without a draft")
        time.sleep(0.2)
    sys.exit(f"no draft for the save of {name} within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sgr-save-"))
    sources, home = scratch / "sources", scratch / "home"
    shutil.copytree(SAMPLE, sources)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SGR_SOURCES": str(sources),
        "SGR_DATA": str(scratch / "data"),
        "SGR_REPORTS": str(scratch / "drafts"),
    }
    port = free_port()
    log = open(scratch / "dev.log", "w")  # noqa: SIM115  (open while make dev runs)
    dev = subprocess.Popen(
        ["make", "-s", "-C", str(ROOT), "dev", f"DAGSTER_HOME={home}", f"PORT={port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    print(f"make dev on port {port}, data and drafts in {scratch}; waiting for the first draft")
    rows = []
    try:
        started = time.time()
        while not (home / "dagster.yaml").exists():
            time.sleep(0.2)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            first = wait_for_draft(instance, started, FIRST_DRAFT_TIMEOUT)
            print(f"first draft {first.timestamp - started:.1f} s after make dev started")
            idle(instance)  # the runs that follow the first draft (other editions, the template) are done
            print(f"  {'save':<5}{'file':<40}{'detected':>9}{'queued':>8}{'run':>7}{'total':>7}")
            for n in range(1, args.saves + 1):
                name, edit = EDITS[(n - 1) % len(EDITS)]
                path = sources / name
                text = edit(path.read_text(), n)
                saved = time.time()
                path.write_text(text)
                draft = wait_for_run_of(instance, path.name, saved, SAVE_TIMEOUT)
                run = instance.get_run_record_by_id(draft.run_id)
                created, start = run.create_timestamp.timestamp(), run.start_time or draft.timestamp
                figures = (created - saved, start - created, draft.timestamp - start, draft.timestamp - saved)
                rows.append(figures)
                print(f"  {n:<5}{name:<40}{cells(figures)}")
                time.sleep(1)
            runs_seen(instance, first.timestamp)
    finally:
        os.killpg(dev.pid, signal.SIGTERM)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    print(f"  {'med.':<45}{cells(medians)}")
    worst = max(r[3] for r in rows)
    print(f"\nsave -> draft: median {medians[3]:.1f} s (target <= {TARGET_MEDIAN:.0f} s), worst {worst:.1f} s")
    print(f"  {'met ' if medians[3] <= TARGET_MEDIAN else 'MISSED'} median <= {TARGET_MEDIAN:.0f} s")
    print(f"  {'met ' if worst <= TARGET_WORST else 'MISSED'} worst <= {TARGET_WORST:.0f} s")


if __name__ == "__main__":
    main()
