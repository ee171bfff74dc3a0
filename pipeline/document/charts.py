"""The report's charts: matplotlib, PNG at print resolution, greys and one UN blue. A chart shows what no
table of the report shows (the tables of deposits by year and of programmes by thematic area have no chart),
and each has a one-sentence summary of its data for screen readers (`summary`).

Drawing is most of a draft's time, so a chart is drawn once for the same rows and code: `png` keeps
each drawing in the data folder's cache under a key made of the chart's code, matplotlib's version
and the rows it draws. `sgr draft` has them drawn ahead, by its worker on the other core, as soon as the
tables they draw are published (pipeline/document/drafting.py); `png` waits for that drawing, then reads
the cache.
"""

import datetime as dt
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline import ahead
from pipeline.catalogue import CHARTS, REPORT_TABLES, TOTAL, columns_read, derive_table, read_inputs
from pipeline.config import Freshness
from pipeline.contract import REGIONS
from pipeline.languages import glossary
from pipeline.languages.forms import style
from pipeline.paths import chart_file, chart_files
from pipeline.reference import CLUSTERS, OBJECTIVES
from pipeline.store import Store
from pipeline.store.files import write_atomically

DPI = 300
UN_BLUE, GREY, DARK = "#009EDB", "#9B9B9B", "#333333"
WIDTH_CM = 16.0
# The words on the charts; a language's report.toml gives its own under [chart_words].
WORDS = {
    "country_networks": "Country networks",
    "champion_countries": "Champion countries",
    "number": "Number",
    "end_of_year": "End {year}",
    "findings": "Findings recorded",
    "under_review": "Cycle under review",
    "previous_cycle": "Previous cycle",
    "objective": "{n}. {title}",
    **{f"cluster_{key}": title for key, (title, _) in CLUSTERS.items()},
    # What a screen reader says of each chart's data (the picture's description).
    "summary_networks_over_time": "{networks} country networks and {champions} Champion countries on {date}, "
    "from {first_networks} and {first_champions} at the end of {first_year}.",
    "summary_objectives_heatmap": "Most findings were recorded on objective {n} ({title}) in {region}: {count}.",
    "summary_objectives_by_cycle": "{under_review} findings in the cycle under review, against {previous} in the "
    "previous cycle; most on objective {n} ({title}).",
    "summary_empty": "No data yet.",
}
# A font with the glyphs of each language's script (Debian: fonts-noto-core, fonts-noto-cjk).
FONTS = {"zh": "Noto Sans CJK SC", "ar": "Noto Naskh Arabic"}


