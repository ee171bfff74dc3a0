"""What the prose's placeholders stand for, each with where it came from."""

import datetime as dt

import pandas as pd
import pyarrow as pa

from assets.report import un_style
from assets.report.narrative import Block, Provenance, Run, Value
from pipeline.contract import KEY_FIGURES
from pipeline.reference import CLUSTERS, OBJECTIVES

SHA_SHOWN = 12
FINDING_WORDS = {
    "progress": ("finding of progress", "findings of progress"),
    "challenge": ("challenge", "challenges"),
    "priority": ("priority", "priorities"),
}


def file_labels(source_files: pa.Table) -> dict[str, str]:
    """`path (SHA-256 1a2b3c4d5e6f)` for every file behind the published tables."""
    return {row["path"]: f"{row['path']} (SHA-256 {row['sha256'][:SHA_SHOWN]})" for row in source_files.to_pylist()}


def key_figure_values(figures: pa.Table) -> dict[str, Value]:
    values = {}
    for row in figures.to_pylist():
        figure = KEY_FIGURES[row["figure"]]
        provenance = Provenance(
            row["figure"],
            figure.definition,
            tuple(row["source_tables"]),
            tuple(row["source_files"]),
            row["rows_counted"],
        )
        values[row["figure"]] = Value(un_style.figure(row["value"], row["unit"]), provenance)
    return values


def _provenance(name: str, definition: str, derived_provenance: dict) -> Provenance:
    return Provenance(
        name,
        definition,
        tuple(derived_provenance["source_tables"]),
        tuple(derived_provenance["source_files"]),
        derived_provenance["rows_counted"],
    )


def derived_values(
    derived: dict[str, tuple[pd.DataFrame, dict]], figures: pa.Table, as_of: dt.date
) -> dict[str, Value]:
    """Facts the prose states beyond the key figures: lists, shares, the reviews to come."""
    values: dict[str, Value] = {}
    reviews, provenance = derived["regional_reviews"]
    held, coming = reviews[reviews["held"]], reviews[~reviews["held"]]

    def listed(rows: pd.DataFrame) -> str:
        items = [
            f"{r.commission} ({un_style.date_range(r.start_date.date(), r.end_date.date())})" for r in rows.itertuples()
        ]
        return un_style.series(items) or "none"

    values["reviews_held_list"] = Value(
        listed(held),
        _provenance("reviews_held_list", "regional reviews with end_date <= D, by start date", provenance),
    )
    values["reviews_scheduled_list"] = Value(
        listed(coming),
        _provenance("reviews_scheduled_list", "reviews of the current cycle with end_date > D", provenance),
    )
    values["reviews_in_person_or_hybrid"] = Value(
        un_style.count(int((held["format"] != "virtual").sum())),
        _provenance("reviews_in_person_or_hybrid", "reviews held, in person or hybrid", provenance),
    )
    by_figure = {row["figure"]: row for row in figures.to_pylist()}
    deposits, target = by_figure["mptf_deposits_year_usd"], by_figure["mptf_target_year_usd"]
    share = un_style.percent(deposits["value"], target["value"]) if target["value"] else "no share (no target set)"
    values["mptf_deposits_year_share_of_target"] = Value(
        share,
        Provenance(
            "mptf_deposits_year_share_of_target",
            "mptf_deposits_year_usd / mptf_target_year_usd",
            ("contributions", "targets"),
            tuple(sorted(set(deposits["source_files"]) | set(target["source_files"]))),
            deposits["rows_counted"] + target["rows_counted"],
        ),
    )
    funded, spent = by_figure["mptf_net_funded_usd"], by_figure["mptf_expenditure_usd"]
    values["mptf_expenditure_share"] = Value(
        un_style.percent(spent["value"], funded["value"]) if funded["value"] else "no share (nothing transferred)",
        Provenance(
            "mptf_expenditure_share",
            "mptf_expenditure_usd / mptf_net_funded_usd",
            ("transfers",),
            tuple(funded["source_files"]),
            funded["rows_counted"],
        ),
    )
    areas, area_provenance = derived["programmes_by_area"]
    top = areas.sort_values(["programmes", "thematic_area"], ascending=[False, True]).iloc[0]
    values["mptf_most_common_thematic_area"] = Value(
        f"thematic area {int(top['thematic_area'])}",
        _provenance(
            "mptf_most_common_thematic_area",
            "the thematic area with the most joint programmes",
            area_provenance,
        ),
    )
    return values


def plain_values(as_of: dt.date, config: dict) -> dict[str, Value]:
    return {
        "as_of": Value(un_style.date(as_of)),
        "year": Value(str(as_of.year)),
        "symbol": Value(config["symbol"]),
        "word_limit": Value(un_style.count(config["word_limit"])),
    }


def findings_paragraphs(derived: dict[str, tuple[pd.DataFrame, dict]]) -> list[Block]:
    """One paragraph per cluster of objectives: what the reviews found, where most often."""
    findings, provenance = derived["findings_by_cluster"]
    recommendations, rec_provenance = derived["recommendations_by_cluster"]
    blocks = []
    for cluster, (title, objectives) in CLUSTERS.items():
        rows = findings[findings["cluster"] == cluster]
        source = _provenance(
            f"findings_{cluster}",
            f"findings of the reviews held on objectives {un_style.series([str(o) for o in objectives])}",
            provenance,
        )
        recs = recommendations[recommendations["cluster"] == cluster]
        count = int(recs["recommendations"].sum()) if len(recs) else 0
        parts = [
            Run(
                f"On {title.lower()} (objectives {un_style.series([str(o) for o in objectives])}), the "
                "regional reviews recorded "
            )
        ]
        if rows.empty:
            parts.append(Run("no findings", provenance=source))
            parts.append(Run(" so far."))
        else:
            kinds = rows.groupby("finding")["findings"].sum()
            counted = [
                f"{un_style.count(int(kinds[k]))} {FINDING_WORDS[k][int(kinds[k]) != 1]}"
                for k in ("progress", "challenge", "priority")
                if k in kinds
            ]
            parts.append(Run(un_style.series(counted), provenance=source))
            parts.append(Run(". "))
            parts += _most_cited(rows, "progress", "Progress was reported most often on ")
            parts += _most_cited(rows, "challenge", "Challenges were raised most often on ")
            parts += _most_cited(rows, "priority", "Priorities for the next cycle include ")
        rec_source = _provenance(
            f"recommendations_{cluster}",
            f"recommendations of the reviews held naming objectives of cluster {cluster}",
            rec_provenance,
        )
        parts.append(Run("The reviews adopted "))
        parts.append(Run(un_style.count(count), provenance=rec_source))
        parts.append(Run(f" recommendation{'s' if count != 1 else ''} on these objectives."))
        blocks.append(Block("paragraph", parts, source=f"findings by cluster {cluster}"))
    return blocks


def _most_cited(rows: pd.DataFrame, kind: str, opening: str) -> list[Run]:
    of_kind = rows[rows["finding"] == kind]
    if of_kind.empty:
        return []
    top = of_kind.groupby("objective")["regions"].sum().sort_values(ascending=False, kind="stable").head(2)
    named = [f"{OBJECTIVES[int(o)][1].lower()} (objective {int(o)})" for o in top.index]
    return [Run(f"{opening}{un_style.series(named)}. ")]
