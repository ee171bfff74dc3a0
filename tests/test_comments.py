"""Reviewers' comments: written on a generated draft (python-docx; Word's reply and resolved parts
written as Word writes them; tracked changes), read back, and carried into the next draft on the
same paragraph or figure after a data change and after a paragraph was added before it."""

import datetime as dt
import re
import shutil
import subprocess
import zipfile

import docx
import pytest

from pipeline.limits import limits
from pipeline.paths import dossier_file, draft_file
from pipeline.review.returned_drafts import MAX_COMMENTS, ReturnedDraftError, read_returned
from tests.conftest import TEMPLATE, D, materialise
from tests.installed import require

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def summary_paragraph(document):
    """The summary's paragraph stating the country networks, and its run of that figure."""
    paragraph = next(
        p for p in document.paragraphs if "country networks and" in p.text and p.style.name == "SG Summary"
    )
    runs = paragraph.runs
    # The figure's run is the last one with text before " country networks" (its comment's reference run follows it).
    before = runs[: next(i for i, r in enumerate(runs) if r.text.startswith(" country networks"))]
    return paragraph, next(r for r in reversed(before) if r.text)


def returned_copy(published_copy, sources, name="reviewer.docx"):
    """The published draft with two comments added by reviewers: one on the paragraph, one on the figure."""
    draft = draft_file(published_copy / "drafts", D)
    document = docx.Document(str(draft))
    paragraph, figure = summary_paragraph(document)
    document.add_comment(
        paragraph.runs[0], text="Say which networks opened this year.", author="Jane Reviewer", initials="JR"
    )
    document.add_comment(figure, text="Check against the Coordinator's note.", author="Ahmed Rahman", initials="AR")
    # Reviewers select sentences more often than numbers: this one covers the whole paragraph and its figures.
    document.add_comment(paragraph.runs, text="Shorten this paragraph.", author="Li Wei", initials="LW")
    target = sources / "returned" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target, figure.text


def carried(path):
    document = docx.Document(str(path))
    return document, {c.author: c for c in document.comments if c.author != "SG report pipeline"}


def anchored_paragraph(document, comment_id: int):
    """The paragraph holding a comment's range."""
    for paragraph in document.paragraphs:
        if paragraph._p.xpath(f'.//w:commentRangeStart[@w:id="{comment_id}"]'):
            return paragraph
    return None


def figure_run_text(document, comment_id: int) -> str:
    """The text of the run a comment's range starts on."""
    from docx.oxml.ns import qn
    from docx.text.run import Run

    for paragraph in document.paragraphs:
        start = paragraph._p.xpath(f'.//w:commentRangeStart[@w:id="{comment_id}"]')
        if start:
            run = next(e for e in start[0].itersiblings() if e.tag == qn("w:r"))
            return Run(run, paragraph).text
    return ""


def test_comments_follow_their_figure_and_paragraph_after_a_data_change(published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    _, was = returned_copy(published_copy, sample_copy)
    assert read_returned(sample_copy / "returned/reviewer.docx", "returned/reviewer.docx", limits()).anchors > 100
    # Later data, the same edition: the number of country networks moves.
    result = materialise(sample_copy, data, drafts, as_of="2021-12-31")
    assert result.success
    made = result.asset_materializations_for_node("draft_report")[0].metadata
    assert made["Reviewers' comments carried"].value == 3 and made["Reviewers' comments to settle"].value == 0
    document, by_author = carried(drafts / "SG-report-draft-2021-12-31.docx")
    paragraph, figure = summary_paragraph(document)
    assert figure.text != was
    on_figure = by_author["Ahmed Rahman"]
    assert on_figure.text.startswith("Check against the Coordinator's note.")
    assert f"Since this comment: Country networks {was} → {figure.text}." in on_figure.text
    assert figure_run_text(document, on_figure.comment_id) == figure.text
    on_paragraph = by_author["Jane Reviewer"]  # on the paragraph's first words: no figure under it
    assert anchored_paragraph(document, on_paragraph.comment_id).text == paragraph.text
    assert "Since this comment" not in on_paragraph.text
    # The comment on the whole paragraph lists every figure that moved under it, and only those.
    on_all = by_author["Li Wei"].text
    moved = on_all.split("Since this comment: ")[1].split(".\n")[0].split("; ")
    assert f"Country networks {was} → {figure.text}" in moved and len(moved) >= 2
    assert not any(m.split(" → ")[0].rsplit(" ", 1)[1] == m.split(" → ")[1] for m in moved)
    dossier = "\n".join(p.text for p in docx.Document(str(dossier_file(drafts, dt.date(2021, 12, 31)))).paragraphs)
    assert "Reviewers’ comments and proposed changes" in dossier and "Reviewers’ comments to settle" not in dossier


def test_a_paragraph_added_before_and_one_rewritten(published_copy, sample_copy, tmp_path):
    data, drafts = published_copy / "data", published_copy / "drafts"
    returned_copy(published_copy, sample_copy)
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template)
    summary = template / "summary.md"
    text = summary.read_text()
    added = "A paragraph the drafters added before the others.\n\n"
    summary.write_text(text.replace("The present report is submitted", added + "The present report is submitted", 1))
    result = materialise(sample_copy, data, drafts, template=template)
    assert result.success
    document, by_author = carried(draft_file(drafts, D))
    paragraph, _ = summary_paragraph(document)
    # The paragraph moved down one place; the comment moved with it, not with the place.
    assert anchored_paragraph(document, by_author["Jane Reviewer"].comment_id).text == paragraph.text
    # Its first template line rewritten, the paragraph is another one: its comments (on it and on its
    # figure, whose anchor is the paragraph's and the figure's name) go to the annex to settle.
    summary.write_text(
        summary.read_text().replace("As of that date, {{regional_reviews_held}}", "By then, {{regional_reviews_held}}")
    )
    result = materialise(sample_copy, data, drafts, template=template)
    made = result.asset_materializations_for_node("draft_report")[0].metadata
    assert made["Reviewers' comments to settle"].value == 3  # on the paragraph, its start and its figure
    document, by_author = carried(draft_file(drafts, D))
    assert by_author == {}
    dossier = docx.Document(str(dossier_file(drafts, D)))
    settle = next(t for t in dossier.tables if t.rows[0].cells[0].text == "Reviewer")
    on = {row.cells[0].text: (row.cells[2].text, row.cells[3].text) for row in settle.rows[1:]}
    assert on["Jane Reviewer"][0] == "Say which networks opened this year."
    assert on["Jane Reviewer"][1].startswith("As of that date, four regional reviews")
    assert on["Ahmed Rahman"][1] == on["Jane Reviewer"][1]


