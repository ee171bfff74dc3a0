"""Country names as a UN document writes them (M49 / UNTERM short names).

pycountry gives ISO English names, which differ from the UN's for about twenty countries;
the exceptions come from shared/reference/gcm.md. XKX is the code the UN system uses for
Kosovo, which pycountry does not know.
"""

from __future__ import annotations

import pycountry

KOSOVO_FOOTNOTE = (
    "References to Kosovo shall be understood to be in the context of Security Council resolution 1244 (1999)."
)

UN_SHORT_NAMES = {
    "BOL": "Bolivia (Plurinational State of)",
    "IRN": "Iran (Islamic Republic of)",
    "VEN": "Venezuela (Bolivarian Republic of)",
    "FSM": "Micronesia (Federated States of)",
    "NLD": "Netherlands (Kingdom of the)",
    "GBR": "United Kingdom of Great Britain and Northern Ireland",
    "USA": "United States of America",
    "MDA": "Republic of Moldova",
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "TZA": "United Republic of Tanzania",
    "COD": "Democratic Republic of the Congo",
    "PSE": "State of Palestine",
    "LAO": "Lao People's Democratic Republic",
    "SYR": "Syrian Arab Republic",
    "RUS": "Russian Federation",
    "VNM": "Viet Nam",
    "TUR": "Türkiye",
    "CZE": "Czechia",
    "CIV": "Côte d'Ivoire",
    "CPV": "Cabo Verde",
    "XKX": "Kosovo",
}


ISO3_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}


def un_name(code: str) -> str:
    if code in UN_SHORT_NAMES:
        return UN_SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise KeyError(f"{code!r} is not an ISO 3166-1 alpha-3 code")
    return country.name
