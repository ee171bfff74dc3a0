"""Publication: the staged set becomes the published one only when every table passed every blocking check
of its last validation; with it, the files behind it and the validation results. A failing blocking check
does not stop Dagster from recording the checked asset, which is why ingest only stages and this refuses
a set in which any staged table has not passed its checks."""

from __future__ import annotations

import pyarrow as pa

from pipeline.contract import TABLES
from pipeline.store import Store
from pipeline.store.files import exists, read_table
from pipeline.validation.rules import ERROR
from pipeline.validation.verdicts import CONTRACT_CHECK, WARNINGS_CHECK, failed_rules, stamp_of

SOURCE_FILES, VALIDATION_RESULTS = "source_files", "validation_results"


class NotPublishable(Exception):
    pass


def collect_results(store: Store) -> pa.Table:
    """The latest results of every table's checks; refuses a set that has not passed them all."""
    parts, refusals = [], []
    for name in TABLES:
        path = store.staging.check_results(name, CONTRACT_CHECK)
        staged = store.staging.path(name)
        if not exists(path) or not exists(staged):
            refusals.append(f"{name}: not yet ingested and validated")
            continue
        results = read_table(path)
        if set(results.column("staged_by_run").to_pylist()) != {stamp_of(staged)}:
            refusals.append(f"{name}: the staged table changed after it was validated; validate it again")
        failed = [r["rule"] for r in failed_rules(results, ERROR)]
        if failed:
            refusals.append(f"{name}: blocking rules failed when it was last validated: {', '.join(failed)}")
        parts.append(results)
        warnings = store.staging.check_results(name, WARNINGS_CHECK)
        if exists(warnings):
            parts.append(read_table(warnings))
    if refusals:
        raise NotPublishable("Not published:\n" + "\n".join(f"  {r}" for r in refusals))
    return pa.concat_tables(parts)


def publish(store: Store) -> tuple[pa.Table, pa.Table]:
    """Publish the staged set if it passed every blocking check: the tables, the files behind them and
    the validation results. Returns the files and the results."""
    results = collect_results(store)
    published = store.published
    published.keep()
    registers = [store.archive.read_register(name) for name in TABLES]
    files = pa.concat_tables(registers).sort_by([("path", "ascending"), ("table", "ascending")])
    with published.publication():
        for name in TABLES:
            # A table validated in an earlier run and not read again since is already published as it is.
            staged = store.staging.path(name)
            if not published.exists(name) or stamp_of(staged) != stamp_of(published.path(name)):
                published.publish_staged(name, staged)
        published.write(SOURCE_FILES, files)
        published.write(VALIDATION_RESULTS, results)
    return files, results
