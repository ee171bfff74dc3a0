"""The Word template: page, styles, numbering, footnote separators, header and footer.

The template at reports/template/report.docx is the drafters' to restyle in Word; this module
made it (python -m pipeline.document.word_template) and says what the report needs from it. A
numbered style carries its numbering, so a paragraph a drafter adds in Word is numbered too.
"""

import sys
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from pipeline.document.ooxml import ensure_footnotes_part, right_to_left_paragraph
from pipeline.languages.forms import LANGUAGES
from pipeline.paths import Template

# Style names the report uses; each must exist in the template.
CHAPTER, SECTION, PARAGRAPH, SUMMARY = "Heading 1", "Heading 2", "SG Paragraph", "SG Summary"
TITLE, SUBTITLE, ANNEX, ANNEX_TITLE = "SG Title", "SG Subtitle", "SG Annex", "SG Annex Title"
CAPTION, TABLE_NOTE, TABLE_TEXT, TABLE_STYLE = "SG Caption", "SG Table Note", "SG Table Text", "SG Table"
MASTHEAD_ORG, MASTHEAD_SYMBOL, MASTHEAD_BODY, MASTHEAD_DETAIL = (
    "SG Masthead Organization",
    "SG Masthead Symbol",
    "SG Masthead Body",
    "SG Masthead Detail",
)
FOOTNOTE_TEXT, FOOTNOTE_REFERENCE = "footnote text", "footnote reference"
REQUIRED_STYLES = [
    CHAPTER,
    SECTION,
    PARAGRAPH,
    SUMMARY,
    TITLE,
    SUBTITLE,
    ANNEX,
    ANNEX_TITLE,
    CAPTION,
    TABLE_NOTE,
    TABLE_TEXT,
    TABLE_STYLE,
    MASTHEAD_ORG,
    MASTHEAD_SYMBOL,
    MASTHEAD_BODY,
    MASTHEAD_DETAIL,
    FOOTNOTE_TEXT,
    FOOTNOTE_REFERENCE,
]

HEADINGS_NUMBERING, PARAGRAPH_NUMBERING = 50, 51
TWIPS_PER_CM = 567


# How a number stands before its paragraph: `1.` in English; `1 -` in UN Arabic documents (the UN's
# English-Arabic texts of A/71/1007: `1 -`, `2 -`, with Western digits).
NUMBER_AFTER = {"ar": " -"}
WORDED_HEADINGS = ("ar",)


def _numbering(heading_1: str, heading_2: str, paragraph: str, after: str = ".") -> list[str]:
    indent = f'<w:pPr><w:ind w:left="{2 * TWIPS_PER_CM}" w:hanging="{TWIPS_PER_CM}"/></w:pPr>'
    level = (
        '<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:pStyle w:val="{style}"/>'
        '<w:lvlText w:val="%{n}' + after + '"/><w:lvlJc w:val="left"/>' + indent + "</w:lvl>"
    )
    headings = (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{HEADINGS_NUMBERING}">'
        '<w:multiLevelType w:val="multilevel"/>'
        + level.format(i=0, fmt="upperRoman", style=heading_1, n=1)
        + level.format(i=1, fmt="upperLetter", style=heading_2, n=2)
        + "</w:abstractNum>"
    )
    paragraphs = (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{PARAGRAPH_NUMBERING}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        + level.format(i=0, fmt="decimal", style=paragraph, n=1)
        + "</w:abstractNum>"
    )
    return [headings, paragraphs] if heading_1 else [paragraphs]


def _add_numbering(document, heading_1, heading_2, paragraph, after: str = ".") -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    ids = (heading_1.style_id, heading_2.style_id) if heading_1 is not None else ("", "")
    for xml in _numbering(*ids, paragraph.style_id, after):
        # Schema order: every abstractNum comes before the first num.
        first_num.addprevious(parse_xml(xml))
    for number in (HEADINGS_NUMBERING, PARAGRAPH_NUMBERING) if heading_1 is not None else (PARAGRAPH_NUMBERING,):
        numbering.append(
            parse_xml(f'<w:num {nsdecls("w")} w:numId="{number}"><w:abstractNumId w:val="{number}"/></w:num>')
        )
    for style, number, level in (
        (heading_1, HEADINGS_NUMBERING, 0),
        (heading_2, HEADINGS_NUMBERING, 1),
        (paragraph, PARAGRAPH_NUMBERING, 0),
    ):
        if style is None:
            continue
        numbering_properties = style.element.get_or_add_pPr().get_or_add_numPr()
        numbering_properties.get_or_add_ilvl().val = level
        numbering_properties.get_or_add_numId().val = number


