"""Declarative automation, across the areas: what a drafter materialises in the UI carries the rest along,
but never past a failed blocking check, and never into an edition already issued.

An issued edition (its due date in the calendar passed, pipeline/editions.py) is the report as issued:
automation leaves it as it is, whatever changes in the sources; a drafter may still redraft it on purpose
(`sgr draft --edition 2026`, or the UI's materialize), and the record of what it stated as issued stays
(pipeline/store/history.py). Every edition in preparation follows every change. Which editions are in
preparation is read from the calendar at each evaluation, so the condition runs in the code server.
"""

import datetime as dt
import warnings

import dagster as dg

from pipeline.editions import IN_PREPARATION, UNSCHEDULED


class EditionInPreparation(dg.AutomationCondition):
    """True for the partitions of the editions still in preparation; an unpartitioned asset is left as it is."""

    @property
    def name(self) -> str:
        return "edition_in_preparation"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        candidates = context.candidate_subset
        if context.partitions_def is None:
            return dg.AutomationResult(context, true_subset=candidates)
        from assets.partitions import editions_of
        from assets.resources import Settings

        today = dt.date.today()
        open_ = {e.key for e in editions_of(Settings()) if e.state(today) == IN_PREPARATION} | {UNSCHEDULED}
        keys = candidates.expensively_compute_partition_keys() & open_
        return dg.AutomationResult(context, true_subset=candidates.compute_intersection_with_partition_keys(keys))


AUTOMATION = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed() & EditionInPreparation()
)

with warnings.catch_warnings():
    # Evaluating on the code server is a beta parameter: said once here, not to every drafter at every run.
    warnings.simplefilter("ignore", dg.BetaWarning)
    follow_changes = dg.AutomationConditionSensorDefinition(
        "follow_changes",
        description="Carries a change along: what follows an asset a drafter (or another run) materialized is "
        "requested in turn, for every edition in preparation, never past a failed blocking check, never into an "
        "edition already issued.",
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        use_user_code_server=True,  # the condition reads the calendar
    )
