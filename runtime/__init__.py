"""The runtime: what starts and runs the pipeline.

cli.py        `sgr draft`, `sgr comments`, `sgr rules`, `sgr contract`
instance.py   the Dagster instance's configuration (dagster.yaml), installed into $DAGSTER_HOME
launcher.py   the run server of `make dev`: runs forked from a process that has imported everything
worker.py     the validation worker `sgr draft` forks before Dagster starts
"""