def _paragraph_style(
    document,
    name,
    size=10,
    bold=False,
    italic=False,
    base="Normal",
    after=6,
    before=0,
    keep=False,
    align=None,
    left=None,
    hanging=None,
):
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != base:
        style.base_style = styles[base]
    style.font.name, style.font.size, style.font.bold, style.font.italic = "Times New Roman", Pt(size), bold, italic
    style.font.color.rgb = None
    fonts = style.element.rPr.rFonts
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        # A theme font would override the named one (Word's headings default to the theme's).
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    fmt = style.paragraph_format
    fmt.space_after, fmt.space_before, fmt.keep_with_next, fmt.widow_control = Pt(after), Pt(before), keep, True
    fmt.line_spacing = 1.0
    if align is not None:
        fmt.alignment = align
    if left is not None:
        fmt.left_indent = Cm(left)
    if hanging is not None:
        fmt.first_line_indent = Cm(-hanging)
    return style


def _table_style(document) -> None:
    rule = 'w:val="single" w:sz="{}" w:space="0" w:color="000000"'
    document.styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="SGTable">'
            f'<w:name w:val="{TABLE_STYLE}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="99"/>'
            '<w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr><w:rPr><w:sz w:val="17"/></w:rPr>'
            f"<w:tblPr><w:tblBorders><w:top {rule.format(8)}/><w:bottom {rule.format(8)}/></w:tblBorders>"
            '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            '<w:tblStylePr w:type="firstRow"><w:rPr><w:i/></w:rPr><w:tblPr/>'
            f"<w:tcPr><w:tcBorders><w:bottom {rule.format(4)}/></w:tcBorders></w:tcPr></w:tblStylePr>"
            "</w:style>"
        )
    )


# The font for each language's script, where Times New Roman has no glyphs (Debian: fonts-noto-cjk,
# fonts-noto-core); the language each style is proofed in.
SCRIPT_FONTS = {"zh": ("eastAsia", "Noto Serif CJK SC"), "ar": ("cs", "Noto Naskh Arabic")}
LANGUAGE_TAGS = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ru": "ru-RU", "zh": "zh-CN", "ar": "ar-SA"}
# Run properties that come after w:szCs, and after w:lang, in the schema's sequence.
AFTER_SIZE = tuple(
    f"w:{n}"
    for n in "highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath".split()
)
AFTER_LANGUAGE = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _for_language(document, language: str) -> None:
    """Every style's script font, size and weight for the language's script, its proofing language and, in
    Arabic, right-to-left paragraphs, so that what a drafter types in Word takes them too."""
    styles, right_to_left = document.styles.element, LANGUAGES[language].right_to_left
    for style in [styles.find(qn("w:docDefaults")), *styles.findall(qn("w:style"))]:
        if style is None:
            continue
        holder = style.find(qn("w:rPrDefault")) if style.tag == qn("w:docDefaults") else style
        properties = holder.get_or_add_rPr() if hasattr(holder, "get_or_add_rPr") else holder.find(qn("w:rPr"))
        if properties is None:
            continue
        if language in SCRIPT_FONTS:
            attribute, font = SCRIPT_FONTS[language]
            properties.get_or_add_rFonts().set(qn(f"w:{attribute}"), font)
        # Arabic text takes the complex-script size and weight: the same as the Latin ones.
        size = properties.find(qn("w:sz"))
        if size is not None and properties.find(qn("w:szCs")) is None:
            properties.insert_element_before(
                parse_xml(f'<w:szCs {nsdecls("w")} w:val="{size.get(qn("w:val"))}"/>'), *AFTER_SIZE
            )
        if properties.find(qn("w:b")) is not None:
            properties.get_or_add_bCs()
        if properties.find(qn("w:lang")) is None:
            tag = LANGUAGE_TAGS[language]
            properties.insert_element_before(
                parse_xml(f'<w:lang {nsdecls("w")} w:val="{tag}" w:eastAsia="{tag}" w:bidi="{tag}"/>'),
                *AFTER_LANGUAGE,
            )
        if right_to_left and style.tag == qn("w:style") and style.get(qn("w:type")) == "paragraph":
            right_to_left_paragraph(style.get_or_add_pPr())


