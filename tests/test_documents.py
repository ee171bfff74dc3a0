"""The drafts checked by the tools a reader's would be: the Open XML SDK's validator on every draft of the
sample, in the six languages, in one validator process (its start is most of its time); LibreOffice rendering
them, once, with the symbol in the header of every page of the English and each language's glyphs in fonts
that have them. These need what tests/installed.py names: skipped outside CI when it is missing."""

import json
import re
import subprocess

import pytest

from pipeline.paths import pdf_file
from tests.conftest import ROOT, SYMBOL
from tests.installed import require

VALIDATE = ROOT / "tests/validate_docx.mjs"
# One worker for the module, so that LibreOffice renders the drafts once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("documents")


@pytest.fixture
def validator():
    """The validator, started before the drafts are made (its start is most of its time); it reads their paths."""
    require("validator")
    process = subprocess.Popen(
        ["node", str(VALIDATE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    yield process
    process.kill()


def test_every_draft_is_valid_open_xml(validator, published, translated):
    paths = [published.draft, *(path for code, path in translated.paths.items() if code != "en")]
    out, err = validator.communicate("".join(f"{path}\n" for path in paths), timeout=600)
    assert validator.returncode == 0, err[-3000:]
    found = json.loads(out)
    assert sorted(found) == sorted(map(str, paths))
    assert {path: errors for path, errors in found.items() if errors} == {}


@pytest.fixture(scope="module")
def rendered(translated):
    """Each language's draft as the pipeline exported it: a tagged PDF beside the .docx (pipeline/document/
    tagged_pdf.py), made by the session's six-language run."""
    require("libreoffice")
    pdfs = {code: pdf_file(path) for code, path in translated.paths.items()}
    assert translated.metadata["Tagged PDF"] == [str(pdfs["en"]), *(str(p) for c, p in pdfs.items() if c != "en")]
    return pdfs


def _text(pdf, *pages: str) -> str:
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_each_draft_has_its_tagged_pdf_and_every_page_after_the_first_the_symbol(rendered):
    pdf = rendered["en"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info  # the structure a screen reader follows
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 <= pages <= 20
    for page in range(1, pages + 1):
        lines = [line.strip() for line in _text(pdf, "-f", str(page), "-l", str(page), "-layout").splitlines()]
        lines = [line for line in lines if line]
        if page == 1:  # the masthead, with no running head above it
            assert lines[0].split() == ["United", "Nations", SYMBOL], lines[0]
        else:
            assert lines[0] == SYMBOL and lines[-1] == f"{page}/{pages}", (page, lines[0], lines[-1])
    full = _text(pdf)
    assert "Source: United Nations Network on Migration." in full
    assert "country_networks" not in full and ".csv" not in full  # the drafters' working material is elsewhere


def test_every_language_renders_with_fonts_that_have_its_glyphs(rendered):
    masthead = {
        "en": "United Nations",
        "fr": "Nations Unies",
        "es": "Naciones Unidas",
        "ru": "Организация",
        "zh": "联合国",
    }
    for code, pdf in rendered.items():
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:]]
        assert rows and all("yes" == row[-5] for row in rows), (code, fonts)  # every font embedded
        if code == "zh":
            assert "CJK" in fonts, fonts
        if code == "ar":
            assert "NotoNaskhArabic" in fonts, fonts
        text = _text(pdf)
        assert "\ufffd" not in text, code  # no glyph the fonts lacked
        if code in masthead:
            assert masthead[code] in text, code
        else:
            assert re.search("[\u0600-\u06ff]{4}", text), code
