"""Derive: the key figures and the tables and series the report shows, as of the reference date."""

from assets.derive.key_figures import key_figures
from assets.derive.tables import report_tables

__all__ = ["key_figures", "report_tables"]
