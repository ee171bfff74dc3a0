"""The floor: the pipeline's work as one plain script, the denominator of every benchmark ratio.

Reads every table (pyarrow CSV, openpyxl read-only), types it, checks the contract's rules with
vectorised pandas, writes each table to Parquet atomically, counts the key figures with the
catalogue's own declarations (pipeline/catalogue/figures.py, the same counting the pipeline does)
and writes them to key_figures.json, and a .docx with the figures, three tables and three charts.
No orchestration, no Great Expectations. Run: python -m bench.floor SOURCES OUT AS_OF
"""

import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import docx  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from pipeline.catalogue import compute_key_figures  # noqa: E402
from pipeline.contract import DATE, DECIMAL, INTEGER, REGIONS, TABLES  # noqa: E402
from pipeline.countries import ISO3_CODES  # noqa: E402
from pipeline.paths import Sources  # noqa: E402


def files_of(root: Path, table) -> list[Path]:
    folder = Sources(root).family(table.family)
    csvs = sorted(folder.glob(f"{table.name}*.csv"))
    return csvs + ([] if folder == root else sorted(folder.glob("*.xlsx")))


def read(path: Path, table) -> pd.DataFrame | None:
    if path.suffix == ".csv":
        header = path.open(encoding="utf-8-sig").readline().strip().split(",")
        header = [h.strip('"') for h in header]
        frame = pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))
        )
        frame = frame.to_pandas()
    else:
        book = openpyxl.load_workbook(path, read_only=True)
        if table.name not in book.sheetnames:
            return None
        rows = list(book[table.name].iter_rows(values_only=True))
        frame = pd.DataFrame(rows[1:], columns=rows[0]).astype(str).replace({"None": None})
        frame = frame.apply(lambda c: c.str.replace(" 00:00:00", "", regex=False))
    frame["source_file"], frame["source_line"] = str(path), np.arange(2, len(frame) + 2)
    return frame


def typed(frame: pd.DataFrame, table) -> pd.DataFrame:
    for c in table.columns:
        if c.name not in frame:
            frame[c.name] = None
        text = frame[c.name].astype("string").str.strip().replace("", pd.NA)
        if c.type == INTEGER:
            frame[c.name] = pd.to_numeric(text, errors="raise").astype("Int64")
        elif c.type == DECIMAL:
            frame[c.name] = pd.to_numeric(text, errors="raise")
        elif c.type == DATE:
            frame[c.name] = pd.to_datetime(text, format="%Y-%m-%d", errors="raise")
        elif c.is_list:
            frame[c.name] = text.str.split(";")
        else:
            frame[c.name] = text
    return frame


def check(frame: pd.DataFrame, table, tables: dict) -> list[str]:
    broken = []
    for c in table.columns:
        values = frame[c.name]
        flat = values.explode() if c.is_list else values
        rules = {
            "required": c.required and c.required_when is None and values.isna().any(),
            "allowed": bool(c.allowed) and (~values.dropna().isin(c.allowed)).any(),
            "iso3": c.type.endswith("alpha-3") or c.type == "iso3",
            "min": c.min is not None and (pd.to_numeric(flat.dropna()) < c.min).any(),
            "max": c.max is not None and (pd.to_numeric(flat.dropna()) > c.max).any(),
            "above": c.above is not None and (values.dropna() <= c.above).any(),
            "order": c.not_before is not None and (values < frame[c.not_before]).any(),
        }
        if rules["iso3"]:
            rules["iso3"] = (~flat.dropna().isin(ISO3_CODES)).any()
        if c.required_when:
            other, value = c.required_when
            rules["required_when"] = (values.isna() & (frame[other] == value)).any()
        if c.references:
            ref_table, ref_column = c.references.split(".")
            rules["references"] = (~values.dropna().isin(tables[ref_table][ref_column])).any()
        if c.pairs_with:
            rules["pairs"] = (frame[c.pairs_with].map(REGIONS) != values).any()
        broken += [f"{table.name}.{c.name}: {rule}" for rule, bad in rules.items() if bad]
    if table.key and frame.duplicated(list(table.key)).any():
        broken.append(f"{table.name}: key")
    return broken


def write_atomically(table: pa.Table, path: Path) -> None:
    temporary = path.with_suffix(".tmp")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)


def chart(draw) -> io.BytesIO:
    figure = plt.figure(figsize=(6.3, 2.8))
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=300)
    plt.close(figure)
    buffer.seek(0)
    return buffer


def report(figures: dict, t: dict, path: Path) -> None:
    document = docx.Document()
    document.add_heading("Implementation of the Global Compact for Safe, Orderly and Regular Migration", 0)
    for name, value in figures.items():
        document.add_paragraph(f"{name}: {value:,.3f}" if value is not None else f"{name}: none")
    by_year = t["contributions"].groupby("year")[["commitment_usd", "deposit_usd"]].sum().reset_index()
    by_area = t["joint_programmes"].groupby("thematic_area")["budget_usd"].agg(["count", "sum"]).reset_index()
    reviews = t["reviews"][["review_id", "start_date", "venue", "format", "member_states_participating"]]
    for frame in (by_year, by_area, reviews):
        table = document.add_table(rows=1, cols=len(frame.columns))
        for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
            cell.text = str(name)
        for row in frame.itertuples(index=False):
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    document.add_picture(chart(lambda a: a.bar(by_year["year"].astype(str), by_year["deposit_usd"])))
    document.add_picture(chart(lambda a: a.barh(by_area["thematic_area"].astype(str), by_area["count"])))
    nets = t["country_networks"].sort_values("established_on")
    document.add_picture(chart(lambda a: a.plot(nets["established_on"], np.arange(1, len(nets) + 1))))
    temporary = path.with_suffix(".tmp")
    document.save(str(temporary))
    os.replace(temporary, path)


def main(sources: Path, out: Path, as_of: dt.date) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for table in TABLES.values():
        parts = [f for f in (read(p, table) for p in files_of(sources, table)) if f is not None]
        rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=table.column_names)
        tables[table.name] = typed(rows, table)
    broken = [rule for table in TABLES.values() for rule in check(tables[table.name], table, tables)]
    if broken:
        sys.exit(f"floor: rules broken: {broken}")
    for name, frame in tables.items():
        write_atomically(pa.Table.from_pandas(frame, preserve_index=False), out / f"{name}.parquet")
    figures = {r["figure"]: r["value"] for r in compute_key_figures(tables, as_of).to_pylist()}
    (out / "key_figures.json").write_text(json.dumps(figures, indent=1))
    report(figures, tables, out / "floor.docx")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        dt.date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else dt.date.today(),
    )
