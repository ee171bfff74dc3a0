"""The derive area: the key figures and the report tables of each edition."""

import dagster as dg

from assets.derive.derived_assets import key_figures, report_tables

defs = dg.Definitions(assets=[key_figures, report_tables])
