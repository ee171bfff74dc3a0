"""The validation worker that `sgr draft` forks: the same verdicts as validating in the process, and a
plain error if it dies. In processes of their own: a worker is forked only by a process without threads."""

import json
import subprocess
import sys

from pipeline.contract import TABLES
from pipeline.validation.suites import validate_staged
from tests.conftest import ROOT

VERDICTS = """
import json, sys
from runtime import worker
worker.start()  # before anything is imported, as sgr draft does
from pipeline import ahead
from pipeline.validation.suites import validate_staged
from tests.test_worker import deferred_modules
outcomes = {name: ahead.call(validate_staged, sys.argv[1], name) for name in sys.argv[2:]}
deferred = ahead.call(deferred_modules)
print(json.dumps({
    "peak_mb": worker.stop(),
    "failures": {n: [str(f) for f in o.failures] for n, o in outcomes.items()},
    "deferred": deferred,
}))
"""


def deferred_modules() -> dict:
    """In the worker, once it has validated: what GX's import left out, then those modules used."""
    import sys

    left_out = [name for name in ("scipy.stats._stats_py", "altair.vegalite") if name not in sys.modules]
    import altair
    from scipy import stats

    return {"left_out": left_out, "entropy": float(stats.entropy([0.5, 0.5])), "chart": altair.Chart.__name__}


def answer(script: str, *args: str) -> dict:
    """What a script run in a process of its own (a worker is forked only by a process without threads) printed."""
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_worker_gives_the_verdicts_of_validating_in_the_process(published_copy, sample_copy):
    (sample_copy / "mptf/targets.csv").write_text("year,capitalization_target_usd\n2021,-5\n2021,3\n")
    from pipeline.ingestion import stage_table
    from pipeline.store import Store

    store = Store(published_copy / "data")
    stage_table(store, sample_copy, TABLES["targets"], "test")
    names = ["targets", "champions", "review_recommendations"]
    answered = answer(VERDICTS, str(store.data), *names)
    assert answered["peak_mb"] > 0  # a worker process answered
    inline = {name: [str(f) for f in validate_staged(str(store.data), name).failures] for name in names}
    assert answered["failures"] == inline
    assert inline["targets"][0].startswith("targets.capitalization_target_usd: must be more than 0 (1 row)")
    # GX started without scipy.stats and altair, which no rule uses (a third of its import); they load when used.
    assert answered["deferred"] == {
        "left_out": ["scipy.stats._stats_py", "altair.vegalite"],
        "entropy": 0.6931471805599453,
        "chart": "Chart",
    }


def test_a_worker_that_dies_is_named_plainly():
    script = (
        "import os\n"
        "from runtime import worker\n"
        "from pipeline import ahead\n"
        "worker.start(warm=False)\n"
        "try:\n"
        "    ahead.call(os._exit, 9)\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
        "worker.stop()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.stdout.strip() == "the validation worker stopped before it answered (out of memory?)"


AHEAD = """
import json, sys
from pathlib import Path
from runtime import worker
worker.start()
from pipeline.contract import TABLES
from pipeline.ingestion import stage_table
from pipeline.store import Store
from pipeline import ahead
from pipeline.validation.suites import validate_ahead, validated
from pipeline.validation.verdicts import contract_key

store, sources, table = Store(sys.argv[1]), Path(sys.argv[2]), TABLES["targets"]
stage_table(store, sources, table, "first")
asked = contract_key(store, table)
validate_ahead(store, "targets", asked)
ahead._ahead[(str(store.data), "targets", asked)].result()  # answered before the table changes
(sources / "mptf/targets.csv").write_text("year,capitalization_target_usd\\n2021,-5\\n")
stage_table(store, sources, table, "second")
changed = contract_key(store, table)
after_change = validated(store, "targets", changed)
left = len(ahead._ahead)  # the answer for the table as it was is not used for the table as it is
validate_ahead(store, "targets", changed)
asked_twice = len(ahead._ahead)
same = validated(store, "targets", changed)
print(json.dumps({
    "keys_differ": asked != changed,
    "after_change": [str(f) for f in after_change.failures],
    "left_after_change": left,
    "asked_twice": asked_twice,
    "left_at_end": len(ahead._ahead),
    "same": [str(f) for f in same.failures],
}))
worker.stop()
"""


def test_a_validation_asked_ahead_is_used_only_for_the_table_it_was_asked_for(published_copy, sample_copy):
    answered = answer(AHEAD, str(published_copy / "data"), str(sample_copy))
    assert answered["keys_differ"]
    assert answered["after_change"][0].startswith("targets.capitalization_target_usd: must be more than 0 (1 row)")
    assert answered["left_after_change"] == 1  # the stale answer stayed unused
    assert (answered["asked_twice"], answered["left_at_end"]) == (2, 1)  # the matching one was taken
    assert answered["same"] == answered["after_change"]


CHARTS_AHEAD = """
import datetime as dt, json, shutil, sys
from runtime import worker
worker.start(warm=False)
from pipeline.calendar import editions_of
from pipeline.config import Config
from pipeline.document.drafting import draw_charts_ahead, drafts_in
from pipeline.editions import resolve
from pipeline.paths import Template
from pipeline.store import Store

config = Config.of({"sources": sys.argv[2], "data": sys.argv[1], "reports": sys.argv[4], "as_of": sys.argv[3]})
store = Store(config.data, config.reports)
dates = resolve(editions_of(store, config.sources), None, config, dt.date.today())
shutil.rmtree(store.history.charts, ignore_errors=True)
draw_charts_ahead(store, dates, ("en", "fr"), Template(), config.freshness)
_, drafts, _ = drafts_in(store, dates, ("en", "fr"), Template())
print(json.dumps({
    "peak_mb": worker.stop(),
    "matplotlib_here": "matplotlib" in sys.modules,
    "drawn": sorted(p.name.split("-")[0] for p in store.history.charts.glob("*.png")),
    "charts_placed": {language: made.charts for language, (_, made, _) in drafts.items()},
}))
"""


def test_the_worker_draws_the_charts_the_draft_then_takes_from_the_cache(published_copy):
    """Drawn ahead from the published tables, each chart in each language is the one the draft asks for: the
    draft's process draws none (it never imports matplotlib) and no chart is drawn twice."""
    from pipeline.catalogue import CHARTS
    from tests.conftest import AS_OF, SAMPLE

    answered = answer(CHARTS_AHEAD, str(published_copy / "data"), str(SAMPLE), AS_OF, str(published_copy / "drafts"))
    assert answered["peak_mb"] > 0
    assert answered["charts_placed"]["en"] == answered["charts_placed"]["fr"] > 0
    assert not answered["matplotlib_here"]
    # One drawing per chart and language: every chart of the catalogue (as of this date, the template places not all).
    assert answered["drawn"] == sorted(list(CHARTS) * 2)


def test_work_asked_ahead_that_failed_is_left_to_the_caller_to_do_again():
    """A chart the worker could not draw: the draft waits for it, then draws it itself and meets the error there."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline import ahead

    def fails():
        raise ValueError("no font")

    with ThreadPoolExecutor(max_workers=1) as executor:
        ahead.use(executor)
        try:
            ahead.ahead(("chart", "x"), fails)
            ahead.settle(("chart", "x"))  # waited for, and its failure not raised here
            assert ("chart", "x") not in ahead._ahead
            ahead.settle(("chart", "never asked"))  # nothing to wait for
        finally:
            ahead.use(None)