def add_word_thread(path):
    """A reply and a resolved comment as Word writes them: w14:paraId on each comment's paragraph, and
    word/commentsExtended.xml naming a reply's parent (paraIdParent) and a resolved thread (done)."""
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if p.style.name == "SG Paragraph")
    document.add_comment(paragraph.runs[0], text="Too long.", author="Maria Lopez", initials="ML")
    document.add_comment(paragraph.runs[0], text="Agreed, shorten it.", author="Ahmed Rahman", initials="AR")
    document.add_comment(paragraph.runs[-1], text="Typo fixed.", author="Jane Reviewer", initials="JR")
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    comments = parts["word/comments.xml"].decode()
    ids = {}
    for number, found in enumerate(re.finditer(r'<w:comment w:id="(\d+)"', comments)):
        ids[found.group(1)] = f"{number + 1:08X}"
    comments = re.sub(
        r'(<w:comment w:id="(\d+)"[^>]*>)<w:p>', lambda m: f'{m.group(1)}<w:p w14:paraId="{ids[m.group(2)]}">', comments
    )
    assert f'xmlns:w14="{W14}"' in comments
    parts["word/comments.xml"] = comments.encode()
    order = list(ids)  # the pipeline's own comments first, then the three above
    maria, ahmed, jane = (ids[i] for i in order[-3:])
    parts["word/commentsExtended.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx xmlns:w15="{W15}">'
        f'<w15:commentEx w15:paraId="{maria}" w15:done="0"/>'
        f'<w15:commentEx w15:paraId="{ahmed}" w15:paraIdParent="{maria}" w15:done="0"/>'
        f'<w15:commentEx w15:paraId="{jane}" w15:done="1"/></w15:commentsEx>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/word/commentsExtended.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.commentsExtended+xml"/></Types>',
    ).encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdExt1" Type="http://schemas.microsoft.com/office/2011/relationships/commentsExtended" '
        'Target="commentsExtended.xml"/></Relationships>',
    ).encode()
    # A tracked insertion, as Word marks one.
    body = parts["word/document.xml"].decode()
    body = body.replace(
        "<w:r><w:t>The present report is submitted",
        '<w:ins w:id="901" w:author="Maria Lopez" w:date="2026-11-20T10:00:00Z"><w:r><w:t xml:space="preserve">'
        "Draft text proposed. </w:t></w:r></w:ins>"
        "<w:r><w:t>The present report is submitted",
        1,
    )
    parts["word/document.xml"] = body.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def test_a_reply_thread_a_resolved_comment_and_a_tracked_change(published_copy, sample_copy, capsys):
    data, drafts = published_copy / "data", published_copy / "drafts"
    path, _ = returned_copy(published_copy, sample_copy)
    add_word_thread(path)
    returned = read_returned(path, "returned/reviewer.docx", limits())
    by_text = {c.text: c for c in returned.comments}
    assert by_text["Check against the Coordinator's note."].parent_id is None
    assert by_text["Agreed, shorten it."].parent_id == by_text["Too long."].comment_id
    assert not by_text["Say which networks opened this year."].resolved and by_text["Typo fixed."].resolved
    assert [(c.kind, c.author, c.text) for c in returned.changes] == [
        ("inserted", "Maria Lopez", "Draft text proposed. ")
    ]
    result = materialise(sample_copy, data, drafts)
    made = result.asset_materializations_for_node("draft_report")[0].metadata
    assert made["Reviewers' comments resolved"].value == 1 and made["Reviewers' comments carried"].value == 4
    document, carried_by = carried(draft_file(drafts, D))
    assert carried_by["Maria Lopez"].text.startswith("Too long.\nReply from Ahmed Rahman (")
    assert "): Agreed, shorten it." in carried_by["Maria Lopez"].text
    assert not [c for c in document.comments if c.text.startswith("Typo fixed.")]  # resolved: dropped
    dossier = docx.Document(str(dossier_file(drafts, D)))
    changes = next(t for t in dossier.tables if [c.text for c in t.rows[0].cells][2:3] == ["Change"])
    assert [c.text.strip() for c in changes.rows[1].cells][1:] == ["Maria Lopez", "inserted", "Draft text proposed."]
    from runtime.cli import main

    assert main(["comments", str(path)]) == 0
    out = capsys.readouterr().out
    assert "reply from Ahmed Rahman" in out and "resolved" in out and "inserted: Draft text proposed." in out


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip at all", "not a Word document (.docx), or a damaged one"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "password-protected"),
        (None, "not a draft of this report: it has none of the draft's anchors"),
    ],
)
def test_a_returned_file_that_is_not_a_readable_draft_is_named_and_changes_nothing(
    published_copy, sample_copy, content, message
):
    data, drafts = published_copy / "data", published_copy / "drafts"
    target = sample_copy / "returned" / "odd.docx"
    target.parent.mkdir()
    if content is None:
        docx.Document().save(str(target))
    else:
        target.write_bytes(content)
    before = {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()}
    result = materialise(sample_copy, data, drafts)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "returned/odd.docx" in failure.step_failure_data.user_failure_data.description
    assert message in failure.step_failure_data.user_failure_data.description
    assert {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()} == before


