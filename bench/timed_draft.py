"""`sgr draft` with its time split by stage, for the benchmark (bench/run.py).

Run: python -m bench.timed_draft TIMINGS.json draft [the arguments of sgr draft]
Writes to TIMINGS.json the seconds spent on imports, ingest, validation, derive, report and
Dagster's own bookkeeping, the assets materialised and the peak memory (MB) of this process and of
the validation worker.
"""

import time

STARTED = time.perf_counter()

import json  # noqa: E402  (the clock starts before any import)
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from runtime import cli, collection, instance, worker  # noqa: E402


def stage_of(step: str) -> str:
    if step.startswith("ingest_"):
        return "ingest"
    if step.startswith("validate_") or step == "published_tables":
        return "validation"
    return "report" if step == "draft_report" else "derive"


def timings(records, imports: float, run: float, worker_peak: float | None) -> dict:
    started, steps, materialized = {}, {}, []
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialized.append(event.asset_key.to_user_string())
        elif event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps[event.step_key] = record.timestamp - started[event.step_key]
    stages = {"imports": imports, "ingest": 0.0, "validation": 0.0, "derive": 0.0, "report": 0.0}
    for step, seconds in steps.items():
        stages[stage_of(step)] += seconds
    stages["orchestration"] = max(run - sum(steps.values()), 0.0)
    main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "stages": stages,
        "steps": steps,
        "materialized": materialized,
        "main_peak_mb": main_peak,
        "worker_peak_mb": worker_peak,
    }


def main(argv: list[str]) -> int:
    written, args = Path(argv[0]), cli.parse(argv[1:])
    instance.home()
    worker.start()  # before Dagster is imported, as sgr draft does
    try:
        with collection.long_lived():  # as sgr draft in its own process
            import assets.definitions  # noqa: F401  (imported here so that its time counts as imports)

        imported = time.perf_counter()
        ran = cli.execute(args)
        run = time.perf_counter() - imported
        peak = worker.stop()
        with instance.opened() as dagster_instance:
            records = dagster_instance.all_logs(ran.result.run_id)
        written.write_text(json.dumps(timings(records, imported - STARTED, run, peak), indent=1))
        return cli.report(ran)
    finally:
        worker.stop()


if __name__ == "__main__":
    cli.exit_now(main(sys.argv[1:]))