@functools.cache
def pyplot():
    """matplotlib, imported the first time a chart is drawn: a draft whose charts are all in the cache (drawn
    by the worker, pipeline/ahead.py) never imports it (0.3 s and 40 MB of `sgr draft`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Serif",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": DARK,
            "svg.hashsalt": "sg-report",
        }
    )
    return plt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # No software or date stamp in the file: the same data gives the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    pyplot().close(figure)
    return buffer.getvalue()


def _top(frame: pd.DataFrame, columns: list[str]) -> float:
    """The largest value an axis must show; 0 when there is none yet (a draft dated before any data)."""
    values = frame[columns].to_numpy(dtype=float)
    return float(np.nanmax(values)) if values.size and not np.isnan(values).all() else 0.0


def _figure(height_cm: float):
    return pyplot().figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54))


def _integers():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _objective(words: dict, number: int) -> str:
    return words["objective"].format(n=number, title=OBJECTIVES[number][1])


def _wrapped(label: str) -> str:
    return textwrap.fill(label, 14, break_long_words=False, break_on_hyphens=False)


def networks_over_time(frame: pd.DataFrame, words: dict) -> bytes:
    figure = _figure(6.5)
    axes = figure.add_subplot()
    # A day inside a year is said in full, on two lines, so that it does not run into the year-end beside it.
    labels = [
        _wrapped(style().date(d)) if (d.month, d.day) != (12, 31) else words["end_of_year"].format(year=d.year)
        for d in frame["date"]
    ]
    axes.plot(labels, frame["country_networks"], color=UN_BLUE, marker="o", label=words["country_networks"])
    axes.plot(labels, frame["champion_countries"], color=DARK, marker="s", label=words["champion_countries"])
    for column in ("country_networks", "champion_countries"):
        for x, value in enumerate(frame[column]):
            axes.annotate(str(int(value)), (x, value), textcoords="offset points", xytext=(0, 5), ha="center")
    axes.set_ylabel(words["number"])
    axes.set_ylim(0, max(_top(frame, ["country_networks", "champion_countries"]) * 1.2, 1))
    axes.legend(frameon=False, loc="upper left")
    return _png(figure)


def objectives_heatmap(frame: pd.DataFrame, words: dict) -> bytes:
    """Objectives grouped by round-table cluster (rows) against regions (columns)."""
    order = [o for _, (_, objectives) in CLUSTERS.items() for o in objectives]
    rows = frame.set_index("objective").loc[order]
    regions = list(REGIONS)
    figure = _figure(15)
    axes = figure.add_subplot()
    image = axes.imshow(rows[regions].to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    # The regions as the UN names them in the draft's language (glossary), on two lines where long.
    named = [glossary.term(r, words["language"]).replace(" and ", " and\n") for r in regions]
    axes.set_xticks(
        range(len(regions)),
        [textwrap.fill(n, 16, break_long_words=False) if "\n" not in n else n for n in named],
        fontsize=7,
    )
    axes.set_yticks(range(len(order)), [_objective(words, o) for o in order], fontsize=7)
    axes.tick_params(length=0)
    for y, objective in enumerate(order):
        for x, region in enumerate(regions):
            value = int(rows.loc[objective, region])
            if value:
                axes.text(
                    x,
                    y,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value >= rows[regions].to_numpy().max() * 0.6 else DARK,
                )
    boundary = 0
    for key, (_title, objectives) in CLUSTERS.items():
        cluster = textwrap.fill(words[f"cluster_{key}"], 16)
        axes.text(
            len(regions) - 0.35, boundary + (len(objectives) - 1) / 2, cluster, va="center", fontsize=6, color=DARK
        )
        boundary += len(objectives)
        if boundary < len(order):
            axes.axhline(boundary - 0.5, color=DARK, linewidth=1)
    axes.spines[:].set_visible(False)
    # Below the map, so that the clusters' names have the right-hand margin.
    colorbar = figure.colorbar(image, ax=axes, orientation="horizontal", fraction=0.025, pad=0.06, aspect=40)
    colorbar.set_label(words["findings"])
    colorbar.locator = _integers()
    colorbar.update_ticks()
    return _png(figure)


def objectives_by_cycle(frame: pd.DataFrame, words: dict) -> bytes:
    """Findings on each objective, the cycle under review beside the previous one, clusters in order."""
    order = [o for _, (_, objectives) in CLUSTERS.items() for o in objectives]
    rows = frame.set_index("objective").loc[order]
    figure = _figure(15)
    axes = figure.add_subplot()
    y = np.arange(len(order))
    axes.barh(y - 0.2, rows["under_review"], height=0.4, color=UN_BLUE, label=words["under_review"])
    axes.barh(y + 0.2, rows["previous"], height=0.4, color=GREY, label=words["previous_cycle"])
    axes.set_yticks(y, [_objective(words, o) for o in order], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel(words["findings"])
    axes.set_xlim(0, max(_top(frame, ["under_review", "previous"]) * 1.1, 1))
    axes.xaxis.set_major_locator(_integers())
    axes.legend(frameon=False, loc="lower right")
    return _png(figure)


# How each chart of the catalogue (pipeline/catalogue/data_tables.py) is drawn; its title and notes are declared there.
DRAW = {
    "networks_over_time": networks_over_time,
    "objectives_heatmap": objectives_heatmap,
    "objectives_by_cycle": objectives_by_cycle,
}
assert DRAW.keys() == CHARTS.keys(), "every chart declared has a drawing, and only those"

CODE = hashlib.sha256(Path(__file__).read_bytes() + importlib.metadata.version("matplotlib").encode()).hexdigest()
KEPT = 8  # drawings kept of each chart: enough for drafts that go back and forth between a few data sets


def font_for(language: str) -> list[str]:
    """The fonts a language's chart is drawn in: the script's, then the Latin one for digits and names."""
    family = FONTS.get(language)
    if family is None:
        return [pyplot().rcParams["font.family"][0]]
    if not has_family(family):
        # Installed after matplotlib made its font list (a cached list outlives a new Debian package).
        add_fonts(_font_manager().findSystemFonts())
        if not has_family(family):
            raise RuntimeError(
                f"the font {family} is needed to draw the {language} charts: install it (Debian: fonts-noto-core, "
                "fonts-noto-cjk)"
            )
    return [family, "DejaVu Serif"]


def _font_manager():
    pyplot()  # configured first
    from matplotlib import font_manager

    return font_manager


def add_fonts(paths: list[str]) -> None:
    """Font files matplotlib's list does not have yet, known by the family names they hold (each face of a
    .ttc collection: NotoSansCJK-Regular.ttc holds Noto Sans CJK SC, TC, JP and KR)."""
    font_manager = _font_manager()
    known = {os.path.realpath(font.fname) for font in font_manager.fontManager.ttflist}
    for path in paths:
        if os.path.realpath(path) not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # a file FreeType cannot read is no font of ours


def has_family(family: str) -> bool:
    font_manager = _font_manager()
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


def summary(name: str, frame: pd.DataFrame, words: dict | None = None) -> str:
    """The one sentence of a chart's data a screen reader needs, in the draft's language."""
    words = {**WORDS, **(words or {})}
    if frame.empty:
        return words["summary_empty"]
    count = style().count
    if name == "networks_over_time":
        first, last = frame.iloc[0], frame.iloc[-1]
        return words["summary_networks_over_time"].format(
            networks=count(last["country_networks"]),
            champions=count(last["champion_countries"]),
            date=style().date(last["date"]),
            first_networks=count(first["country_networks"]),
            first_champions=count(first["champion_countries"]),
            first_year=first["date"].year,
        )
    if name == "objectives_heatmap":
        counts = frame.set_index("objective")[list(REGIONS)]
        objective, region = counts.stack().idxmax()
        return words["summary_objectives_heatmap"].format(
            n=objective, title=OBJECTIVES[objective][1], region=region, count=count(counts.loc[objective, region])
        )
    most = int(frame.loc[frame["under_review"].idxmax(), "objective"])
    return words["summary_objectives_by_cycle"].format(
        under_review=count(frame["under_review"].sum()),
        previous=count(frame["previous"].sum()),
        n=most,
        title=OBJECTIVES[most][1],
    )


def png(
    name: str, frame: pd.DataFrame, cache: Path | None = None, language: str = "en", words: dict | None = None
) -> bytes:
    """The chart `name` of these rows in `language`, drawn or, if drawn before, read from `cache`."""
    if cache:
        ahead.settle(ahead_key(cache, name))
    words = {**WORDS, **(words or {}), "language": language}
    said = json.dumps([language, words], sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(f"{CODE}{name}{said}".encode() + frame.to_csv(index=False).encode()).hexdigest()
    cached = chart_file(cache, name, key) if cache else None
    if cached and cached.exists():
        cached.touch()  # in use: the last to be pruned
        return cached.read_bytes()
    with pyplot().rc_context({"font.family": font_for(language)}):
        drawn = DRAW[name](frame, words)
    if cached:
        write_atomically(cached, lambda p: p.write_bytes(drawn))
        for old in sorted(chart_files(cache, name), key=lambda p: p.stat().st_mtime_ns)[:-KEPT]:
            old.unlink(missing_ok=True)
    return drawn


def rows_drawn(table: pa.Table) -> pd.DataFrame:
    """The rows of a report table a chart draws: all but its total."""
    frame = table.to_pandas()
    return frame[~frame[TOTAL]].drop(columns=[TOTAL]) if TOTAL in frame else frame


def ahead_key(cache: Path, name: str) -> tuple:
    """What the drawing of a chart ahead into `cache` is asked under (pipeline/ahead.py)."""
    return ("chart", str(cache), name)


def draw_ahead(
    data: str, edition: str, as_of: dt.date, freshness: Freshness, name: str, words: dict[str, dict | None]
) -> None:
    """The chart `name` into the chart cache in each language of `words` (each language's chart words), as a
    draft as of `as_of` draws it: its report table derived once from the published tables, as report_tables
    derives it. Run by the worker, ahead of the draft (drafting.py)."""
    ahead.give_back_memory()  # what validation freed, before matplotlib takes its own
    store = Store(data)
    table = REPORT_TABLES[CHARTS[name].table]
    rows = rows_drawn(derive_table(table, read_inputs(store, edition, columns_read([table])), as_of, freshness))
    for language, chart_words in words.items():
        png(name, rows, store.history.charts, language, chart_words)
