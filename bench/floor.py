"""The floor: what the pipeline's work costs as one plain script, the denominator of every benchmark ratio.

It imports nothing of the project: pandas, pyarrow, openpyxl, python-docx, matplotlib (the pipeline's charts)
and pycountry (the ISO 3166-1 codes) only. It reads the same source files (CSV and the review workbooks; not
IATI files, which no benchmark source has), types them, checks the contract's rules as plain pandas checks,
writes each table to Parquet atomically, counts every key figure from the contract's definitions written out
again here, and writes key_figures.json and a .docx with the figures, the report's tables and three charts.
Each stage's seconds go to timings.json, for `make bench` to set beside the pipeline's.

Run: python -m bench.floor SOURCES OUT [AS_OF]
"""

import time

STARTED = time.perf_counter()

import datetime as dt  # noqa: E402  (the clock starts before any import, as the pipeline's does)
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import docx  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import pycountry  # noqa: E402

TEXT, INT, DEC, DAY, CODES, INTS, CODE = "text", "int", "dec", "day", "codes", "ints", "code"
# Each table: its family folder and its columns (name, type, required), as docs/contract.md states them.
TABLES = {
    "reviews": ("regional_reviews", [("review_id", TEXT, 1), ("cycle", TEXT, 1), ("region", TEXT, 1),
                ("commission", TEXT, 1), ("start_date", DAY, 1), ("end_date", DAY, 1), ("venue", TEXT, 1),
                ("format", TEXT, 1), ("member_states_participating", INT, 1), ("stakeholders_participating", INT, 0),
                ("outcome_document", TEXT, 0)]),
    "review_participants": ("regional_reviews", [("review_id", TEXT, 1), ("iso3", CODE, 1)]),
    "review_findings": ("regional_reviews", [("review_id", TEXT, 1), ("objective", INT, 1), ("finding", TEXT, 1),
                        ("text", TEXT, 1)]),
    "review_recommendations": ("regional_reviews", [("review_id", TEXT, 1), ("number", INT, 1), ("text", TEXT, 1),
                               ("objectives", INTS, 0)]),
    "contributions": ("mptf", [("contributor", TEXT, 1), ("contributor_iso3", CODE, 0), ("year", INT, 1),
                      ("commitment_usd", DEC, 1), ("deposit_usd", DEC, 1)]),
    "joint_programmes": ("mptf", [("programme_id", TEXT, 1), ("title", TEXT, 1), ("countries", CODES, 1),
                         ("thematic_area", INT, 1), ("participating_organizations", CODES, 1),
                         ("approved_on", DAY, 1), ("start_date", DAY, 0), ("end_date", DAY, 0),
                         ("budget_usd", DEC, 1), ("status", TEXT, 1)]),
    "transfers": ("mptf", [("programme_id", TEXT, 1), ("organization", TEXT, 1), ("year", INT, 1),
                  ("net_funded_usd", DEC, 1), ("expenditure_usd", DEC, 1)]),
    "iati_activities": ("mptf", [("iati_identifier", TEXT, 1), ("programme_id", TEXT, 1)]),
    "concept_notes": ("mptf", [("note_id", TEXT, 1), ("submitted_on", DAY, 1), ("countries", CODES, 1),
                      ("thematic_area", INT, 1), ("status", TEXT, 1), ("programme_id", TEXT, 0)]),
    "targets": ("mptf", [("year", INT, 1), ("capitalization_target_usd", DEC, 1)]),
    "country_networks": ("country_networks", [("network_id", TEXT, 1), ("level", TEXT, 1), ("iso3", CODE, 0),
                         ("name", TEXT, 1), ("established_on", DAY, 1), ("closed_on", DAY, 0)]),
    "champions": ("country_networks", [("iso3", CODE, 1), ("joined_on", DAY, 1), ("left_on", DAY, 0)]),
    "calendar": ("", [("date", DAY, 1), ("kind", TEXT, 1), ("title", TEXT, 1), ("tentative", TEXT, 1),
                 ("data_cutoff", DAY, 0)]),
}  # fmt: skip
REGIONS = {
    "Africa": "ECA",
    "Arab region": "ESCWA",
    "Asia and the Pacific": "ESCAP",
    "Europe and North America": "ECE",
    "Latin America and the Caribbean": "ECLAC",
}
ISO3 = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
KEYS = {
    "reviews": ["review_id"],
    "review_participants": ["review_id", "iso3"],
    "review_recommendations": ["review_id", "number"],
    "joint_programmes": ["programme_id"],
    "iati_activities": ["iati_identifier"],
    "concept_notes": ["note_id"],
    "targets": ["year"],
    "country_networks": ["network_id"],
    "champions": ["iso3"],
    "calendar": ["date", "kind", "title"],
}
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


