"""The asset keys one area names of another's: areas depend on each other through these, never through
imports of each other's modules."""

from pipeline.contract import TABLES
from pipeline.languages.official import LANGUAGES

REVIEW_COMMENTS = "review_comments"
PUBLISHED_TABLES = "published_tables"
KEY_FIGURES = "key_figures"
REPORT_TABLES = "report_tables"
DRAFT_REPORT = "draft_report"
SOURCE_TABLES = list(TABLES)  # one asset per table of the source contract
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def translation_key(language: str) -> str:
    """The asset of a translation (assets/translations/): draft_report_fr, …"""
    return f"{DRAFT_REPORT}_{language}"


# The job of every run the sensors and the schedule ask for (assets/definitions.py), each run with the assets it
# needs: what the runs list and the Overview show a drafter.
DRAFT_JOB = "draft_the_report"
TRANSLATE_JOB = "draft_the_translations"  # the translations' location's (assets/translations/)

# What a run that re-reads one family carries along: every asset after ingest.
AFTER_INGEST = [PUBLISHED_TABLES, KEY_FIGURES, REPORT_TABLES, DRAFT_REPORT]
# Everything: what the first run takes, before anything is published.
EVERYTHING = [*SOURCE_TABLES, REVIEW_COMMENTS, *AFTER_INGEST]
# What a returned draft saved into sources/returned/ redraws.
AFTER_RETURNED = [REVIEW_COMMENTS, DRAFT_REPORT]
# What a change to the drafters' template redraws (report_tables too: the changes since the last draft).
AFTER_TEMPLATE = [REPORT_TABLES, DRAFT_REPORT]
