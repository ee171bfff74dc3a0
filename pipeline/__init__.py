"""Orchestration: the source contract, settings, the warehouse, readers and the CLI."""
