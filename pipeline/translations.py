"""The translations' code location: the drafts in French, Spanish, Russian, Chinese and Arabic as assets
(assets/report/translations.py), beside the report's own location (pipeline/definitions.py), whose graph,
jobs, sensors and schedule they leave as they are. Both locations share the instance, the editions and the
data folder; `make dev` serves both (workspace.yaml)."""

import dagster as dg

from assets.report.translations import TRANSLATIONS
from pipeline.definitions import executor
from pipeline.lock import data_lock
from pipeline.sensors import TRANSLATION_SENSORS
from pipeline.settings import EDITIONS, Settings

# The English draft as this location sees it (made in the report's location): partitioned by edition as the
# translations are, so that the lineage shows each edition's translations after that edition's English.
ENGLISH = dg.AssetSpec("draft_report", partitions_def=EDITIONS, group_name="report")

defs = dg.Definitions(
    assets=[ENGLISH, *TRANSLATIONS],
    # A translator's words saved redraft that language; a new English draft, each translation drafted before it.
    sensors=TRANSLATION_SENSORS,
    resources={"settings": Settings(), "data_lock": data_lock},
    executor=executor(),
)
