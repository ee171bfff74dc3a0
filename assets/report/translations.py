"""The drafts in the other official languages as assets of their own: draft_report_fr, draft_report_es,
draft_report_ru, draft_report_zh, draft_report_ar, each partitioned by report edition like draft_report.

They are served as a code location of their own (pipeline/translations.py), so that the report's own
graph, its jobs and the runs its sensors and schedule ask for stay English's. A translation is made:
- with the English draft, in draft_report's step, when the settings ask for it (`sgr draft --languages`,
  SGR_LANGUAGES, the launchpad): both from the same rows, or neither; that step records it as this asset's;
- alone, here, when a drafter materialises it, or when it follows a new English draft (the sensor
  translations_follow_english, pipeline/sensors.py): from the tables that draft was made from, leaving that
  draft and the published tables as they were.
"""

import dagster as dg

from assets.report import NAMES, TRANSLATED, described, drafts_in, published_dates, translation_key
from pipeline.settings import EDITIONS, LOCKED, POOL, Settings, edition_of


@dg.multi_asset(
    name="translated_drafts",
    specs=[
        dg.AssetSpec(
            translation_key(code),
            deps=["draft_report"],
            group_name="translations",
            description=f"The draft in {NAMES[code]} (reports/template/{code}/): the English draft's figures, tables, "
            "charts, footnotes and paragraph numbers, in its words and forms.",
            kinds={"docx"},
        )
        for code in TRANSLATED
    ],
    can_subset=True,
    pool=POOL,
    required_resource_keys=LOCKED,
    partitions_def=EDITIONS,
)
def translated_drafts(context: dg.AssetExecutionContext):
    settings: Settings = context.resources.settings
    dates = settings.dates(edition_of(context, settings))
    warehouse = settings.warehouse.of_edition(dates.edition.key)
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    languages = [code for code in TRANSLATED if translation_key(code) in selected]
    inputs, drafts = drafts_in(warehouse, published_dates(warehouse, dates), languages)
    for code, (made_from, made, _) in drafts.items():
        target = warehouse.draft(inputs.as_of, code)
        yield dg.MaterializeResult(
            asset_key=translation_key(code), metadata=described(target, made_from.dates, made_from, made)
        )


TRANSLATIONS = [translated_drafts]
