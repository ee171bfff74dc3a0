"""The Dagster definitions, by area, in the order the data flows:

    ingest/        one asset per source table, staged a family at a time; a sensor per family of sources
    comments/      the reviewers' comments of returned drafts; the sensor on sources/returned/
    validate/      the contract's rules and warnings as asset checks; the publication of the set
    derive/        the key figures and report tables of each edition
    report/        the draft of each edition; the sensor on the drafters' template
    translations/  the drafts in the other official languages: a code location of their own

An area names another's assets by their keys (keys.py), never by importing its modules. Beside them, what
they share: resources.py (settings, the data folder's lock, the run's dates), partitions.py (the editions),
file_sensors.py (change detection), automation.py, executor.py, previews.py; and what cuts across them:
refresh_schedule.py and definitions.py, which merges the areas. The domain they call is pipeline/.
"""
