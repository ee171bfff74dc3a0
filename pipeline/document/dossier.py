"""The drafters' dossier: everything the report no longer prints, in a second document beside it.

What the draft is (its edition, dates and the next deadline), the source files with their digests, every
check and warning with its file, line and value, the changes since the last draft, the provenance of every
figure the report states (where, the rows, tables and files, the rule and which rows count as of D) and the
reviewers' comments to settle. Words from reports/template/dossier/*.md, in English, the drafters' working
language; the provenance and comments are laid out here from what the report recorded while it was built.
"""

from __future__ import annotations

from babel import Locale
from docx.oxml.ns import qn

from pipeline.document import editorial
from pipeline.document import word_template as t
from pipeline.document.builder import Builder, Made, ReportInputs
from pipeline.document.front_page import core_properties, running_head
from pipeline.document.reviewers_annexes import reviewers_annexes
from pipeline.document.table_layout import grid
from pipeline.languages.forms import DEFAULT, speaking
from pipeline.paths import Template
from pipeline.reference import THEMATIC_AREAS_NOTE

TITLE = "Drafters’ dossier"


class Dossier(Builder):
    """Built after the report, from what the report recorded (`Made`)."""

    def __init__(
        self, inputs: ReportInputs, template: Template, report: Made, translations: dict[str, Made], findings: list
    ):
        super().__init__(inputs, template)
        self.report, self.translations, self.findings = report, translations, findings

    def build(self) -> Made:
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        running_head(self.document, f"{self.config['symbol']}: {TITLE.lower()}")
        self.add(TITLE, t.TITLE)
        self.add(
            f"Working material for the draft of {self.config['symbol']}, {self.config['title']}: not part of the "
            "report, and not for issue.",
            t.SUBTITLE,
        )
        for path in self.template.dossier_files():
            self._file(path, "dossier")
        self._editorial()
        self.add("Reference data to check", t.CHAPTER)
        self.add(THEMATIC_AREAS_NOTE, t.SUMMARY)
        self._provenance()
        if self.report.carried is not None:
            reviewers_annexes(self, self.report.carried)
        for code, made in self.translations.items():
            if made.carried is not None:
                reviewers_annexes(self, made.carried, f"the {Locale.parse(code).get_display_name('en')} draft")
        self._pictures()
        core_properties(self.document, {**self.config, "subtitle": TITLE}, self.inputs, "en")
        return self.made

    def annex(self, title: str) -> None:
        self.add(title, t.CHAPTER)

    def _editorial(self) -> None:
        self.add("Editorial check", t.CHAPTER)
        if not self.findings:
            self.add(
                "The report passes the editorial check (pipeline/document/editorial.py): no working material in "
                "its text, the session and symbol of its date, numbers under 10 in words in running text, en "
                "dashes in ranges, typographic quotation marks, every picture described, no running head on "
                "page 1 and the word limit kept.",
                t.SUMMARY,
            )
            return
        self.add(
            f"What an editor would send back ({len(self.findings):,}): mend the template or report.toml.", t.SUMMARY
        )
        rows = [[f.where, f.rule, f.text] for f in self.findings]
        grid(self.styles, ["Where", "Rule", "Text"], rows, [False] * 3, [2.6, 6.0, 8.0], False)

    def _provenance(self) -> None:
        self.add("Provenance of every figure", t.CHAPTER)
        self.add(
            f"Each figure and table of the report, where it stands and what it was counted from. D is the date the "
            f"figures are counted as of, {self.narrative.context['as_of']}; the files are those listed above, "
            "with their digests.",
            t.SUMMARY,
        )
        rows = [
            [s.where, s.text, s.provenance.name, s.provenance.definition, f"{s.provenance.rows:,}"]
            + ["; ".join(s.provenance.files) or "none"]
            for s in self.report.stated
        ]
        headers = ["Where", "As stated", "Figure or table", "Counted as", "Rows", "Source files"]
        grid(
            self.styles, headers, rows, [False, False, False, False, True, False], [2.0, 2.4, 3.0, 4.4, 1.2, 3.6], False
        )

    def _pictures(self) -> None:
        self.add("Descriptions of the figures", t.CHAPTER)
        self.add("What a screen reader says of each figure of the report (its alternative text).", t.SUMMARY)
        for description in self.report.pictures:
            self.add(description, t.SUMMARY)


def compose_dossier(inputs: ReportInputs, template: Template, drafts: dict):
    """The dossier of the English draft and the translations drafted with it (`drafts`: by language, what
    compose made), built but not yet saved."""
    _, report, document = drafts[DEFAULT]
    translations = {code: made for code, (_, made, _) in drafts.items() if code != DEFAULT}
    with speaking(DEFAULT):
        findings = editorial.check(document, inputs.config["word_limit"])
        dossier = Dossier(inputs, template, report, translations, findings)
        dossier.build()
    return dossier.document
