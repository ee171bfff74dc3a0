"""Ingest of returned drafts: the reviewers' comments and tracked changes of every `.docx` in
sources/returned/ (pipeline/review/returned_drafts.py), two tables of the warehouse that the next draft
carries forward (pipeline/review/carried_comments.py).

A file that cannot be read (not a draft of this report, damaged, password-protected, too large, too many
comments) fails the run naming it, and the tables stay as they were.
"""

import dagster as dg

from assets.resources import LOCKED, POOL
from pipeline.review.returned_drafts import CHANGES, COMMENTS, ReturnedDraftError, read_all, returned_files


@dg.asset(
    group_name="ingest",
    pool=POOL,
    required_resource_keys=LOCKED,
    description="Reviewers' comments (author, date, text, replies, resolved state, the anchor and text they are on) "
    "and tracked changes of the drafts returned into sources/returned/; the next draft carries them forward.",
    kinds={"docx", "parquet"},
)
def review_comments(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = context.resources.settings
    config = settings.config
    try:
        comments, changes = read_all(config.sources, config.limits)
    except ReturnedDraftError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    published = settings.store.published
    with published.publication():
        published.write(COMMENTS, comments)
        published.write(CHANGES, changes)
    resolved = sum(comments.column("resolved").to_pylist())
    return dg.MaterializeResult(
        metadata={
            "files": len(returned_files(config.sources)),
            "comments": comments.num_rows,
            "resolved": resolved,
            "tracked_changes": changes.num_rows,
        }
    )
