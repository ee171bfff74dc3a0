"""The Dagster Definitions: the stages' assets, the settings resource, the in-process executor."""

import dagster as dg

from assets.derive import key_figures
from assets.ingest import INGEST_ASSETS, source_files
from assets.report import draft_report
from pipeline.settings import Settings

defs = dg.Definitions(
    assets=[*INGEST_ASSETS, source_files, key_figures, draft_report],
    resources={"settings": Settings()},
    # Multiprocess would re-import the whole stack for every step (33 s against 1.3 s here).
    executor=dg.in_process_executor,
)