def test_too_many_comments_are_refused(published_copy, sample_copy, monkeypatch):
    path, _ = returned_copy(published_copy, sample_copy)
    monkeypatch.setattr("pipeline.review.returned_drafts.MAX_COMMENTS", 1)
    with pytest.raises(ReturnedDraftError, match=r"returned/reviewer.docx — \d+ comments; at most 1\b"):
        read_returned(path, "returned/reviewer.docx", limits())
    assert MAX_COMMENTS >= 1000


def test_anchors_and_comments_survive_a_libreoffice_round_trip(published_copy, sample_copy, tmp_path):
    require("libreoffice")
    path, _ = returned_copy(published_copy, sample_copy)
    before = read_returned(path, "before", limits())
    saved = tmp_path / "saved"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    after = read_returned(saved / path.name, "after", limits())
    assert after.anchors == before.anchors
    # Word's own order of comments on one anchor may change; each keeps its text and anchor.
    assert sorted((c.author, c.text, c.anchor, c.anchored_text) for c in after.comments) == sorted(
        (c.author, c.text, c.anchor, c.anchored_text) for c in before.comments
    )


def test_comments_on_a_translation_follow_it_into_the_next_draft_in_that_language(published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    assert materialise(sample_copy, data, drafts, selection=["draft_report"], languages="fr").success
    document = docx.Document(str(draft_file(drafts, D, "fr")))
    summaries = [p for p in document.paragraphs if p.style.name == "SG Summary" and re.search(r"\d", p.text)]
    document.add_comment(summaries[1].runs[0], text="Préciser la période.", author="Marie Relectrice", initials="MR")
    target = sample_copy / "returned" / "relecture.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))

    result = materialise(sample_copy, data, drafts, as_of="2021-12-31", languages="fr")
    assert result.success
    made = {m.asset_key.to_user_string(): m.metadata for m in result.asset_materializations_for_node("draft_report")}
    assert made["draft_report_fr"]["Reviewers' comments carried"].value == 1
    assert made["draft_report"]["Reviewers' comments carried"].value == 0  # not the English draft's comment
    assert made["draft_report"]["Reviewers' comments to settle"].value == 0
    french, by_author = carried(drafts / "SG-report-draft-2021-12-31-fr.docx")
    again = [p for p in french.paragraphs if p.style.name == "SG Summary" and re.search(r"\d", p.text)]
    on = by_author["Marie Relectrice"]
    assert on.text.startswith("Préciser la période.")
    assert "(Repris de returned/relecture.docx, " in on.text and "Carried from" not in on.text  # in French
    assert anchored_paragraph(french, on.comment_id).text == again[1].text
    _, english = carried(drafts / "SG-report-draft-2021-12-31.docx")
    assert "Marie Relectrice" not in english
