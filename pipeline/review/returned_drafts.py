"""Returned drafts (sources/returned/*.docx): the reviewers' comments and tracked changes, each with
the stable anchor (pipeline/review/anchors.py) it sits in, read into the two tables the next draft
carries forward (`read_all`: review_comments and review_changes).

python-docx 1.2 reads comments but not their anchored range, replies or resolved state, so the
Open XML parts are read here: word/comments.xml (author, date, text), word/commentsExtended.xml
(Word's thread: a reply names its parent's paragraph; `done` marks a thread resolved) and
word/document.xml (where each comment's range starts and ends, inside which bookmarks; w:ins and
w:del). XML is parsed without entities, DTDs or network, as the workbooks are; the file is checked
against the same size limits first. The pipeline's own provenance comments are left out.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
from lxml import etree

from pipeline.limits import Limits, over
from pipeline.paths import Sources
from pipeline.readers.workbooks import OLE, inflation
from pipeline.review.anchors import PREFIX as ANCHOR_PREFIX
from pipeline.review.anchors import kind_of
from pipeline.store.files import local_copy


class ReturnedDraftError(Exception):
    """A returned draft that cannot be read: the message names the file."""

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file} — {reason}")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
PIPELINE_AUTHOR = "SG report pipeline"  # the author of the draft's own provenance comments
MAX_COMMENTS = 2000
# Style ids of chapter and annex titles (pipeline/document/word_template.py).
HEADING_STYLES = ("Heading1", "SGAnnexTitle")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass
class Comment:
    file: str
    comment_id: str
    author: str
    date: str
    text: str
    parent_id: str | None = None  # a reply: the comment it answers
    resolved: bool = False
    anchor: str | None = None  # the innermost anchor its range starts in
    anchored_text: str = ""  # the text its range covers
    context: str = ""  # the whole text of the anchor it is on (a paragraph, a caption)
    chapter: str = ""
    figures: str = "{}"  # the figures its range covers, as JSON: {figure anchor: its text when written}


@dataclass
class Change:
    file: str
    kind: str  # "inserted" or "deleted"
    author: str
    date: str
    text: str
    anchor: str | None = None
    chapter: str = ""


@dataclass
class Returned:
    file: str
    comments: list[Comment] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    anchors: int = 0
    edition: str | None = None
    language: str | None = None  # None: English (a draft made before the translations said nothing)


def _xml(archive: zipfile.ZipFile, name: str, shown: str) -> etree._Element | None:
    if name not in archive.namelist():
        return None
    try:
        root = etree.fromstring(archive.read(name), PARSER)
    except etree.XMLSyntaxError as error:
        raise ReturnedDraftError(shown, f"a damaged Word file: {name} does not read ({error})") from None
    if root.getroottree().docinfo.doctype:
        raise ReturnedDraftError(shown, f"refused: {name} declares a DTD, which a Word file never needs")
    return root


def _text(element) -> str:
    return "".join(element.itertext(_w("t"), _w("delText")))


def _parts(path: Path, shown: str, limits: Limits):
    """The XML parts of a returned draft that say its comments, checked against the limits before anything is
    inflated: the document, the comments and their threads, the core properties."""
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ReturnedDraftError(shown, over("too large", size / 2**20, limits.file_mb, "MB", "file_mb"))
    with open(path, "rb") as handle:
        head = handle.read(len(OLE))
    if head == OLE:
        raise ReturnedDraftError(shown, "password-protected (encrypted): save it again without a password")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReturnedDraftError(
            shown, "not a Word document (.docx), or a damaged one: it does not open as one"
        ) from None
    with archive:
        inflated = inflation(archive.infolist(), limits)
        if inflated:
            raise ReturnedDraftError(shown, inflated)
        document = _xml(archive, "word/document.xml", shown)
        if document is None:
            raise ReturnedDraftError(shown, "not a Word document (.docx): it has no word/document.xml")
        comments = _xml(archive, "word/comments.xml", shown)
        extended = _xml(archive, "word/commentsExtended.xml", shown)
        core = _xml(archive, "docProps/core.xml", shown)
    return document, comments, extended, core


def read_returned(path: Path, shown: str, limits: Limits) -> Returned:
    """Every comment and tracked change of a returned draft; a ReturnedDraftError naming the file otherwise."""
    document, comments, extended, core = _parts(path, shown, limits)
    returned = Returned(shown, edition=_keyword(core, "sgr-edition"), language=_keyword(core, "sgr-language"))
    ranges, returned.changes, returned.anchors = _walk(document, shown)
    if not returned.anchors:
        raise ReturnedDraftError(
            shown, "not a draft of this report: it has none of the draft's anchors (sgr_ bookmarks)"
        )
    if comments is None:
        return returned
    found = comments.findall(_w("comment"))
    if len(found) > MAX_COMMENTS:
        raise ReturnedDraftError(shown, f"{len(found):,} comments; at most {MAX_COMMENTS:,} are read from one file")
    threads = _threads(extended)
    by_paragraph: dict[str, str] = {}
    for element in found:
        author = element.get(_w("author"), "")
        comment_id = element.get(_w("id"))
        paragraphs = element.findall(f".//{_w('p')}")
        for paragraph in paragraphs:
            if paragraph.get(f"{{{W14}}}paraId"):
                by_paragraph[paragraph.get(f"{{{W14}}}paraId")] = comment_id
        if author == PIPELINE_AUTHOR:
            continue
        last = paragraphs[-1].get(f"{{{W14}}}paraId") if paragraphs else None
        parent, done = threads.get(last, (None, False))
        where = ranges.get(comment_id, {})
        returned.comments.append(
            Comment(
                shown,
                comment_id,
                author,
                element.get(_w("date"), ""),
                "\n".join(_text(p) for p in paragraphs).strip(),
                parent,
                done,
                where.get("anchor"),
                where.get("text", ""),
                where.get("context", ""),
                where.get("chapter", ""),
                json.dumps(where.get("figures", {}), sort_keys=True),
            )
        )
    for comment in returned.comments:  # a reply names its parent by the parent's last paragraph
        if comment.parent_id is not None:
            comment.parent_id = by_paragraph.get(comment.parent_id)
    return returned


def _keyword(core, name: str) -> str | None:
    """What the draft wrote in its keywords as `name:value` (its edition, its language): Word keeps them."""
    if core is None:
        return None
    for element in core.iter():
        if str(element.tag).endswith("}keywords") and element.text and f"{name}:" in element.text:
            return element.text.split(f"{name}:", 1)[1].split()[0]
    return None


def _threads(extended) -> dict[str, tuple[str | None, bool]]:
    """paraId of a comment's last paragraph -> (its parent's paraId, resolved), as Word writes them."""
    if extended is None:
        return {}
    threads = {}
    for element in extended.iter(f"{{{W15}}}commentEx"):
        threads[element.get(f"{{{W15}}}paraId")] = (
            element.get(f"{{{W15}}}paraIdParent"),
            element.get(f"{{{W15}}}done") in ("1", "true"),
        )
    return threads


def _walk(document, shown: str) -> tuple[dict[str, dict], list[Change], int]:
    """In document order: the anchors open at each point, each comment's range and text, tracked changes.
    One walk of the XML, whose state (the anchors open, the ranges under way) every event reads: split, that
    state would be passed around instead of read."""
    open_anchors: dict[str, str] = {}  # bookmark id -> name, in the order opened
    waiting: set[str] = set()
    ranges: dict[str, dict] = {}
    active: set[str] = set()
    changes: list[Change] = []
    anchors, chapter = 0, ""
    paragraph_text: dict[str, list[str]] = {}
    for event, element in etree.iterwalk(document, events=("start", "end")):
        tag = element.tag
        if event == "start" and tag == _w("bookmarkStart"):
            name = element.get(_w("name"), "")
            if name.startswith(ANCHOR_PREFIX):
                open_anchors[element.get(_w("id"))] = name
                paragraph_text.setdefault(name, [])
                anchors += 1
                if kind_of(name) == "figure":
                    for comment_id in active:  # a figure inside a comment's range
                        ranges[comment_id]["figures"].add(name)
                for comment_id in waiting:  # a range Word started before the paragraph's own bookmark
                    ranges[comment_id]["anchor"] = ranges[comment_id]["outer"] = name
                waiting.clear()
        elif event == "start" and tag == _w("bookmarkEnd"):
            open_anchors.pop(element.get(_w("id")), None)
        elif event == "start" and tag == _w("commentRangeStart"):
            comment_id = element.get(_w("id"))
            outer = next(iter(open_anchors.values()), None)
            innermost = _innermost(open_anchors)
            on_figure = {innermost} if innermost and kind_of(innermost) == "figure" else set()
            ranges[comment_id] = {
                "anchor": innermost,
                "outer": outer,
                "text": "",
                "chapter": chapter,
                "figures": on_figure,
            }
            active.add(comment_id)
            if not open_anchors:
                waiting.add(comment_id)
        elif event == "start" and tag == _w("commentRangeEnd"):
            active.discard(element.get(_w("id")))
        elif event == "start" and tag == _w("commentReference"):
            ranges.setdefault(
                element.get(_w("id")), {"anchor": _innermost(open_anchors), "text": "", "chapter": chapter}
            )
        elif event == "end" and tag in (_w("t"), _w("delText")):
            for comment_id in active:
                ranges[comment_id]["text"] += element.text or ""
            for name in open_anchors.values():
                paragraph_text[name].append(element.text or "")
        elif event == "end" and tag in (_w("ins"), _w("del")):
            changes.append(
                Change(
                    shown,
                    "inserted" if tag == _w("ins") else "deleted",
                    element.get(_w("author"), ""),
                    element.get(_w("date"), ""),
                    _text(element),
                    _innermost(open_anchors),
                    chapter,
                )
            )
        elif event == "end" and tag == _w("p"):
            waiting.clear()
            style = element.find(f"{_w('pPr')}/{_w('pStyle')}")
            if style is not None and style.get(_w("val")) in HEADING_STYLES:
                chapter = _text(element)
    for where in ranges.values():
        outer = where.get("outer") or where.get("anchor")
        where["context"] = "".join(paragraph_text.get(outer, [])) if outer else ""
        where["figures"] = {name: "".join(paragraph_text.get(name, [])) for name in where.get("figures", ())}
    return ranges, changes, anchors


def _innermost(open_anchors: dict[str, str]) -> str | None:
    return list(open_anchors.values())[-1] if open_anchors else None


COMMENTS, CHANGES = "review_comments", "review_changes"
# Which draft a returned file is of: its edition, and its language (None: English).
OF_DRAFT = [("edition", pa.string()), ("language", pa.string())]
COMMENTS_SCHEMA = pa.schema(
    [(name, pa.bool_() if name == "resolved" else pa.string()) for name in Comment.__dataclass_fields__] + OF_DRAFT
)
CHANGES_SCHEMA = pa.schema([(name, pa.string()) for name in Change.__dataclass_fields__] + OF_DRAFT)


def returned_files(sources: Path) -> list[Path]:
    """The drafts saved into sources/returned/, but Word's lock files."""
    folder = Sources(sources).returned
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.docx") if p.is_file() and not p.name.startswith(("~$", ".")))


def read_all(sources: Path, limits: Limits) -> tuple[pa.Table, pa.Table]:
    """Every returned draft's comments (a comment carried into several drafts kept once) and changes."""
    comments, changes, errors, seen = [], [], [], set()
    for path in returned_files(sources):
        shown = Sources(sources).shown(path)
        try:
            with local_copy(path) as local:
                returned = read_returned(local, shown, limits)
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
