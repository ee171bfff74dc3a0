"""The pipeline's assets, one module per stage: ingest, derive, report."""