def files_of(root: Path, name: str, family: str) -> list[Path]:
    folder = root / family if family else root
    found = sorted(p for p in folder.rglob(f"{name}*.csv") if p.stem == name or p.stem.startswith(name + "-"))
    return found + (sorted(folder.rglob("*.xlsx")) if family else [])


ARROW = {INT: pa.int64(), DEC: pa.float64(), DAY: pa.date32()}


def read(path: Path, name: str, columns: list) -> pd.DataFrame | None:
    """A file's rows, typed: a CSV by pyarrow as it parses (lists as text, split later), a sheet by openpyxl."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig") as handle:
            header = [h.strip().strip('"') for h in handle.readline().strip().split(",")]
        types = {c: ARROW.get(kind, pa.string()) for c, kind, _ in columns if c in header}
        options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True, include_columns=list(types))
        frame = pacsv.read_csv(path, convert_options=options).to_pandas(date_as_object=False)
    else:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = next((s for s in book.sheetnames if s.strip().lower() == name), None)
        if sheet is None:
            return None
        rows = list(book[sheet].iter_rows(values_only=True))
        book.close()
        cells = [[None if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else str(v) for v in r]
                 for r in rows[1:] if any(v is not None for v in r)]  # fmt: skip
        frame = typed(pd.DataFrame(cells, columns=[str(h) for h in rows[0]], dtype="string"), columns)
    frame["source_file"] = path.name
    frame["source_line"] = range(2, len(frame) + 2)
    return frame


def typed(frame: pd.DataFrame, columns: list) -> pd.DataFrame:
    """Text cells as the contract's types (a workbook's); every column present, lists split."""
    out = {}
    for name, kind, _ in columns:
        values = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="object")
        text = (
            values.astype("string").str.strip().replace("", pd.NA)
            if values.dtype != "object" or len(values)
            else values
        )
        if kind == INT:
            out[name] = pd.to_numeric(text, errors="raise").astype("Int64")
        elif kind == DEC:
            out[name] = pd.to_numeric(text, errors="raise").astype("float64")
        elif kind == DAY:
            out[name] = pd.to_datetime(text, format="%Y-%m-%d", errors="raise")
        else:
            out[name] = text
    return pd.DataFrame(out, index=frame.index)


def with_lists(frame: pd.DataFrame, columns: list) -> pd.DataFrame:
    for name, kind, _ in columns:
        if kind in (CODES, INTS):
            items = frame[name].astype("string").str.replace(r"\s*;\s*", ";", regex=True).str.strip(";").str.split(";")
            frame[name] = (
                items.map(lambda v: [int(x) for x in v] if isinstance(v, list) else v) if kind == INTS else items
            )
    return frame


def broken_rules(t: dict) -> list[str]:
    """The contract's rules, each as a plain pandas check; the names of those some row breaks."""
    broken = []

    def rule(table: str, name: str, bad) -> None:
        if bool(pd.Series(bad).fillna(False).any()):
            broken.append(f"{table}: {name}")

    def items(series: pd.Series) -> pd.Series:
        return series.explode().dropna()

    for name, (_, columns) in TABLES.items():
        frame = t[name]
        for column, kind, required in columns:
            values = frame[column]
            if required:
                rule(name, f"{column} required", values.isna())
            if kind in (TEXT, CODE):
                rule(name, f"{column} control", values.str.contains(CONTROL, regex=True))
            if kind == CODE:
                rule(name, f"{column} ISO", ~values.dropna().isin(ISO3))
            if kind == CODES and column == "countries":
                rule(name, f"{column} ISO", ~items(values).isin(ISO3))
            if kind == CODES:
                rule(name, f"{column} control", items(values).str.contains(CONTROL, regex=True))
        key = KEYS.get(name)
        if key:
            rule(name, "key", frame.duplicated(key))
    r = t["reviews"]
    rule("reviews", "cycle", ~r["cycle"].str.fullmatch(r"\d{4}-\d{4}"))
    rule("reviews", "region", ~r["region"].isin(REGIONS))
    rule("reviews", "commission", r["region"].map(REGIONS) != r["commission"])
    rule("reviews", "end_date", r["end_date"] < r["start_date"])
    rule("reviews", "format", ~r["format"].isin(["in person", "virtual", "hybrid"]))
    rule("reviews", "member states", r["member_states_participating"] < 0)
    rule("reviews", "stakeholders", r["stakeholders_participating"] < 0)
    reviews = set(r["review_id"])
    for name in ("review_participants", "review_findings", "review_recommendations"):
        rule(name, "review_id", ~t[name]["review_id"].isin(reviews))
    f = t["review_findings"]
    rule("review_findings", "objective", ~f["objective"].between(1, 23))
    rule("review_findings", "finding", ~f["finding"].isin(["progress", "challenge", "priority"]))
    rec = t["review_recommendations"]
    rule("review_recommendations", "number", rec["number"] < 1)
    rule("review_recommendations", "objectives", ~items(rec["objectives"]).astype(int).between(1, 23))
    c = t["contributions"]
    rule("contributions", "year", c["year"] < 2018)
    rule("contributions", "amounts", (c["commitment_usd"] < 0) | (c["deposit_usd"] < 0))
    p = t["joint_programmes"]
    programmes = set(p["programme_id"])
    rule("joint_programmes", "thematic_area", ~p["thematic_area"].between(1, 5))
    rule("joint_programmes", "end_date", p["end_date"] < p["start_date"])
    rule("joint_programmes", "budget", p["budget_usd"] <= 0)
    statuses = ["approved", "ongoing", "operationally closed", "financially closed"]
    rule("joint_programmes", "status", ~p["status"].isin(statuses))
    tr = t["transfers"]
    rule("transfers", "programme_id", ~tr["programme_id"].isin(programmes))
    rule("transfers", "amounts", (tr["net_funded_usd"] < 0) | (tr["expenditure_usd"] < 0))
    rule("iati_activities", "programme_id", ~t["iati_activities"]["programme_id"].isin(programmes))
    n = t["concept_notes"]
    note_statuses = ["received", "positively assessed", "prioritized", "funded", "not retained"]
    rule("concept_notes", "thematic_area", ~n["thematic_area"].between(1, 5))
    rule("concept_notes", "status", ~n["status"].isin(note_statuses))
    rule("concept_notes", "programme_id required", n["programme_id"].isna() & (n["status"] == "funded"))
    rule("concept_notes", "programme_id", ~n["programme_id"].dropna().isin(programmes))
    rule("targets", "target", t["targets"]["capitalization_target_usd"] <= 0)
    cn = t["country_networks"]
    rule("country_networks", "level", ~cn["level"].isin(["country", "regional"]))
    rule("country_networks", "iso3 required", cn["iso3"].isna() & (cn["level"] == "country"))
    rule("country_networks", "closed_on", cn["closed_on"] < cn["established_on"])
    ch = t["champions"]
    rule("champions", "left_on", ch["left_on"] < ch["joined_on"])
    cal = t["calendar"]
    rule("calendar", "kind", ~cal["kind"].isin(["imrf", "sg_report", "regional_review", "input_due"]))
    rule("calendar", "tentative", ~cal["tentative"].isin(["yes", "no"]))
    return broken


