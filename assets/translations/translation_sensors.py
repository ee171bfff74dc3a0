"""A translation kept in step: redrafted when its translator's words are saved, and after each new English
draft of its edition once it has been drafted."""

import dagster as dg

from assets.file_sensors import (
    FIRST_RUN_PENDING,
    INTERVAL_SECONDS,
    drafted_after,
    nothing_published,
    run_request,
    stats_of,
    template_files,
    watch_from_now,
)
from assets.keys import DRAFT_REPORT, TRANSLATE_JOB, TRANSLATED, translation_key
from assets.resources import RUN_TAG, Settings
from pipeline.languages.official import NAMES

FOLLOW_SECONDS = 5  # a translation follows its English draft within seconds: the event log is read, not files


def translation_template_sensor(language: str) -> dg.SensorDefinition:
    """A translator's words saved: that language's draft again, by itself (the English one is as it was). Only
    for a translation drafted before: one never asked for is not drafted for an edit of its words."""
    key, name = translation_key(language), f"report_template_files_{language}"

    @dg.sensor(
        name=name,
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        job_name=TRANSLATE_JOB,
        description=f"Redrafts the {NAMES[language]} draft when its words in reports/template/{language}/ change.",
    )
    def _sensor(context: dg.SensorEvaluationContext, settings: Settings):
        if nothing_published(settings):
            return dg.SkipReason(FIRST_RUN_PENDING)
        template = settings.config.template
        folder = template.words(language)
        stats = stats_of(folder, template_files(template, language))
        drafted = context.instance.fetch_materializations(dg.AssetKey(key), limit=1).records
        if not drafted or (not context.cursor and drafted_after(context.instance, stats, key)):
            # Never drafted (nothing to redraft), or drafted from these very files.
            said = "has not been drafted yet" if not drafted else "was drafted from these files"
            return watch_from_now(context, folder, stats, f"{key} {said}")
        return run_request(context, name, folder, stats, [key], settings)

    return _sensor


@dg.sensor(
    name="translations_follow_english",
    minimum_interval_seconds=FOLLOW_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    job_name=TRANSLATE_JOB,
    description="Redrafts each translation that was drafted before the latest English draft of its edition; a "
    "translation never drafted is left alone (the default stays English only).",
)
def translations_follow_english(context: dg.SensorEvaluationContext):
    # By the event log's storage ids, which only grow: a translation drafted in the same tick window as the
    # English, before or after it, is told apart (a condition on what changed since the last tick is not).
    latest = {
        key: context.instance.get_latest_storage_id_by_partition(
            dg.AssetKey(key), dg.DagsterEventType.ASSET_MATERIALIZATION
        )
        for key in [DRAFT_REPORT, *(translation_key(language) for language in TRANSLATED)]
    }
    english, behind = latest.pop(DRAFT_REPORT), {}
    for key, drafted in latest.items():
        for edition, storage_id in drafted.items():
            if english.get(edition, 0) > storage_id:
                behind.setdefault(edition, []).append(key)
    if not behind:
        return dg.SkipReason("every translation drafted is as recent as the English draft of its edition")
    return [
        dg.RunRequest(
            # Once per English draft: a failed translation waits for the next one, or for a drafter.
            run_key=f"follow:{edition}:{english[edition]}:{','.join(keys)}",
            asset_selection=[dg.AssetKey(key) for key in keys],
            partition_key=edition,
            tags={**RUN_TAG, "sgr/trigger": "translations_follow_english", "sgr/changes": "a new English draft"},
        )
        for edition, keys in sorted(behind.items())
    ]


TRANSLATION_SENSORS = [translation_template_sensor(language) for language in TRANSLATED] + [translations_follow_english]
