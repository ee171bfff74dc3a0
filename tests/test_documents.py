"""The drafts checked by the tools a reader's would be: the Open XML SDK's validator on every draft of the
sample, in the six languages, in one validator process (its start is most of its time); LibreOffice rendering
them, once, with the symbol in the header of every page of the English and each language's glyphs in fonts
that have them. These need what tests/installed.py names: skipped outside CI when it is missing."""

import json
import re
import subprocess

import pytest

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
def rendered(translated, tmp_path_factory):
    """Each language's draft as LibreOffice renders it to PDF, converted in one run of LibreOffice."""
    require("libreoffice")
    folder = tmp_path_factory.mktemp("rendered")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *map(str, translated.paths.values())],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {code: folder / f"{path.stem}.pdf" for code, path in translated.paths.items()}


def _text(pdf, *pages: str) -> str:
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_libreoffice_renders_every_page_with_the_symbol(rendered):
    pdf = rendered["en"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 <= pages <= 20
    for page in range(1, pages + 1):
        text = _text(pdf, "-f", str(page), "-l", str(page), "-layout")
        assert text.strip().splitlines()[0].strip() == SYMBOL, f"page {page}"
    full = _text(pdf)
    assert "Source: country_networks table (country_networks/country_networks.csv), data as of 24 June 2021." in full


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