def key_figures(t: dict, as_of: dt.date) -> dict:
    """Every key figure as of D, from the contract's definitions (docs/contract.md, "Key figures")."""
    day, year = pd.Timestamp(as_of), as_of.year

    def open_on(frame, start, end):
        return frame[(frame[start] <= day) & ~(frame[end] <= day).fillna(False)]

    networks = open_on(t["country_networks"], "established_on", "closed_on")
    country = networks[networks["level"] == "country"]
    champions = open_on(t["champions"], "joined_on", "left_on")
    reviews = t["reviews"][t["reviews"]["end_date"] <= day]
    participants = t["review_participants"][t["review_participants"]["review_id"].isin(reviews["review_id"])]
    contributions = t["contributions"][t["contributions"]["year"] <= year]
    this_year = contributions[contributions["year"] == year]["deposit_usd"].sum()
    targets = t["targets"][t["targets"]["year"] == year]["capitalization_target_usd"]
    target = float(targets.iloc[0]) if len(targets) else None
    programmes = t["joint_programmes"][t["joint_programmes"]["approved_on"] <= day]
    areas = programmes["thematic_area"].value_counts()
    most = int(min(areas.index, key=lambda a: (-areas[a], a))) if len(areas) else None
    notes = t["concept_notes"][t["concept_notes"]["submitted_on"] <= day]
    transfers = t["transfers"][t["transfers"]["year"] <= year]
    funded, spent = transfers["net_funded_usd"].sum(), transfers["expenditure_usd"].sum()
    return {
        "country_networks": len(country),
        "regional_networks": int((networks["level"] == "regional").sum()),
        "champion_countries": len(champions),
        "champion_countries_with_network": int(champions["iso3"].isin(country["iso3"]).sum()),
        "regional_reviews_held": len(reviews),
        "member_states_in_reviews": int(participants["iso3"].nunique()),
        "reviews_in_person_or_hybrid": int(reviews["format"].isin(["in person", "hybrid"]).sum()),
        "mptf_contributors": int(contributions[contributions["deposit_usd"] > 0]["contributor"].nunique()),
        "mptf_deposits_total_usd": float(contributions["deposit_usd"].sum()),
        "mptf_commitments_total_usd": float(contributions["commitment_usd"].sum()),
        "mptf_deposits_year_usd": float(this_year),
        "mptf_target_year_usd": target,
        "mptf_deposits_year_share_of_target": float(this_year) / target if target else None,
        "mptf_joint_programmes": len(programmes),
        "mptf_joint_programmes_budget_usd": float(programmes["budget_usd"].sum()),
        "mptf_thematic_areas_covered": int(programmes["thematic_area"].nunique()),
        "mptf_most_common_thematic_area": most,
        "mptf_concept_notes_received": len(notes),
        "mptf_pipeline": int(notes["status"].isin(["positively assessed", "prioritized"]).sum()),
        "mptf_pipeline_prioritized": int((notes["status"] == "prioritized").sum()),
        "mptf_net_funded_usd": float(funded),
        "mptf_expenditure_usd": float(spent),
        "mptf_delivery_rate": float(spent / funded) if len(transfers) and funded else None,
    }


