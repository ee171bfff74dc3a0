"""The validation area: the contract's rules and warnings as asset checks on the staged tables, and the
publication of the set that passed them."""

import dagster as dg

from assets.validate.contract_checks import VALIDATION_CHECKS
from assets.validate.published_assets import published_tables

defs = dg.Definitions(assets=[published_tables], asset_checks=VALIDATION_CHECKS)
