"""A run's life: the crawl, its counts and page accounting, field coverage, the health alarm, the crawl_runs row.

Kept empty of imports: the store pipeline and the spiders import runs.counts, and runs.recorder
imports the store pipeline, so a package that loaded its modules would import itself back.
"""
