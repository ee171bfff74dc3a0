"""The translations' code location: the drafts in French, Spanish, Russian, Chinese and Arabic as assets
(translated_assets.py), beside the report's own location (assets/definitions.py), whose graph, jobs,
sensors and schedule they leave as they are. Both locations share the instance, the editions and the data
folder; `make dev` serves both (workspace.yaml)."""

import dagster as dg

from assets.executor import executor
from assets.keys import DRAFT_REPORT
from assets.partitions import EDITIONS
from assets.resources import Settings, data_lock, run_dates
from assets.translations.translated_assets import TRANSLATIONS
from assets.translations.translation_sensors import TRANSLATION_SENSORS

# The English draft as this location sees it (made in the report's location): partitioned by edition as the
# translations are, so that the lineage shows each edition's translations after that edition's English.
ENGLISH = dg.AssetSpec(DRAFT_REPORT, partitions_def=EDITIONS, group_name="report")

defs = dg.Definitions(
    assets=[ENGLISH, *TRANSLATIONS],
    # A translator's words saved redraft that language; a new English draft, each translation drafted before it.
    sensors=TRANSLATION_SENSORS,
    resources={"settings": Settings(), "data_lock": data_lock, "run_dates": run_dates},
    executor=executor(),
)
