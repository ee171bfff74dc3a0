import datetime as dt

import dagster as dg
import pytest

from assets.refresh_schedule import refresh_before_deadlines
from assets.resources import Settings
from pipeline import calendar
from pipeline.config import Config, Freshness
from pipeline.deadlines import Deadline, freshness_window, in_run_up, next_deadline, stale_families
from tests.conftest import SAMPLE


@pytest.fixture
def bundled_calendar(tmp_path):
    settings = Settings(sources=str(SAMPLE), data=str(tmp_path / "nothing-published-yet"))
    return calendar.deadlines_of(settings.store, settings.config.sources)


def tick(day: dt.date, settings: Settings):
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime.combine(day, dt.time(6), dt.UTC), resources={"settings": settings}
    )
    return refresh_before_deadlines(context)


@pytest.mark.parametrize(
    ("day", "runs", "why"),
    [
        (dt.date(2022, 1, 5), True, "a Wednesday 48 days before the report due on 22 February 2022"),
        (dt.date(2021, 12, 22), False, "a Wednesday 62 days before it: outside the 8 weeks"),
        (dt.date(2021, 12, 20), True, "a Monday outside the 8 weeks"),
        (dt.date(2021, 12, 28), True, "exactly 8 weeks before the report"),
        (dt.date(2026, 3, 15), True, "a Sunday within 8 weeks of the Forum of 5 May 2026"),
        (dt.date(2026, 5, 5), True, "the Forum's first day"),
        (dt.date(2026, 5, 6), False, "the Wednesday after, with the next deadline in 2029"),
        (dt.date(2029, 11, 1), True, "a Thursday 40 days before the tentative inputs due for 2030"),
    ],
)
def test_the_schedule_runs_daily_before_deadlines_and_on_mondays_otherwise(tmp_path, day, runs, why):
    result = tick(day, Settings(sources=str(SAMPLE), data=str(tmp_path / "nothing-published-yet")))
    assert isinstance(result, dg.RunRequest) is runs, why
    if runs:
        assert result.run_key == f"refresh:{day.isoformat()}" and result.tags["sgr/writes"] == "data"


def test_the_bundled_calendar_has_the_real_dates(bundled_calendar):
    forums = [(d.date, d.tentative) for d in bundled_calendar if d.kind == "imrf"]
    assert forums == [(dt.date(2022, 5, 17), False), (dt.date(2026, 5, 5), False), (dt.date(2030, 5, 7), True)]
    reports = {d.date for d in bundled_calendar if d.kind == "sg_report"}
    assert {forum - dt.timedelta(weeks=12) for forum, _ in forums} == reports
    assert len([d for d in bundled_calendar if d.kind == "regional_review"]) == 5


def test_next_deadline_and_run_up():
    deadlines = [Deadline(dt.date(2026, 2, 10), "sg_report", "Report", False)]
    assert next_deadline(deadlines, dt.date(2026, 2, 10)) == deadlines[0]
    assert next_deadline(deadlines, dt.date(2026, 2, 11)) is None
    assert in_run_up(deadlines, dt.date(2025, 12, 16)) and not in_run_up(deadlines, dt.date(2025, 12, 15))


def test_a_family_past_its_freshness_window_is_stale():
    deadlines = [Deadline(dt.date(2026, 2, 10), "sg_report", "Report", False)]
    changed = {"mptf": dt.date(2025, 10, 5), "country_networks": dt.date(2025, 11, 20)}
    default = Freshness()
    assert freshness_window(dt.date(2025, 11, 1), deadlines, default) == dt.timedelta(days=30)
    assert stale_families(changed, dt.date(2025, 11, 1), deadlines, default) == {}
    assert stale_families(changed, dt.date(2025, 11, 30), deadlines, default) == {"mptf": 56}
    # In the run-up to the report the window narrows to 7 days.
    assert stale_families(changed, dt.date(2026, 1, 5), deadlines, default) == {"country_networks": 46, "mptf": 92}
    assert stale_families(changed, dt.date(2025, 11, 30), deadlines, Freshness(days=90)) == {}


def test_the_freshness_windows_are_configuration_read_once(monkeypatch):
    monkeypatch.setenv("SGR_FRESH_DAYS", "90")
    monkeypatch.setenv("SGR_FRESH_DAYS_RUN_UP", "14")
    assert Config.of().freshness == Freshness(days=90, run_up_days=14)
    assert Config.of(env={}).freshness == Freshness(days=30, run_up_days=7)
