"""Reviewers' comments carried into the next draft (read from returned drafts by assets/comments/review_assets.py).

Each unresolved comment goes back on the paragraph, figure, table or chart whose anchor it was on
(assets/report/anchors.py), with its author, date and thread; on a figure whose value has changed
since, it says so. A comment whose anchor is gone goes to the annex "Reviewers' comments to settle"
with the text it was on; resolved threads are dropped and counted. The drafters' annex lists every
comment by chapter, author and state, and the tracked changes the reviewers proposed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from pipeline.languages.forms import style
from pipeline.review.anchors import Anchors, kind_of

CARRIED, TO_SETTLE, RESOLVED = "carried", "to settle", "resolved"


@dataclass
class Thread:
    root: dict
    replies: list[dict] = field(default_factory=list)
    state: str = CARRIED

    @property
    def resolved(self) -> bool:
        return bool(self.root["resolved"]) or any(r["resolved"] for r in self.replies)


@dataclass
class Carried:
    threads: list[Thread]
    changes: list[dict]

    @property
    def to_settle(self) -> list[Thread]:
        return [t for t in self.threads if t.state == TO_SETTLE]

    def count(self, state: str) -> int:
        return sum(1 for t in self.threads if t.state == state)


def threads_of(comments: list[dict]) -> list[Thread]:
    """Comments grouped into threads (a reply under the comment it answers), in the order written."""
    by_id = {(c["file"], c["comment_id"]): Thread(c) for c in comments if not c["parent_id"]}
    for comment in comments:
        parent = by_id.get((comment["file"], comment["parent_id"])) if comment["parent_id"] else None
        if parent is not None:
            parent.replies.append(comment)
        elif comment["parent_id"]:  # its parent was left out: keep it as a thread of its own
            by_id[(comment["file"], comment["comment_id"])] = Thread(comment)
    return sorted(by_id.values(), key=lambda t: (t.root["date"], t.root["author"]))


def day(stamp: str) -> str:
    """A comment's date as the draft's language writes it (English outside a draft)."""
    try:
        return style().date(dt.date.fromisoformat(stamp[:10]))
    except ValueError:
        return stamp


# The words around a carried comment, in English; a draft in another language gives its own ([comment_words]).
WORDS = {
    "since": "Since this comment: {moved}.",
    "reply": "Reply from {author} ({date}): {text}",
    "carried": "(Carried from {file}, {date}.)",
}


def _text(thread: Thread, anchors: Anchors, labels: dict[str, str], words: dict[str, str]) -> str:
    root = thread.root
    lines = [root["text"]]
    for reply in thread.replies:
        lines.append(words["reply"].format(author=reply["author"], date=day(reply["date"]), text=reply["text"]))
    moved = _moved(root, anchors, labels)
    if moved:
        lines.append(words["since"].format(moved="; ".join(moved)))
    lines.append(words["carried"].format(file=root["file"], date=day(root["date"])))
    return "\n".join(lines)


def _moved(root: dict, anchors: Anchors, labels: dict[str, str]) -> list[str]:
    """Each figure the comment's range covered (on the figure, or on a sentence or paragraph holding it) whose
    value is not what it was when the comment was written: "Country networks 71 → 72"."""
    was = json.loads(root.get("figures") or "{}")
    if not was and kind_of(root["anchor"] or "") == "figure":  # a comment read before figures were recorded
        was = {root["anchor"]: root["anchored_text"]}
    order = {anchor: place for place, anchor in enumerate(anchors.text)}  # as the draft reads
    moved = []
    for anchor, then in sorted(was.items(), key=lambda item: order.get(item[0], -1)):
        now = anchors.text.get(anchor)
        if now is not None and then.strip() and then.strip() != now.strip():
            name = anchors.figures.get(anchor, "")
            moved.append(f"{labels.get(name, name or 'a figure')} {then.strip()} → {now.strip()}")
    return moved


def carry(
    document,
    anchors: Anchors,
    comments: list[dict],
    changes: list[dict],
    labels: dict[str, str] | None = None,
    words: dict[str, str] | None = None,
) -> Carried:
    """Put each unresolved thread back on its anchor; mark the others resolved or to settle. `labels` name the
    figures and `words` say the rest in the draft's language."""
    threads = threads_of(comments)
    for thread in threads:
        anchor = thread.root["anchor"]
        if thread.resolved:
            thread.state = RESOLVED
        elif anchor in anchors.placed and anchors.placed[anchor]:
            runs = anchors.placed[anchor]
            root = thread.root
            initials = "".join(word[0] for word in root["author"].split()[:3]).upper() or "R"
            comment = document.add_comment(
                runs,
                text=_text(thread, anchors, labels or {}, {**WORDS, **(words or {})}),
                author=root["author"],
                initials=initials,
            )
            if root["date"]:
                comment._comment_elm.set(qn("w:date"), root["date"])
        else:
            thread.state = TO_SETTLE
    return Carried(threads, changes)
