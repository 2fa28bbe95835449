"""Dates: update lines, year inference from the URL, ISO 8601 output.

dateparser guesses a missing year from today's date, which files every year-less
line of an old article under the wrong year; year-less lines are therefore read
here with a regex and anchored on the date in the article's URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))

# "Dernière mise à jour à 13h34 le 19/06", "9h05 le 3/01", with or without accents,
# and tolerating the odd year ("le 19/06/2016") or colon ("13:34") on other templates.
FR_UPDATE_LINE = re.compile(
    r"Derni[èeé]re\s+mise\s+[àa]\s+jour\s*(?:[àa]|:)?\s*"
    r"(?P<hour>\d{1,2})\s*[hH:]\s*(?P<minute>\d{2})\s*(?:,\s*)?(?:le\s+)?"
    r"(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})(?:\s*/\s*(?P<year>\d{4}|\d{2})\b)?",
    re.I,
)

URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d{2})[/-]?(?P<month>[01]\d)[/-]?(?P<day>[0-3]\d)(?=[/_.-])")


@dataclass(frozen=True)
class UpdateLine:
    raw: str
    hour: int
    minute: int
    day: int
    month: int
    year: int | None


def find_fr_update_line(text: str) -> UpdateLine | None:
    match = FR_UPDATE_LINE.search(text)
    if not match:
        return None
    year = match.group("year")
    if year and len(year) == 2:
        year = "20" + year
    return UpdateLine(
        raw=" ".join(match.group(0).split()),
        hour=int(match.group("hour")),
        minute=int(match.group("minute")),
        day=int(match.group("day")),
        month=int(match.group("month")),
        year=int(year) if year else None,
    )


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
        best = _replace_year(anchor.year + 1, month, day)
    elif (best - anchor).days > 183:
        best = _replace_year(anchor.year - 1, month, day)
    if best is None or abs((best - anchor).days) > 183:
        return None
    if latest is not None and best > latest:
        return None
    return best


def _replace_year(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_update_line(line: UpdateLine, anchor: date | None, *, now: datetime, tz=BEIJING) -> str | None:
    """ISO 8601 for an update line; the year comes from the line, else from `anchor`."""
    if not (0 <= line.hour <= 23 and 0 <= line.minute <= 59):
        return None
    latest = now.astimezone(tz).date()
    if line.year is not None:
        try:
            day = date(line.year, line.month, line.day)
        except ValueError:
            return None
        if day > latest:
            return None
    elif anchor is not None:
        day = infer_year(line.day, line.month, anchor, latest=latest)
        if day is None:
            return None
    else:
        return None
    moment = datetime(day.year, day.month, day.day, line.hour, line.minute, tzinfo=tz)
    if moment > now:
        return None
    return moment.isoformat()


def parse_cms_timestamp(value: str, *, tz=BEIJING) -> str | None:
    """'2016-06-19 13:29:41.0' (a CMS timestamp in local time) -> ISO 8601 with the site's offset."""
    match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", value or "")
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        moment = datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None
    return moment.isoformat()
