"""The ingest area: one asset per table of the source contract, staged a family at a time, and a sensor per
family of sources."""

import dagster as dg

from assets.ingest.ingest_assets import INGEST_ASSETS
from assets.ingest.source_sensors import SOURCE_SENSORS

defs = dg.Definitions(assets=INGEST_ASSETS, sensors=SOURCE_SENSORS)
