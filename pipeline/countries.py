"""Country names as a UN document writes them (M49 / UNTERM short names).

pycountry gives ISO English names, which differ from the UN's for about twenty countries;
the exceptions are the UN's own short names (M49, UNTERM). XKX is the code the UN system uses for
Kosovo, which pycountry does not know.
"""

from __future__ import annotations

import pycountry

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


# UN M49 regions (the Statistics Division's standard country or area codes for statistical use).
M49_REGIONS = {
    "Africa": """DZA EGY LBY MAR SDN TUN ESH IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD
        UGA TZA ZMB ZWE AGO CMR CAF TCD COG COD GNQ GAB STP BWA SWZ LSO NAM ZAF BEN BFA CPV CIV GMB GHA GIN GNB LBR
        MLI MRT NER NGA SHN SEN SLE TGO""",
    "Americas": """AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA LCA MAF VCT SXM
        TTO TCA VIR BLZ CRI SLV GTM HND MEX NIC PAN ARG BOL BVT BRA CHL COL ECU FLK GUF GUY PRY PER SGS SUR URY VEN
        BMU CAN GRL SPM USA""",
    "Asia": """KAZ KGZ TJK TKM UZB CHN HKG MAC PRK JPN MNG KOR TWN BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM AFG BGD
        BTN IND IRN MDV NPL PAK LKA ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU PSE SYR TUR ARE YEM""",
    "Europe": """BLR BGR CZE HUN POL MDA ROU RUS SVK UKR ALA DNK EST FRO FIN GGY ISL IRL IMN JEY LVA LTU NOR SJM SWE GBR
        ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP XKX AUT BEL FRA DEU LIE LUX MCO NLD CHE""",
    "Oceania": """AUS CXR CCK HMD NZL NFK FJI NCL PNG SLB VUT GUM KIR MHL FSM NRU MNP PLW UMI ASM COK PYF NIU PCN WSM
        TKL TON TUV WLF ATA""",
}
REGION_OF_COUNTRY = {code: region for region, codes in M49_REGIONS.items() for code in codes.split()}


def region_of(code: str) -> str:
    return REGION_OF_COUNTRY.get(code, "Unknown")
