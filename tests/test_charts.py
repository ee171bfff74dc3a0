"""The charts' fonts: a font installed after matplotlib made its font list is still found, each family of a
.ttc collection included, and a missing one is named with the package that has it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = Path(matplotlib.get_data_path()) / "fonts/ttf"  # matplotlib's own DejaVu files


def renamed(path: Path, family: str) -> TTFont:
    font = TTFont(path)
    # The name table's family (1, 16), full name (4) and PostScript name (6).
    names = {1: family, 16: family, 4: family, 6: family.replace(" ", "")}
    for record in font["name"].names:
        record.string = names.get(record.nameID, record.string)
    return font


def collection(path: Path, families: list[str]) -> Path:
    """A .ttc of several families, as NotoSansCJK-Regular.ttc holds SC, TC, JP and KR."""
    fonts = TTCollection()
    fonts.fonts = [renamed(SHIPPED / "DejaVuSans.ttf", family) for family in families]
    path.parent.mkdir(parents=True, exist_ok=True)
    fonts.save(path)
    return path


# In its own process and home, so that matplotlib makes its font list before the font is installed.
PROBE = """
import shutil, sys
from pathlib import Path
from pipeline.document import charts
from matplotlib import font_manager

charts.FONTS["xx"] = "SGR Probe TC"
print("before:", charts.has_family("SGR Probe TC"))
shutil.copy(sys.argv[1], Path.home() / ".fonts")  # installed now, after the list was made
print("font:", charts.font_for("xx"))
print("sibling:", charts.has_family("SGR Probe SC"))
charts.FONTS["yy"] = "SGR Never Installed"
try:
    charts.font_for("yy")
except RuntimeError as error:
    print("missing:", error)
"""


def test_a_font_installed_after_the_font_list_was_made_is_found_ttc_faces_included(tmp_path):
    ttc = collection(tmp_path / "made/SGRProbe.ttc", ["SGR Probe SC", "SGR Probe TC"])
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    env = {"HOME": str(home), "MPLCONFIGDIR": str(tmp_path / "mpl"), "PATH": "/usr/bin:/bin", "XDG_DATA_HOME": ""}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ttc)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["before"] == "False"
    assert lines["font"] == "['SGR Probe TC', 'DejaVu Serif']"
    assert lines["sibling"] == "True"  # the collection's other face, found with it
    assert lines["missing"].startswith("the font SGR Never Installed is needed to draw the yy charts: install it")
