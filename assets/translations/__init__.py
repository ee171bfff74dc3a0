"""The translations' code location: the drafts in French, Spanish, Russian, Chinese and Arabic as assets
(translated_assets.py), beside the report's own location (assets/definitions.py), whose graph, jobs,
sensors and schedule they leave as they are. Both locations share the instance, the editions and the data
folder; `make dev` serves both (workspace.yaml)."""

import dagster as dg

from assets.executor import executor
from assets.keys import DRAFT_REPORT, TRANSLATE_JOB, TRANSLATED, translation_key
from assets.partitions import EDITIONS
from assets.resources import Settings, data_lock, run_dates
from assets.translations.translated_assets import TRANSLATIONS, TRANSLATIONS_GROUP
from assets.translations.translation_sensors import TRANSLATION_SENSORS

# The English draft as this location sees it (made in the report's location): partitioned by edition as the
# translations are, so that the lineage shows each edition's translations after that edition's English; in
# this location's group, so that the location shows one group, the translations.
ENGLISH = dg.AssetSpec(
    DRAFT_REPORT,
    partitions_def=EDITIONS,
    group_name=TRANSLATIONS_GROUP,
    description="The English draft, made in the report's own location (sg_report): each translation drafted "
    "before the latest English draft of its edition follows it.",
)

defs = dg.Definitions(
    assets=[ENGLISH, *TRANSLATIONS],
    jobs=[
        dg.define_asset_job(
            TRANSLATE_JOB,
            selection=dg.AssetSelection.assets(*(translation_key(code) for code in TRANSLATED)),
            description="Drafts the report in French, Spanish, Russian, Chinese or Arabic from the tables the "
            "English draft was made from: the runs of the translations' sensors.",
        )
    ],
    # A translator's words saved redraft that language; a new English draft, each translation drafted before it.
    sensors=TRANSLATION_SENSORS,
    resources={"settings": Settings(), "data_lock": data_lock, "run_dates": run_dates},
    executor=executor(),
)
