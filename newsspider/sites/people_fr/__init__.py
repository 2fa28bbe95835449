"""People's Daily Online in French: the site as data (no code runs on import but the regexes).

parser.py reads pages, spider.py walks the listings in SOURCES, dates.py reads the site's own
date wordings. newsspider.sites discovers this package: there is no list of sites to edit.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

NAME = "people_fr"
TITLE = "People's Daily Online in French"
CANONICAL_HOST = "french.peopledaily.com.cn"
ALIAS_HOSTS = ("french.people.com.cn",)
HOSTS = (CANONICAL_HOST, *ALIAS_HOSTS)

# An article's path: /<Section>/n3/2016/0619/c31355-9074390.html.
ARTICLE_PATH = re.compile(r"^/(?P<section>[A-Za-z][\w-]*)/n\d*/\d{4}/\d{4}/c\d+-\d+\.html$")
ARTICLE_LINK = re.compile(r"/c\d+-\d+\.html$")
SECTION_NAME = re.compile(r"^[A-Za-z][\w-]*$")

# Where to crawl, as data (Fundus' `sources`): each section's date-ordered listing, page 1
# at index.html, page N at indexN.html. The site publishes no sitemap and no feed.
SOURCES = {
    "listings": ("http://french.peopledaily.com.cn/{section}/index.html",
                 "http://french.peopledaily.com.cn/{section}/index{page}.html"),
    "sitemaps": (),
    "feeds": (),
}

# Scrapy settings this site adds to newsspider/settings.py (any of them can be given with -s).
SETTINGS = {
    # Where requests for each host go. Point them at a mirror to crawl it exactly like
    # the site; when only the base URL is changed, alias-host links go there too.
    "PEOPLE_FR_BASE_URL": "http://french.peopledaily.com.cn",
    "PEOPLE_FR_ALIAS_BASE_URL": None,
    "PEOPLE_FR_SECTIONS": ["Chine", "Economie", "International", "Afrique", "Culture", "VieSociale", "Tourisme"],
    "PEOPLE_FR_MAX_PAGES": 5,  # index pages per section: index.html, index2.html, ...
}


def canonical(url: str) -> str:
    """Alias host folded, http, no query or fragment: the archive's key for an article."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in ALIAS_HOSTS or host == CANONICAL_HOST:
        return urlunsplit(("http", CANONICAL_HOST, parts.path, "", ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def listing_url(section: str, page: int) -> str:
    """The section's listing page `page` (1-based), from SOURCES."""
    first, later = SOURCES["listings"]
    return (first if page == 1 else later).format(section=section, page=page)
