"""The report area: the draft of each edition, and the sensor on the drafters' template."""

import dagster as dg

from assets.report.draft_assets import draft_report
from assets.report.template_sensor import report_template_files

defs = dg.Definitions(assets=[draft_report], sensors=[report_template_files])