def report_tables(t: dict, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The report's tables, as of D: reviews, contributions and transfers by year, programmes by area."""
    day, year = pd.Timestamp(as_of), as_of.year
    reviews = t["reviews"][t["reviews"]["end_date"] <= day]
    contributions = t["contributions"][t["contributions"]["year"] <= year]
    transfers = t["transfers"][t["transfers"]["year"] <= year]
    programmes = t["joint_programmes"][t["joint_programmes"]["approved_on"] <= day]
    return {
        "regional_reviews": reviews[["commission", "region", "start_date", "venue", "format"]],
        "contributions_by_year": contributions.groupby("year")[["commitment_usd", "deposit_usd"]].sum().reset_index(),
        "transfers_by_year": transfers.groupby("year")[["net_funded_usd", "expenditure_usd"]].sum().reset_index(),
        "programmes_by_area": programmes.groupby("thematic_area")["budget_usd"].agg(["count", "sum"]).reset_index(),
    }


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


def report(figures: dict, tables: dict[str, pd.DataFrame], t: dict, path: Path) -> None:
    document = docx.Document()
    document.add_heading("Implementation of the Global Compact for Safe, Orderly and Regular Migration", 0)
    for name, value in figures.items():
        document.add_paragraph(f"{name}: {value:,.3f}" if value is not None else f"{name}: none")
    for frame in tables.values():
        table = document.add_table(rows=1, cols=len(frame.columns))
        for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
            cell.text = str(name)
        for row in frame.itertuples(index=False):
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = str(value)
    by_year, by_area = tables["contributions_by_year"], tables["programmes_by_area"]
    document.add_picture(chart(lambda a: a.bar(by_year["year"].astype(str), by_year["deposit_usd"])))
    document.add_picture(chart(lambda a: a.barh(by_area["thematic_area"].astype(str), by_area["count"])))
    nets = t["country_networks"].sort_values("established_on")
    document.add_picture(chart(lambda a: a.plot(nets["established_on"], range(1, len(nets) + 1))))
    temporary = path.with_suffix(".tmp")
    document.save(str(temporary))
    os.replace(temporary, path)


def main(sources: Path, out: Path, as_of: dt.date, imported: float | None = None) -> dict:
    """The floor's run; returns the key figures. Writes timings.json: seconds by the pipeline's stages."""
    stages = {"imports": (imported or time.perf_counter()) - STARTED}
    clock = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    t = {}
    for name, (family, columns) in TABLES.items():
        parts = [f for f in (read(p, name, columns) for p in files_of(sources, name, family)) if f is not None]
        rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["source_file", "source_line"])
        missing = [c for c, _, _ in columns if c not in rows]
        rows = typed(rows, [c for c in columns if c[0] in missing]).join(rows) if missing else rows
        t[name] = with_lists(rows[[c for c, _, _ in columns] + ["source_file", "source_line"]], columns)
    for name, frame in t.items():
        write_atomically(pa.Table.from_pandas(frame, preserve_index=False), out / f"{name}.parquet")
    stages["ingest"], clock = time.perf_counter() - clock, time.perf_counter()
    broken = broken_rules(t)
    if broken:
        sys.exit(f"floor: rules broken: {broken}")
    stages["validation"], clock = time.perf_counter() - clock, time.perf_counter()
    figures, tables = key_figures(t, as_of), report_tables(t, as_of)
    (out / "key_figures.json").write_text(json.dumps(figures, indent=1))
    stages["derive"], clock = time.perf_counter() - clock, time.perf_counter()
    report(figures, tables, t, out / "floor.docx")
    stages["report"] = time.perf_counter() - clock
    (out / "timings.json").write_text(json.dumps(stages | {"orchestration": 0.0}, indent=1))
    return figures


if __name__ == "__main__":
    imported_at = time.perf_counter()
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        dt.date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else dt.date.today(),
        imported_at,
    )
