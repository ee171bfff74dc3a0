"""The dossier's chapters on reviewers' comments on a language's drafts: those to settle (their anchor is
gone), then every comment by chapter, reviewer and state and every change proposed in tracked changes."""

from __future__ import annotations

from pipeline.document import word_template as t
from pipeline.document.table_layout import grid
from pipeline.languages import un_style
from pipeline.review.carried_comments import CARRIED, RESOLVED, TO_SETTLE, Carried, day


def reviewers_annexes(builder, carried: Carried, of: str = "") -> None:
    """Reviewers' comments to settle, then every comment and change, on the drafts `of` a language ("the French
    draft"; nothing for English's)."""
    add, styles = builder.add, builder.styles
    counts = {state: carried.count(state) for state in (CARRIED, TO_SETTLE, RESOLVED)}
    on = f" on {of}" if of else ""
    if carried.to_settle:
        builder.annex(f"Reviewers’ comments to settle{on}")
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
    builder.annex(f"Reviewers’ comments and proposed changes{on}")
    files = sorted({th.root["file"] for th in carried.threads} | {c["file"] for c in carried.changes})
    add(
        f"From {un_style.series(files)}: {_count(counts[CARRIED], 'comment')} carried into this draft on "
        f"the text they were on, {counts[TO_SETTLE]} to settle and {counts[RESOLVED]} resolved and "
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
