"""The report editions (pipeline/editions.py) as Dagster partitions of the derive and report assets, kept
in step with the calendar by the sensors, the schedule and `sgr draft` (dynamic: a drafter's calendar row
shows without reloading the code)."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from assets.resources import Settings
from pipeline import calendar, editions

EDITIONS = dg.DynamicPartitionsDefinition(name="edition")


def editions_of(settings: Settings) -> list[editions.Edition]:
    config = settings.config
    return calendar.editions_of(settings.store, config.sources)


def current_edition(settings: Settings) -> str:
    """The edition a draft as of the reference date is for (today's, unless SGR_AS_OF says)."""
    return editions.edition_for(editions_of(settings), settings.config.as_of or dt.date.today()).key


def sync_editions(instance: dg.DagsterInstance, known: list[editions.Edition], also: tuple[str, ...] = ()) -> list[str]:
    """The instance's editions made those of the calendar (and `also`: `unscheduled` when a run drafts a date
    past every cut-off); returns their keys."""
    wanted = editions.keys(known) + [key for key in also if key not in editions.keys(known)]
    have = set(instance.get_dynamic_partitions(EDITIONS.name))
    added = [key for key in wanted if key not in have]
    if added:
        instance.add_dynamic_partitions(EDITIONS.name, added)
    for gone in have - set(wanted):
        instance.delete_dynamic_partition(EDITIONS.name, gone)
    return wanted


def edition_to_run(instance: dg.DagsterInstance, settings: Settings, edition: str | None = None) -> str:
    """The partition a run drafts: the edition asked for, or the one of the reference date; the instance's
    editions first made those of the calendar."""
    known = editions_of(settings)
    key = editions.find(known, edition).key if edition else current_edition(settings)
    sync_editions(instance, known, also=(key,))
    return key


def edition_to_request(context, settings: Settings) -> str:
    """The edition a sensor's or the schedule's run drafts today, their instance's editions first made those of
    the calendar (a row added or moved by a drafter adds or moves its partition); a context built without an
    instance (a test) only names it."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return current_edition(settings)
    return edition_to_run(instance, settings)


def edition_of(context: dg.AssetExecutionContext) -> str:
    """The run's edition, or a failure that says how to launch the run when it has none."""
    if not context.has_partition_key:
        known = editions_of(context.resources.settings)
        raise dg.Failure(
            description=f"{context.asset_key.to_user_string()} is partitioned by report edition: launch the run with "
            f"an edition of calendar.csv as its partition (editions: {', '.join(e.key for e in known)}), "
            "as `sgr draft`, the sensors and the schedule do",
            allow_retries=False,
        )
    return context.partition_key
