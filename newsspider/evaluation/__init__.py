"""Scoring parsers against labelled pages: `newsspider eval CASES.jsonl`.

metrics.py holds the pure metric functions, cases.py reads case files, run.py runs
extractors (ours and, for comparison, trafilatura) and reports.
"""
