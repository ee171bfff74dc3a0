"""Open XML that python-docx 1.2 has no API for: the footnotes part and footnote references, and
right-to-left paragraphs.

Written in schema order: a footnotes part starts with the separator (-1) and continuation
separator (0) notes that Word draws between the body and the notes.
"""

import re

from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

# python-docx loads parts it has no class for as bare bytes; the footnotes part must be XML to edit.
PartFactory.part_type_for[CONTENT_TYPE.WML_FOOTNOTES] = XmlPart

SEPARATORS = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


# Settings children that come after w:footnotePr in the schema's sequence.
AFTER_FOOTNOTE_PROPERTIES = (
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def footnotes_part(document) -> XmlPart | None:
    for relationship in document.part.rels.values():
        if relationship.reltype == RELATIONSHIP_TYPE.FOOTNOTES:
            return relationship.target_part
    return None


def ensure_footnotes_part(document) -> XmlPart:
    """The document's footnotes part, made with its separators if the template has none."""
    part = footnotes_part(document)
    if part is None:
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, parse_xml(SEPARATORS), document.part.package
        )
        document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    _declare_separators(document)
    return part


def _declare_separators(document) -> None:
    """Name the separator notes in the settings, as Word does; LibreOffice drops footnote text without it
    in a document that has a header."""
    settings = document.settings.element
    if settings.find(qn("w:footnotePr")) is not None:
        return
    properties = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    later = next((child for child in settings if child.tag in {qn(f"w:{n}") for n in AFTER_FOOTNOTE_PROPERTIES}), None)
    if later is None:
        settings.append(properties)
    else:
        later.addprevious(properties)


class Footnotes:
    """Adds real footnotes (not endnotes) at the foot of the page, numbered by Word."""

    def __init__(self, document, text_style_id: str, reference_style_id: str):
        self.part = ensure_footnotes_part(document)
        notes = self.part.element
        # Keep the separators; drop any note left in the template.
        for note in notes.findall(qn("w:footnote")):
            if note.get(qn("w:type")) not in ("separator", "continuationSeparator"):
                notes.remove(note)
        self.text_style, self.reference_style = text_style_id, reference_style_id
        self.next_id = 1
        self.texts: list[str] = []

    def add(self, paragraph: Paragraph, text: str, mark: str = "") -> int:
        """A footnote whose reference mark ends `paragraph`. A `mark` ("*") stands for Word's number, as the
        masthead's footnote on the provisional agenda has it."""
        number = self.next_id
        self.next_id += 1
        self.texts.append(text)
        reference = f'<w:rPr><w:rStyle w:val="{self.reference_style}"/></w:rPr>'
        own = f"<w:r>{reference}<w:t>{mark}</w:t></w:r>" if mark else ""
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{number}"><w:p><w:pPr><w:pStyle w:val="{self.text_style}"/></w:pPr>'
            + (own or f"<w:r>{reference}<w:footnoteRef/></w:r>")
            + '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
        )
        note.findall(".//" + qn("w:t"))[-1].text = " " + text
        self.part.element.append(note)
        follows = ' w:customMarkFollows="1"' if mark else ""
        called = parse_xml(
            f'<w:r {nsdecls("w")}>{reference}<w:footnoteReference{follows} w:id="{number}"/>'
            + (f"<w:t>{mark}</w:t>" if mark else "")
            + "</w:r>"
        )
        paragraph._p.append(called)
        return number


def english_run(run) -> None:
    """A run of English in a translation's draft (a paragraph its catalogue does not translate yet): highlighted
    for the translator, and marked as English, so that Word spells it as English and lays it left to right."""
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    properties = run._r.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:bidi"), "en-US")
    last = next((c for c in properties if c.tag in (qn("w:eastAsianLayout"), qn("w:specVanish"), qn("w:oMath"))), None)
    if last is not None:
        last.addprevious(language)
    else:
        properties.append(language)


def right_to_left(document, english: tuple = ()) -> None:
    """Arabic: every paragraph right to left (w:bidi), every run of Arabic text too (w:rtl), every table
    laid out from the right (w:bidiVisual), in the body, the footnotes, the headers and the footers; but the
    paragraphs in `english` (untranslated), left to right.
    python-docx 1.2 has no API for a paragraph's bidi: the element goes where the schema puts it."""
    parts = [document.element.body, footnotes_part(document).element]
    for section in document.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                parts.append(part._element)
    for root in parts:
        for paragraph in root.iter(qn("w:p")):
            if paragraph in english:
                left_to_right_paragraph(paragraph.get_or_add_pPr())  # over the right-to-left style
            else:
                right_to_left_paragraph(paragraph.get_or_add_pPr())
        for run in root.iter(qn("w:r")):
            if ARABIC.search("".join(t.text or "" for t in run.iter(qn("w:t")))):
                run.get_or_add_rPr().get_or_add_rtl()
        for table in root.iter(qn("w:tbl")):
            table.tblPr.get_or_add_bidiVisual()


def left_to_right_paragraph(properties) -> None:
    """w:bidi off in a paragraph's properties: an English paragraph in a right-to-left style."""
    bidi = properties.find(qn("w:bidi"))
    if bidi is None:
        bidi = OxmlElement("w:bidi")
        properties.insert_element_before(bidi, *AFTER_BIDI)
    bidi.set(qn("w:val"), "0")


def right_to_left_paragraph(properties) -> None:
    """w:bidi in a paragraph's (or a paragraph style's) properties, where the schema puts it."""
    if properties.find(qn("w:bidi")) is None:
        properties.insert_element_before(OxmlElement("w:bidi"), *AFTER_BIDI)


ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Paragraph properties that come after w:bidi in the schema's sequence.
AFTER_BIDI = tuple(
    f"w:{name}"
    for name in (
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
        "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ).split()
)

COMMENT_ID_OFFSET = 10_000
COMMENT_MARKS = ("commentRangeStart", "commentRangeEnd", "commentReference")


def separate_comment_ids(document) -> None:
    """Move comment ids clear of footnote ids. Both may legally start at 0, but LibreOffice 7
    then shows the wrong footnote text under a paragraph that also carries a comment."""
    part = next((r.target_part for r in document.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.COMMENTS), None)
    if part is None:
        return
    key = qn("w:id")
    for comment in part.element.findall(qn("w:comment")):
        comment.set(key, str(int(comment.get(key)) + COMMENT_ID_OFFSET))
    for mark in COMMENT_MARKS:
        for element in document.element.body.iter(qn(f"w:{mark}")):
            element.set(key, str(int(element.get(key)) + COMMENT_ID_OFFSET))


def describe(shape, title: str, description: str) -> None:
    """A picture's text for screen readers (wp:docPr's descr, Word's alt text) and its title."""
    properties = shape._inline.docPr
    properties.set("descr", description)
    properties.set("title", title)
