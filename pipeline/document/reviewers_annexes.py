"""The drafters' annexes on reviewers' comments: those to settle (their anchor is gone), then every comment
by chapter, reviewer and state and every change proposed in tracked changes."""

from __future__ import annotations

from pipeline.document import word_template as t
from pipeline.document.table_layout import grid
from pipeline.languages import un_style
from pipeline.review.carried_comments import CARRIED, RESOLVED, TO_SETTLE, Carried, day


def reviewers_annexes(builder, carried: Carried) -> None:
    """The annexes on reviewers' comments: those to settle, then every comment and change for the drafters."""
    made, add, styles = builder.made, builder.add, builder.styles
    made.comments_carried, made.comments_to_settle = carried.count(CARRIED), carried.count(TO_SETTLE)
    made.comments_resolved = carried.count(RESOLVED)
    if carried.to_settle:
        builder.annex("Reviewers' comments to settle")
        add(
            "These comments were on text that is no longer in the draft (a paragraph removed or rewritten "
            "in the template); each is shown with the text it was on.",
            t.SUMMARY,
        )
        rows = [
            [
                th.root["author"],
                day(th.root["date"]),
                th.root["text"],
                th.root["context"] or th.root["anchored_text"],
            ]
            for th in carried.to_settle
        ]
        grid(
            styles,
            ["Reviewer", "Date", "Comment", "On the text"],
            rows,
            [False] * 4,
            [2.6, 2.4, 5.4, 5.6],
            False,
        )
    builder.annex("Reviewers' comments and proposed changes")
    files = sorted({th.root["file"] for th in carried.threads} | {c["file"] for c in carried.changes})
    add(
        f"From {un_style.series(files)}: {_count(made.comments_carried, 'comment')} carried into this draft on "
        f"the text they were on, {made.comments_to_settle} to settle and {made.comments_resolved} resolved and "
        f"dropped; {_count(len(carried.changes), 'change')} proposed in tracked changes.",
        t.SUMMARY,
    )
    rows = [
        [th.root["chapter"] or "(front matter)", th.root["author"], th.state, th.root["text"]]
        for th in sorted(carried.threads, key=lambda th: (th.root["chapter"], th.root["author"]))
    ]
    if rows:
        grid(styles, ["Chapter", "Reviewer", "State", "Comment"], rows, [False] * 4, [3.6, 2.6, 2.0, 7.8], False)
    changes = [
        [c["chapter"] or "(front matter)", c["author"], c["kind"], c["text"]]
        for c in sorted(carried.changes, key=lambda c: (c["chapter"], c["author"]))
    ]
    if changes:
        add("Changes proposed in tracked changes, to carry into the template where accepted:", t.SUMMARY)
        grid(
            styles,
            ["Chapter", "Reviewer", "Change", "Text"],
            changes,
            [False] * 4,
            [3.6, 2.6, 2.0, 7.8],
            False,
        )


def _count(number: int, noun: str) -> str:
    return f"{un_style.count(number)} {noun}{'' if number == 1 else 's'}"
