"""IATI activity files as a source of the Fund's money: the Fund's identifiers and the reporting organizations'
names (iati.toml, public reference data), which transactions count, and how an activity mapped to a joint
programme (iati_activities) joins the programme's transfers.

Counted, in the year of the value's date and from that day: a transaction of type 1 (incoming funds) from the
Fund as net funded, one of type 4 (expenditure) as expenditure. Every other type is kept, not counted.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.contract.rows import Frames

REFERENCE = tomllib.loads(Path(__file__).with_name("iati.toml").read_text(encoding="utf-8"))
INCOMING_FUNDS, EXPENDITURE = 1, 4
# IATI's TransactionType codelist (https://iatistandard.org/en/iati-standard/203/codelists/transactiontype/).
TRANSACTION_TYPES = {
    "1": "Incoming Funds",
    "2": "Outgoing Commitment",
    "3": "Disbursement",
    "4": "Expenditure",
    "5": "Interest Payment",
    "6": "Loan Repayment",
    "7": "Reimbursement",
    "8": "Purchase of Equity",
    "9": "Sale of Equity",
    "10": "Credit Guarantee",
    "11": "Incoming Commitment",
    "12": "Outgoing Pledge",
    "13": "Incoming Pledge",
}
LINEAGE = ["source_file", "source_sheet", "source_line"]


def _key(name: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", name.casefold()).split())


@dataclass(frozen=True)
class Fund:
    gateway_code: str
    refs: frozenset[str]
    names: frozenset[str]  # as `_key` makes them: any letter case, spacing and punctuation matches


FUND = Fund(
    REFERENCE["fund"]["gateway_code"],
    frozenset(REFERENCE["fund"]["refs"]),
    frozenset(_key(n) for n in REFERENCE["fund"]["names"]),
)
ORGANIZATIONS: dict[str, str] = dict(REFERENCE["organizations"])
DAC_CHANNEL = re.compile(r"^\d{5}$")  # a bare channel code, as some publishers write XM-DAC-41122


def organization(ref: str | None) -> str | None:
    """The contract's name of a reporting organization, by its IATI identifier."""
    ref = (ref or "").strip()
    return ORGANIZATIONS.get(f"XM-DAC-{ref}" if DAC_CHANNEL.match(ref) else ref)


def is_fund(ref: str | None, name: str | None) -> bool:
    """Whether an organization (a participating-org, a provider-org) is the Fund, by its ref or its name."""
    return bool(ref and ref.strip() in FUND.refs) or bool(name and _key(name) in FUND.names)


def counted(transactions: pd.DataFrame) -> pd.DataFrame:
    """The transactions that count: incoming funds from the Fund, and expenditure."""
    kind = transactions["transaction_type"]
    return transactions[((kind == INCOMING_FUNDS) & (transactions["from_fund"] == "yes")) | (kind == EXPENDITURE)]


def mapped(transactions: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """The counted transactions of activities mapped to a joint programme, with the programme and its year."""
    rows = counted(transactions).merge(
        mapping[["iati_identifier", "programme_id"]], on="iati_identifier", how="inner", validate="many_to_one"
    )
    return rows.assign(year=rows["value_date"].dt.year.astype("int64"))


def iati_transfers(transactions: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """The transfers mapped activities give, one row per transaction counted, in transfers' columns with the
    value's date and the transaction's lineage (its file and line)."""
    rows = mapped(transactions, mapping)
    funded = rows["transaction_type"] == INCOMING_FUNDS
    lineage = [c for c in LINEAGE if c in rows]
    return pd.DataFrame(
        {
            "programme_id": rows["programme_id"],
            "organization": rows["organization"],
            "year": rows["year"],
            "net_funded_usd": rows["value_usd"].where(funded, 0.0),
            "expenditure_usd": rows["value_usd"].where(~funded, 0.0),
            "value_date": rows["value_date"],
            **{c: rows[c] for c in lineage},
        }
    )


def counted_twice(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Transactions of a mapped activity whose programme, organization and year transfers' own rows give too:
    the same money would be counted twice. Each with where the mapping and the transfers row are."""
    mapping = t["iati_activities"].rename(columns={"source_file": "mapping_file", "source_line": "mapping_line"})
    rows = mapped(t["iati_transactions"], mapping[["iati_identifier", "programme_id", "mapping_file", "mapping_line"]])
    rows = rows.merge(mapping[["iati_identifier", "mapping_file", "mapping_line"]], on="iati_identifier")
    given = t["transfers"][["programme_id", "organization", "year", "source_file", "source_line"]]
    given = given.drop_duplicates(["programme_id", "organization", "year"]).rename(
        columns={"source_file": "transfers_file", "source_line": "transfers_line"}
    )
    return rows.merge(given, on=["programme_id", "organization", "year"]).drop_duplicates(["iati_identifier", "year"])


def unmapped(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Activities funded by the Fund that no row of iati_activities maps: their first transaction."""
    transactions = t["iati_transactions"]
    rows = transactions[~transactions["iati_identifier"].isin(t["iati_activities"]["iati_identifier"])]
    return rows.drop_duplicates("iati_identifier").fillna({"activity_title": "no title"})


def absent(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Rows of iati_activities naming an activity no IATI file read gives a transaction of."""
    mapping = t["iati_activities"]
    return mapping[~mapping["iati_identifier"].isin(t["iati_transactions"]["iati_identifier"])]


def co_funded(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Expenditure of a mapped activity that others fund beside the Fund: the activity's, not the Fund's alone."""
    rows = mapped(t["iati_transactions"], t["iati_activities"])
    others = pd.Series([_listed(names) for names in rows["other_funders"]], index=rows.index, dtype=bool)
    spent = rows[(rows["transaction_type"] == EXPENDITURE) & others].drop_duplicates("iati_identifier")
    return spent.assign(funders=[", ".join(names) for names in spent["other_funders"]])


def _listed(names) -> bool:
    return isinstance(names, list) and len(names) > 0
