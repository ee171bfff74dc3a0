"""Validation, in one place.

    rules.py     the contract's rules as Great Expectations expectations, for validation, `sgr rules`
                 and docs/contract.md
    run.py       runs them on a staged table (GX suites), and the contract's warnings (pandas)
    verdicts.py  what they found: results, summaries, rejected files, and reuse while nothing changed

The rules and warnings themselves are declared in the contract (pipeline/contract/).
"""
