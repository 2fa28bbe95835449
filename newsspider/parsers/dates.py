"""Dates: year inference from the URL.

dateparser guesses a missing year from today's date, which files every year-less
line of an old article under the wrong year; year-less lines are therefore anchored
on the date in the article's URL. A site's own date wordings live in its package
(newsspider/sites/<name>/dates.py).
"""

from __future__ import annotations

import re
from datetime import date

URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d{2})[/-]?(?P<month>[01]\d)[/-]?(?P<day>[0-3]\d)(?=[/_.-])")


def url_date(url: str) -> date | None:
    """The publication date many news CMSs put in the path: /2016/0619/, /2016/06/19/, /20160619/."""
    for match in URL_DATE.finditer(url):
        try:
            return date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        except ValueError:
            continue
    return None


def infer_year(day: int, month: int, anchor: date, *, latest: date | None = None) -> date | None:
    """The date with this day and month nearest to `anchor` (within six months either way).

    URL 2016/1231 with "le 02/01" gives 2017-01-02. Returns None for impossible
    days (31/02) and for a result after `latest` (the crawl date): a wrong year is
    worse than no date.
    """
    try:
        best = date(anchor.year, month, day)
    except ValueError:
        best = None
    # Updates follow publication: far before the URL date means the next year,
    # far after it the year before.
    if best is None or (anchor - best).days > 183:
        best = replace_year(anchor.year + 1, month, day)
    elif (best - anchor).days > 183:
        best = replace_year(anchor.year - 1, month, day)
    if best is None or abs((best - anchor).days) > 183:
        return None
    if latest is not None and best > latest:
        return None
    return best


def replace_year(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
