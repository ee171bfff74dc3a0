"""The stages, in the order the data flows: ingest -> validate -> derive -> report."""

from assets.derive import key_figures, report_tables
from assets.ingest import INGEST_ASSETS
from assets.report import draft_report
from assets.returned import review_comments
from assets.validate import VALIDATION_CHECKS, published_tables

ASSETS = [*INGEST_ASSETS, review_comments, published_tables, key_figures, report_tables, draft_report]
CHECKS = VALIDATION_CHECKS
# What a run that re-reads one family carries along: every asset after ingest.
AFTER_INGEST = [key.to_user_string() for a in ASSETS if a not in (*INGEST_ASSETS, review_comments) for key in a.keys]
# What a returned draft saved into sources/returned/ redraws.
AFTER_RETURNED = ["review_comments", "draft_report"]
# What a change to the drafters' template redraws (report_tables too: the changes since the last draft).
AFTER_TEMPLATE = [key.to_user_string() for a in (report_tables, draft_report) for key in a.keys]
