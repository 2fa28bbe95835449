"""BILD (www.bild.de): the site as data, the second worked example of a site package.

Only parser.py reads anything: the generic spider crawls it (no spider.py), and its dates,
authors and body are the generic parser's. newsspider.sites discovers this package.
"""

from __future__ import annotations

NAME = "bild"
TITLE = "BILD"
HOSTS = ("www.bild.de", "bild.de", "m.bild.de")

# Where to crawl, as data (Fundus' `sources`). Not listed here: no page of the site is at
# hand to check them against, and a guessed address would only send the crawler astray.
SOURCES = {"listings": (), "sitemaps": (), "feeds": ()}

SETTINGS: dict = {}
