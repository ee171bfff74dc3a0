"""IATI activity files (`<iati-activities version="2.0x">`), read as rows of `iati_transactions`: one per
transaction of each activity funded by the Migration MPTF, as text cells for the contract to type
(cells.py), each row at the line of its `<transaction>`. Activities funded by others are counted, not kept.

Parsed as a stream (an activity at a time) without entities, DTDs or network: a file with a document type
declaration is refused, as IATI files have none. Attributes and elements in other namespaces (d-portal's
`dstore:`, the Datastore's `iati-extra:`) are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
from lxml import etree

from pipeline.contract import TABLES
from pipeline.contract.iati import TRANSACTION_TYPES, is_fund, organization
from pipeline.limits import Limits, beyond
from pipeline.problems import Problem
from pipeline.readers.sources import Sheet, SourceFile

VERSIONS = ("2.01", "2.02", "2.03")
FUNDING = "1"  # participating-org/@role: the organization funds the activity
USD = "USD"
INCOMING = ("1", "11", "13")  # incoming funds, commitment, pledge: money to the activity
TIMEZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")  # xsd:date may carry one; a day is a day
TABLE = TABLES["iati_transactions"]


@dataclass
class Activities:
    """What a file held: how many activities, how many funded by the Fund."""

    read: int = 0
    funded: int = 0
    rows: dict[str, list] = field(default_factory=lambda: {name: [] for name in TABLE.column_names})
    lines: list[int] = field(default_factory=list)

    @property
    def note(self) -> str:
        others = self.read - self.funded
        return (
            f"{self.read:,} {'activity' if self.read == 1 else 'activities'}: {self.funded:,} funded by the Fund, "
            f"{others:,} not funded by the Fund (not read)"
        )


def read(source: SourceFile, limit: Limits, problems: list[Problem]) -> Sheet | None:
    """The file's transactions of activities funded by the Fund, or None (and a problem) if it cannot be read."""
    found = Activities()
    before = len(problems)
    try:
        for event, element in etree.iterparse(
            str(source.readable),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            if event == "start" and element.getparent() is None:
                if not _root(source, element, problems):
                    return None
            elif event == "end" and element.tag == "iati-activity":
                found.read += 1
                _activity(source, element, found, limit, problems)
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # an activity at a time: earlier ones let go
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        problems.append(
            Problem(source.name, f"not well-formed XML ({_reason(error)}): is the file whole?", line=error.lineno)
        )
        return None
    if len(problems) > before:
        return None
    cells = pa.table({name: pa.array(values, pa.string()) for name, values in found.rows.items()})
    return Sheet(source, None, TABLE.column_names, cells, pa.array(found.lines, pa.int64()), found.note)


def _reason(error: etree.XMLSyntaxError) -> str:
    return re.sub(r", line \d+, column \d+$", "", str(error.msg or error)).strip()


def _root(source: SourceFile, root, problems: list[Problem]) -> bool:
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        problems.append(
            Problem(
                source.name,
                "a document type declaration (<!DOCTYPE>, where entities are declared) is refused: "
                "IATI files have none",
                line=1,
            )
        )
        return False
    if root.tag != "iati-activities":
        problems.append(
            Problem(
                source.name,
                f"not an IATI activity file: its root element is <{_plain_tag(root.tag)}>, not <iati-activities>",
                line=root.sourceline,
            )
        )
        return False
    version = (root.get("version") or "").strip()
    # An export that gathers several publishers' files (d-portal's) leaves the version to each activity.
    if version and version not in VERSIONS:
        problems.append(_version(source, version, root.sourceline))
        return False
    return True


def _version(source: SourceFile, version: str, line: int, activity: str = "") -> Problem:
    said = f"IATI version {version}" if version else "no IATI version (the version attribute)"
    return Problem(
        source.name,
        f"{activity}{said}: only IATI activity files of versions 2.01 to 2.03 are read; export the activities "
        "again in version 2.03",
        line=line,
        column="version",
        value=version or None,
    )


def _plain_tag(tag: str) -> str:
    return etree.QName(tag).localname if tag.startswith("{") else tag


def _text(element) -> str | None:
    """An element's first narrative (any language), or its own text (1.x habits kept by some publishers)."""
    if element is None:
        return None
    narrative = element.find("narrative")
    text = narrative.text if narrative is not None else element.text
    return " ".join(text.split()) if text and text.strip() else None


def _line(element, otherwise: int) -> int:
    return element.sourceline if element is not None else otherwise


def _org(element) -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    ref = (element.get("ref") or "").strip() or None
    return ref, _text(element)


def _activity(source: SourceFile, activity, found: Activities, limit: Limits, problems: list[Problem]) -> None:
    identifier = " ".join((activity.findtext("iati-identifier") or "").split()) or None
    transactions = activity.findall("transaction")
    funders = [_org(p) for p in activity.findall("participating-org") if (p.get("role") or "").strip() == FUNDING]
    providers = [_org(t.find("provider-org")) for t in transactions]
    if not any(is_fund(*org) for org in funders + providers):
        return
    found.funded += 1
    where = f"activity {identifier or '(no iati-identifier)'}"
    version = (activity.getparent().get("version") or activity.get("version") or "").strip()
    if version not in VERSIONS:
        problems.append(_version(source, version, activity.sourceline, f"{where}: "))
        return
    if identifier is None:
        problems.append(
            Problem(
                source.name,
                f"{where}: an activity funded by the Fund without its iati-identifier",
                line=activity.sourceline,
                column="iati_identifier",
            )
        )
        return
    reporting = activity.find("reporting-org")
    ref, name = _org(reporting)
    reporter = organization(ref)
    if reporter is None:
        problems.append(
            Problem(
                source.name,
                f"{where}: its reporting organization {ref or '(no ref)'} ({name or 'no name'}) "
                "is not in the identifier table of pipeline/contract/iati.toml: add it with the name "
                "transfers.organization uses",
                line=(reporting if reporting is not None else activity).sourceline,
                column="organization",
                value=ref,
            )
        )
        return
    title = _text(activity.find("title"))
    activity_texts = {"iati_identifier": identifier, "activity_title": title}
    long = [column for column, text in activity_texts.items() if text and len(text) > limit.field_chars]
    if long:
        too_long = beyond("a value", limit.field_kb, "KB", "field_kb")
        problems.append(Problem(source.name, f"{where}: {too_long}", line=activity.sourceline, column=long[0]))
        return
    # Funders beside the Fund and the publisher itself: the activity's expenditure is not the Fund's alone.
    others = [name or ref for ref, name in funders if not is_fund(ref, name) and organization(ref) != reporter]
    other_funders = ";".join(dict.fromkeys(o.replace(";", ",") for o in others if o)) or None
    only_the_fund = bool(funders) and all(is_fund(*org) for org in funders)
    default_currency = (activity.get("default-currency") or "").strip()
    for number, transaction in enumerate(transactions, start=1):
        said, line = f"{where}, transaction {number}", transaction.sourceline
        kind_element, value = transaction.find("transaction-type"), transaction.find("value")
        kind = (kind_element.get("code") or "").strip() if kind_element is not None else ""
        day = (value.get("value-date") or "").strip() if value is not None else ""
        currency = ((value.get("currency") if value is not None else None) or default_currency).strip()
        amount = (value.text or "").strip() if value is not None else ""
        broken = next(
            (
                check
                for check in (
                    (
                        kind not in TRANSACTION_TYPES,
                        f"transaction type {kind or '(none)'} is not a code of IATI's TransactionType list (1 to 13)",
                        kind_element,
                        "transaction_type",
                        kind or None,
                    ),
                    (
                        not day,
                        "the value has no value-date, which IATI requires: the year its money counts in",
                        value,
                        "value_date",
                        None,
                    ),
                    (
                        currency != USD,
                        f"the value is in {currency or 'no currency'} (neither the value nor the activity names US "
                        "dollars); the contract is in US dollars",
                        value,
                        "value_usd",
                        amount or None,
                    ),
                )
                if check[0]
            ),
            None,
        )
        if broken:
            _, rule, element, column, shown = broken
            problems.append(
                Problem(source.name, f"{said}: {rule}", line=_line(element, line), column=column, value=shown)
            )
            continue
        provider = _org(transaction.find("provider-org"))
        # Publishers often leave out the provider of incoming money: from the Fund if the Fund alone funds.
        from_fund = is_fund(*provider) or (provider == (None, None) and kind in INCOMING and only_the_fund)
        cells = {
            "iati_identifier": identifier,
            "activity_title": title,
            "organization": reporter,
            "transaction_number": str(number),
            "transaction_type": kind,
            "value_date": TIMEZONE.sub("", day),
            "value_usd": amount,
            "provider_org": provider[0] or provider[1],
            "from_fund": "yes" if from_fund else "no",
            "other_funders": other_funders,
        }
        long = [c for c, text in cells.items() if text and len(text) > limit.field_chars and c not in activity_texts]
        if long:
            problems.append(
                Problem(
                    source.name,
                    f"{said}: " + beyond("a value", limit.field_kb, "KB", "field_kb"),
                    line=line,
                    column=long[0],
                )
            )
            continue
        for column, text in cells.items():
            found.rows[column].append(text)
        found.lines.append(line)