def build_template(path: Path, language: str = "en") -> None:
    """The Word template of a language's drafts: page, styles, numbering, footnotes, header and footer."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.2)
    section.start_type = WD_SECTION.NEW_PAGE
    chapter, section_style, paragraph = _styles(document)
    _table_style(document)
    # Arabic chapters and sections are numbered in words the drafts write themselves (forms.Arabic).
    headings = (None, None) if language in WORDED_HEADINGS else (chapter, section_style)
    _add_numbering(document, *headings, paragraph, NUMBER_AFTER.get(language, "."))
    ensure_footnotes_part(document)
    if language != "en":
        _for_language(document, language)

    _running_heads(document, section)

    properties = document.core_properties
    properties.title = "Draft report of the Secretary-General on the Global Compact for Migration"
    properties.author = properties.last_modified_by = "UN Network on Migration secretariat"
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    document.save(str(path))


def _running_heads(document, section) -> None:
    """As the issued reports print them: nothing above the masthead on page 1; from page 2 the symbol at
    the top and the page number ("2/19") at the foot, on the outer side: left on even pages, right on odd."""
    section.different_first_page_header_footer = True
    document.settings.odd_and_even_pages_header_footer = True
    pages = (
        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>',
        f"<w:r {nsdecls('w')}><w:t>/</w:t></w:r>",
        f'<w:fldSimple {nsdecls("w")} w:instr=" NUMPAGES "><w:r><w:t>2</w:t></w:r></w:fldSimple>',
    )
    for header, footer, side in (
        (section.even_page_header, section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        (section.header, section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
    ):
        symbol = header.paragraphs[0]
        symbol.text, symbol.style, symbol.alignment = "{{symbol}}", document.styles["Header"], side
        symbol.runs[0].bold = True
        number = footer.paragraphs[0]
        number.style, number.alignment = document.styles["Footer"], side
        for field in pages:
            number._p.append(parse_xml(field))
    for part in (section.first_page_header, section.first_page_footer):
        part.paragraphs[0].text = ""


def _styles(document):
    """Every paragraph style the report uses, and the footnotes' under Word's own names; returns the three
    numbered ones (chapter, section, paragraph)."""
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    _paragraph_style(document, "Normal", align=justify)
    chapter = _paragraph_style(
        document,
        CHAPTER,
        12,
        bold=True,
        before=12,
        after=6,
        keep=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        left=2,
        hanging=1,
    )
    section_style = _paragraph_style(
        document, SECTION, 10, bold=True, before=9, after=6, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT, left=2, hanging=1
    )
    for heading in (chapter, section_style):
        heading.font.italic = False
    paragraph = _paragraph_style(document, PARAGRAPH, align=justify, left=2, hanging=1)
    _paragraph_style(document, SUMMARY, align=justify, left=2)
    _paragraph_style(
        document, TITLE, 14, bold=True, before=18, after=6, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT, left=2
    )
    _paragraph_style(document, SUBTITLE, 12, bold=True, after=18, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT, left=2)
    _paragraph_style(document, ANNEX, 12, bold=True, before=12, after=3, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, ANNEX_TITLE, 12, bold=True, after=9, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, CAPTION, 10, bold=True, before=9, after=3, keep=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, TABLE_NOTE, 8, after=2, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, TABLE_TEXT, 8.5, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, MASTHEAD_ORG, 12, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, MASTHEAD_SYMBOL, 16, bold=True, after=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph_style(document, MASTHEAD_BODY, 20, bold=True, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, MASTHEAD_DETAIL, 10, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    footnote_text = _paragraph_style(
        document, "Footnote Text", 8, after=1, align=WD_ALIGN_PARAGRAPH.LEFT, left=0.5, hanging=0.5
    )
    footnote_reference = document.styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    footnote_reference.font.superscript = True
    # Word's own names, so that a footnote a drafter inserts in Word takes these styles.
    footnote_text.element.name_val, footnote_reference.element.name_val = FOOTNOTE_TEXT, FOOTNOTE_REFERENCE
    return chapter, section_style, paragraph


if __name__ == "__main__":
    # python -m pipeline.document.word_template [LANGUAGE ...]: English's template, or those of the languages named.
    for code in sys.argv[1:] or ["en"]:
        made = Template().file(code, "report.docx")
        build_template(made, code)
        print(f"wrote {made}")
