"""Each draft as a tagged PDF (PDF/A-2b) beside it, as LibreOffice exports it: the headings, tables and
figures' descriptions carried into the PDF's structure for screen readers, every font embedded.

LibreOffice runs once for all the drafts of a run, with a profile of its own so that it neither waits
for nor disturbs a LibreOffice the drafter has open. Without LibreOffice, no PDF is made and the run
says so (`Exported.missing`): the Word drafts do not depend on it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.paths import pdf_file
from pipeline.store.files import write_atomically

INSTALL = "install LibreOffice (Debian: apt-get install libreoffice-writer-nogui)"
PDF_A_2B = "2"  # LibreOffice's SelectPdfVersion
OPTIONS = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "SelectPdfVersion": {"type": "long", "value": PDF_A_2B},
}
TIMEOUT_S = 600


@dataclass
class Exported:
    pdfs: list[Path] = field(default_factory=list)
    missing: str = ""  # why none was made


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def export(documents: dict[Path, object]) -> Exported:
    """Each saved-to-be draft (its final path: its python-docx document) as a tagged PDF beside that path."""
    program = soffice()
    if program is None:
        return Exported(missing=f"no tagged PDF: LibreOffice is not installed here ({INSTALL})")
    with tempfile.TemporaryDirectory(prefix="sgr-pdf-") as work:
        folder = Path(work)
        names = {}
        for path, document in documents.items():
            local = folder / "in" / path.name
            local.parent.mkdir(exist_ok=True)
            document.save(str(local))
            names[path] = local
        converter = f"pdf:writer_pdf_Export:{json.dumps(OPTIONS)}"
        done = subprocess.run(
            [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to"]
            + [converter, "--outdir", str(folder / "out"), *map(str, names.values())],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        made = []
        for path, local in names.items():
            pdf = folder / "out" / pdf_file(local).name
            if not pdf.exists():
                said = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
                return Exported(made, f"no tagged PDF of {path.name}: LibreOffice said {said[0]!r}")
            write_atomically(pdf_file(path), lambda p, pdf=pdf: p.write_bytes(pdf.read_bytes()))
            made.append(pdf_file(path))
    return Exported(made)
