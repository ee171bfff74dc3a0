"""Where a run's steps execute: in the run's own process unless SGR_EXECUTOR=celery, when each step goes to a
Celery worker through the broker SGR_CELERY_BROKER (redis://host:port/0), each worker sharing with the
launcher only the Dagster instance (PostgreSQL in a deployment) and the data folder."""

import os

import dagster as dg


def executor() -> dg.ExecutorDefinition:
    if os.environ.get("SGR_EXECUTOR", "in_process") == "in_process":
        # Multiprocess would re-import the whole stack for every step (33 s against 1.3 s here).
        return dg.in_process_executor
    from dagster_celery import celery_executor

    broker = os.environ["SGR_CELERY_BROKER"]
    return celery_executor.configured({"broker": broker, "backend": broker})
