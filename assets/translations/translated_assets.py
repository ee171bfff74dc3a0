"""The drafts in the other official languages as assets of their own: draft_report_fr, draft_report_es,
draft_report_ru, draft_report_zh, draft_report_ar, each partitioned by report edition like draft_report.

They are served as a code location of their own (assets/translations/__init__.py), so that the report's
own graph, its jobs and the runs its sensors and schedule ask for stay English's. A translation is made:
- with the English draft, in draft_report's step, when the settings ask for it (`sgr draft --languages`,
  SGR_LANGUAGES, the launchpad): both from the same rows, or neither; that step records it as this asset's;
- alone, here, when a drafter materialises it, or when it follows a new English draft (the sensor
  translations_follow_english): from the tables that draft was made from, leaving that draft and the
  published tables as they were.
"""

import dagster as dg

from assets.keys import DRAFT_REPORT, TRANSLATED, translation_key
from assets.partitions import EDITIONS, edition_of
from assets.previews import draft_metadata, pdf_metadata
from assets.resources import LOCKED, POOL
from pipeline.document.drafting import NothingPublished, drafts_in, published_dates
from pipeline.document.narrative import NarrativeError
from pipeline.languages.official import NAMES

TRANSLATIONS_GROUP = "translations"


@dg.multi_asset(
    name="translated_drafts",
    specs=[
        dg.AssetSpec(
            translation_key(code),
            deps=[DRAFT_REPORT],
            group_name=TRANSLATIONS_GROUP,
            description=f"The draft in {NAMES[code]} (reports/template/{code}/): the English draft's figures, tables, "
            "charts, footnotes and paragraph numbers, in its words and forms. To get one: materialize it here for an "
            "edition once its English draft is made (draft_report), or ask for it with the English: `sgr draft "
            f"--languages {code}`, SGR_LANGUAGES={code}, or the languages field of the settings in the launchpad. "
            "Once drafted, it follows each new English draft.",
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
    edition_of(context)
    settings = context.resources.settings
    store = settings.store
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    languages = [code for code in TRANSLATED if translation_key(code) in selected]
    try:
        dates = published_dates(store, context.resources.run_dates)
        config = settings.config
        inputs, drafts, exported = drafts_in(
            store, dates, languages, config.template, config.provenance_comments, config.pdf
        )
    except (NothingPublished, NarrativeError) as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    for code, (made_from, made, _) in drafts.items():
        target = store.history.draft(inputs.as_of, code)
        yield dg.MaterializeResult(
            asset_key=translation_key(code),
            metadata=draft_metadata(target, made_from.dates, made_from, made) | pdf_metadata(exported),
        )


TRANSLATIONS = [translated_drafts]
