"""The translations' code location: the drafts in French, Spanish, Russian, Chinese and Arabic as assets
(assets/report/translations.py), beside the report's own location (pipeline/definitions.py), whose graph,
jobs, sensors and schedule they leave as they are. Both locations share the instance, the editions and the
data folder; `make dev` serves both (workspace.yaml)."""

import dagster as dg

from assets.report.translations import TRANSLATIONS
from pipeline.definitions import executor
from pipeline.lock import data_lock
from pipeline.sensors import TRANSLATION_SENSORS
from pipeline.settings import Settings

defs = dg.Definitions(
    assets=TRANSLATIONS,
    sensors=[
        *TRANSLATION_SENSORS,
        # A translation drafted once follows each new English draft (FOLLOWS_ENGLISH); the others are left alone.
        dg.AutomationConditionSensorDefinition(
            "translations_follow_english", target=dg.AssetSelection.all(), default_status=dg.DefaultSensorStatus.RUNNING
        ),
    ],
    resources={"settings": Settings(), "data_lock": data_lock},
    executor=executor(),
)
