"""People's Daily dates: the French update line, Beijing time, the CMS timestamp.

dateparser guesses a missing year from today's date, which files every year-less
line of an old article under the wrong year; year-less lines are therefore read
here with a regex and anchored on the date in the article's URL (parsers/dates.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ...parsers.dates import replace_year

BEIJING = timezone(timedelta(hours=8))

# The French update line, in the wordings the site's templates use: "Dernière mise à jour à 13h34
# le 19/06", "Mis à jour à 9h05 le 3/01", "Dernière mise à jour : 30/11 09:52", "MAJ 16h15 06/11",
# "Mis à jour le 19 juin 2016 à 13h34". The label, then the time and the date in either order; the
# connectors ("à", ":", "le", ",") may be missing, the year too. The page text may glue two inline
# elements together ("jourà"), which is why every separator is optional whitespace.
_FR_LABEL = r"(?P<label>derni[èeé]re\s*mise\s*[àa]\s*jour|mise?\s*[àa]\s*jour|\bm[àa]j\b)"
_FR_LEAD = r"\s*(?P<lead>[:：,|–—-]|(?:[àa]|le|du)(?![^\W\d_]))?\s*"
_FR_TIME = r"(?P<time>(?P<hour>\d{1,2})\s*(?:[hH:]|heures?)\s*(?P<minute>\d{2})(?!\d))"
_FR_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
}
_FR_DATE = (
    r"(?P<date>(?P<day>\d{1,2})(?:er)?(?:\s*[/.-]\s*(?P<month>\d{1,2})(?:\s*[/.-]\s*(?P<year>\d{4}|\d{2})(?!\d))?(?![\d/])"
    r"|\s+(?P<month_name>" + "|".join(_FR_MONTHS) + r")(?:\s+(?P<year_word>\d{4}))?\b))"
)
_FR_TIME_FIRST = re.compile(_FR_LABEL + _FR_LEAD + _FR_TIME + r"\s*(?P<conn>,\s*(?:le|du)\b|,|le\b|du\b)?\s*" + _FR_DATE, re.I)
_FR_DATE_FIRST = re.compile(_FR_LABEL + _FR_LEAD + _FR_DATE + r"\s*(?P<conn>,\s*[àa](?![^\W\d_])|,|[àa](?![^\W\d_])|[-–|])?\s*" + _FR_TIME, re.I)
_FR_TOKENS = ("label", "lead", "time", "conn", "date")


@dataclass(frozen=True)
class UpdateLine:
    raw: str
    hour: int
    minute: int
    day: int
    month: int
    year: int | None


def find_fr_update_line(text: str) -> UpdateLine | None:
    """The first French update line in `text` (a page's visible text), whatever its wording."""
    found = [m for m in (_FR_TIME_FIRST.search(text), _FR_DATE_FIRST.search(text)) if m]
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    if match.group("month_name"):
        month = _FR_MONTHS[match.group("month_name").lower()]
        year = match.group("year_word")
    else:
        month, year = int(match.group("month")), match.group("year")
    if year and len(year) == 2:
        year = "20" + year
    return UpdateLine(
        raw=_as_printed(match),
        hour=int(match.group("hour")),
        minute=int(match.group("minute")),
        day=int(match.group("day")),
        month=month,
        year=int(year) if year else None,
    )


def _as_printed(match: re.Match) -> str:
    """The line as a reader sees it: its own spacing, and a space where two inline elements glued words together."""
    text = match.string
    spans = sorted(match.span(name) for name in _FR_TOKENS if match.group(name))
    out, last = [], None
    for start, end in spans:
        if last is not None:
            gap = text[last:start]
            if gap.strip():
                out.append(gap)
            elif gap or (text[last - 1].isalnum() and text[start].isalnum()):
                out.append(" ")
        out.append(text[start:end])
        last = end
    return " ".join("".join(out).split())


def resolve_update_line(line: UpdateLine, anchor: date | None, *, now: datetime, published: datetime | None = None,
                        tz=BEIJING) -> str | None:
    """ISO 8601 for an update line; the year comes from the line, else from `anchor` (the URL's date).

    A year-less line follows the mirror's rule: the URL's year, or the next one when that would
    put the line more than six months before the URL date (URL 2016/1231, "le 02/01": 2017-01-02).
    The previous year is never taken on the URL's word alone: a last update cannot precede the
    publication, and the URL date is the publication day. URL 2024/0101 with "23h50 le 31/12" is
    therefore 2024-12-31T23:50 (an update made at the end of the year of publication), not
    2023-12-31T23:50, nine hours before the article existed; and if the page was fetched before
    2024-12-31 it is None, with the raw line kept. Only when the page's own publication timestamp
    (`published`) is already at or before the previous year's reading — the CMS dated the URL a
    day after it published — is that reading the right one.
    """
    if not (0 <= line.hour <= 23 and 0 <= line.minute <= 59):
        return None
    if line.year is not None:
        candidates = [line.year]
    elif anchor is not None:
        candidates = [anchor.year, anchor.year + 1]
    else:
        return None
    moment = None
    for year in candidates:
        day = replace_year(year, line.month, line.day)
        if day is None or (anchor is not None and line.year is None and (anchor - day).days > 183):
            continue
        moment = datetime(day.year, day.month, day.day, line.hour, line.minute, tzinfo=tz)
        break
    if moment is None:
        return None
    if line.year is None and published is not None:
        earlier = replace_year(anchor.year - 1, line.month, line.day)
        if earlier is not None and 0 <= (anchor - earlier).days <= 183:
            previous = datetime(earlier.year, earlier.month, earlier.day, line.hour, line.minute, tzinfo=tz)
            if published <= previous:
                moment = previous
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
