"""Declarative automation, across the areas: what a drafter materialises in the UI carries the rest along,
but never past a failed blocking check."""

import dagster as dg

AUTOMATION = dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()

follow_changes = dg.AutomationConditionSensorDefinition(
    "follow_changes", target=dg.AssetSelection.all(), default_status=dg.DefaultSensorStatus.RUNNING
)
