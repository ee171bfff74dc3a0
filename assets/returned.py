"""Ingest of returned drafts: the reviewers' comments and tracked changes of every `.docx` in
sources/returned/, read by pipeline/readers/returned.py into two tables of the warehouse that the
next draft carries forward (assets/report/comments.py).

A file that cannot be read (not a draft of this report, damaged, password-protected, too large,
too many comments) fails the run naming it, and the tables stay as they were.
"""

from dataclasses import asdict
from pathlib import Path

import dagster as dg
import pyarrow as pa

from pipeline.readers.returned import Change, Comment, ReturnedDraftError, read_returned
from pipeline.settings import LOCKED, POOL, Settings
from pipeline.store import local_copy

RETURNED = "returned"  # the folder under the sources root
COMMENTS, CHANGES = "review_comments", "review_changes"
# Which draft a returned file is of: its edition, and its language (None: English).
OF_DRAFT = [("edition", pa.string()), ("language", pa.string())]
COMMENTS_SCHEMA = pa.schema(
    [(name, pa.bool_() if name == "resolved" else pa.string()) for name in Comment.__dataclass_fields__] + OF_DRAFT
)
CHANGES_SCHEMA = pa.schema([(name, pa.string()) for name in Change.__dataclass_fields__] + OF_DRAFT)


def returned_files(sources: Path) -> list[Path]:
    folder = sources / RETURNED
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.docx") if p.is_file() and not p.name.startswith(("~$", ".")))


def read_all(sources: Path, settings: Settings) -> tuple[pa.Table, pa.Table]:
    """Every returned draft's comments (a comment carried into several drafts kept once) and changes."""
    comments, changes, errors, seen = [], [], [], set()
    for path in returned_files(sources):
        shown = path.relative_to(sources).as_posix()
        try:
            with local_copy(path) as local:
                returned = read_returned(local, shown, settings.limits)
        except ReturnedDraftError as error:
            errors.append(str(error))
            continue
        about = {"edition": returned.edition, "language": returned.language}
        for comment in returned.comments:
            key = (returned.language, comment.author, comment.date, comment.text.split("\n", 1)[0])
            if key not in seen:
                seen.add(key)
                comments.append(asdict(comment) | about)
        changes += [asdict(change) | about for change in returned.changes]
    if errors:
        raise ReturnedDraftError("sources/returned", "these files could not be read:\n  " + "\n  ".join(errors))
    return pa.Table.from_pylist(comments, COMMENTS_SCHEMA), pa.Table.from_pylist(changes, CHANGES_SCHEMA)


@dg.asset(
    group_name="ingest",
    pool=POOL,
    required_resource_keys=LOCKED,
    description="Reviewers' comments (author, date, text, replies, resolved state, the anchor and text they are on) "
    "and tracked changes of the drafts returned into sources/returned/; the next draft carries them forward.",
    kinds={"docx", "parquet"},
)
def review_comments(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings: Settings = context.resources.settings
    try:
        comments, changes = read_all(settings.sources_dir, settings)
    except ReturnedDraftError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    warehouse = settings.warehouse
    with warehouse.publication():
        warehouse.write(COMMENTS, comments)
        warehouse.write(CHANGES, changes)
    resolved = sum(comments.column("resolved").to_pylist())
    return dg.MaterializeResult(
        metadata={
            "files": len(returned_files(settings.sources_dir)),
            "comments": comments.num_rows,
            "resolved": resolved,
            "tracked_changes": changes.num_rows,
        }
    )
