"""Running the parsers: within a time budget (budget.py) and in a pool of parser processes off the reactor (pool.py).

parsers/ holds the pure functions of (html, url, now); this room is how the crawl, extract and
reparse call them.
"""
