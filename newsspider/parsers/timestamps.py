"""When a page was published and last updated, from every place a page says it.

Order of trust: JSON-LD, meta tags, microdata, <time datetime>; when none of these
says anything, htmldate (original date, extensive search), the baseline; the URL's
date path last. Visible "Updated …" lines are read for updated_at.
Offsets are kept only where the page gives one; nothing after `now` is believed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from . import jsonld, rules, vocab
from .dates import infer_year, url_date
from .text import clean, text_of

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "og:published_time", "published_time",
    "article.published", "publish-date", "publishdate", "publish_date", "pubdate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created", "dc.date",
    "date", "article_date_original", "cxenseparse:recs:publishtime", "originalpublicationdate", "og:pubdate",
    "release_date", "creation_date", "article:published", "published-date", "content_date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "article:modified", "modified_time",
    "last-modified", "dcterms.modified", "dc.date.modified", "lastmod", "revised", "updated_time",
    "article.updated", "parsely-updated-date",
)

_MONTH = r"[^\W\d_]{3,12}\.?"
_TIME = (r"(?:\s*(?:,|à|a|at|um|om|kl\.?|alle|às|-|\|)?\s*\d{1,2}\s*[:.hH]\s*\d{2}(?:\s*(?:[ap]\.?m\.?|uhr|h))?"
         r"(?:\s*(?:(?-i:[A-Z]{2,5})\b|[+-]\d{2}:?\d{2}))?)?")
# The date itself: 19.06.2016, 19/06/2016, 2016-06-19, 19 juin 2016, June 19, 2016, 3 hours ago.
_DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}{_TIME}"
    rf"|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}{_TIME}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"
    r"|\d+\s+(?:minutes?|hours?|days?|mins?|hrs?)\s+ago|il\s+y\s+a\s+\d+\s+(?:minutes?|heures?|jours?)"
    r"|vor\s+\d+\s+(?:minuten|stunden|tagen)|hace\s+\d+\s+(?:minutos?|horas?|d[íi]as?))"
)
_UPDATED_LABEL = re.compile(
    r"(?P<label>mis\s+[àa]\s+jour\s+le|mise?\s+[àa]\s+jour\s*(?:le|:)?|derni[èe]re\s+mise\s+[àa]\s+jour(?:\s+le)?|"
    r"updated(?:\s+on)?|last\s+updated|modified|"
    r"aktualisiert(?:\s+am)?|stand|actualizado(?:\s+el)?|aggiornato(?:\s+il)?|bijgewerkt(?:\s+op)?|uppdaterad|oppdatert|opdateret|"
    r"zaktualizowano|g[üu]ncelleme(?:\s+tarihi)?)\s*[:：]?\s*(?:[^\W\d_]{2,12},?\s+)?(?P<when>" + _DATE + ")",
    re.I,
)
# Every alternative of _UPDATED_LABEL's label starts with one of these (lowercase; tests/test_dates.py checks):
# the regex is tried only where one starts. Scanning a page's text with it at every position was
# the costliest regex of a parse (a case-blind alternation has no literal prefix to skip ahead by).
_UPDATED_STARTS = ("mis", "derni", "updated", "last", "modified", "aktualisiert", "stand", "actualizado", "aggiornato", "bijgewerkt",
                   "uppdaterad", "oppdatert", "opdateret", "zaktualizowano", "güncelleme", "guncelleme")
# Characters that a case-blind regex equates with an ASCII letter while str.lower() does not (or not one to one):
# "ı"/"İ" with "i", "ſ" with "s". A text holding one is scanned by the regex everywhere.
_CASE_ODD = re.compile("[\u0130\u0131\u017f]")


def label_matches(pattern: re.Pattern, starts: tuple[str, ...], text: str):
    """pattern.finditer(text), for a case-blind pattern whose every match starts with one of `starts`
    (lowercase): the same matches, the regex tried only at the positions where a start is written."""
    if _CASE_ODD.search(text):
        yield from pattern.finditer(text)
        return
    low = text.lower()
    positions = set()
    for start in starts:
        at = low.find(start)
        while at != -1:
            positions.add(at)
            at = low.find(start, at + 1)
    end = 0
    for at in sorted(positions):
        if at < end:
            continue
        match = pattern.match(text, at)
        if match:
            yield match
            end = max(match.end(), at + 1)


_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class Found:
    moment: datetime
    source: str
    raw: str


def parse_when(value: str | None, *, now: datetime, languages: list[str] | None = None, anchor: date | None = None) -> datetime | None:
    """A datetime from an ISO string or free text; None if unreadable or after `now`."""
    if not value:
        return None
    value = clean(value)
    moment = _iso(value)
    if moment is None:
        moment = _free_text(value, now=now, languages=languages, anchor=anchor)
    if moment is None or _after(moment, now):
        return None
    if moment.year < 1990:
        return None
    return moment


def _iso(value: str) -> datetime | None:
    if not _ISO_LIKE.match(value):
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0200 -> +02:00
    text = re.sub(r"\.\d+(?=[+-]|$)", "", text)  # fractions vary in length; drop them
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        try:
            return datetime.fromisoformat(text[:10])
        except ValueError:
            return None


def _free_text(value: str, *, now: datetime, languages, anchor) -> datetime | None:
    import dateparser  # slow to import; most pages never need it

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None) if now.tzinfo else now,
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    try:
        moment = dateparser.parse(value[:80], languages=languages or None, settings=settings)
    except Exception:  # dateparser raises a zoo of errors on odd input
        return None
    if moment is None:
        return None
    if not _HAS_YEAR.search(value) and not re.search(r"\d+\s*\w+\s+(?:ago|il y a)|il y a|vor\s+\d|hace|ago", value, re.I):
        # dateparser fills a missing year from today's: anchor it instead.
        day = infer_year(moment.day, moment.month, anchor or now.date(), latest=now.date())
        if day is None:
            return None
        moment = moment.replace(year=day.year, month=day.month, day=day.day)
    return moment


def _after(moment: datetime, now: datetime) -> bool:
    if moment.tzinfo is None:
        return moment.date() > now.date()
    return moment > now


def to_iso(moment: datetime) -> str:
    """ISO 8601 with seconds; an offset only when the moment has one (none is invented for naive times)."""
    return moment.isoformat()


class PageDates:
    """Published and updated times for one page; candidates computed once."""

    def __init__(self, page, ld_article: dict, languages: list[str] | None = None):
        self.page = page
        self.ld = ld_article
        self.languages = languages
        self.anchor = url_date(page.url)
        self._visible_cache: dict = {}

    def _parse(self, value, source) -> Found | None:
        moment = parse_when(value, now=self.page.now, languages=self.languages, anchor=self.anchor)
        return Found(moment, source, clean(value)) if moment else None

    def published(self) -> Found | None:
        for found in self._published_candidates():
            if found:
                return found
        return None

    def _published_candidates(self):
        yield self._parse(jsonld.text(self.ld.get("datePublished")), "jsonld")
        for name in PUBLISHED_META:
            for value in self.page.meta.get(name, ()):
                yield self._parse(value, f"meta:{name}")
        yield self._microdata("datePublished")
        yield self._time_element()
        yield self._parse(jsonld.text(self.ld.get("dateCreated")), "jsonld:dateCreated")
        # Nothing structured: htmldate is the floor. (A visible "Published …" label before it
        # helped one fold of publishers only, and was removed.)
        yield self._htmldate()
        if self.anchor:
            yield Found(datetime(self.anchor.year, self.anchor.month, self.anchor.day), "url", self.page.url)

    def updated(self) -> Found | None:
        for candidate in (
            lambda: self._parse(jsonld.text(self.ld.get("dateModified")), "jsonld"),
            lambda: next((f for name in MODIFIED_META for v in self.page.meta.get(name, ()) if (f := self._parse(v, f"meta:{name}"))), None),
            lambda: self._microdata("dateModified"),
            lambda: self._visible(_UPDATED_LABEL, _UPDATED_STARTS),
        ):
            found = candidate()
            if found:
                return found
        return None

    def updated_line(self) -> str | None:
        """The visible "Updated …" line as printed, if there is one."""
        found = self._visible(_UPDATED_LABEL, _UPDATED_STARTS)
        return found.raw if found else None

    def _microdata(self, prop: str) -> Found | None:
        for el in self.page.tree.iterfind(f".//*[@itemprop='{prop}']"):
            value = el.get("content") or el.get("datetime") or text_of(el)
            found = self._parse(value, f"itemprop:{prop}")
            if found:
                return found
        return None

    def _time_element(self) -> Found | None:
        memo: dict = {}
        for el in self.page.body.iter("time"):
            if rules.on("date.time_outside_boxes") and _in_other_box(el, memo):
                continue
            value = el.get("datetime") or el.get("content")
            if value:
                found = self._parse(value, "time")
                if found:
                    return found
        return None

    def _visible(self, pattern: re.Pattern, starts: tuple[str, ...]) -> Found | None:
        # One regex pass over the page's visible text: a label, then something shaped like a date.
        # dateparser is slow, and published, updated and the raw update line all ask: ask it once.
        if pattern in self._visible_cache:
            return self._visible_cache[pattern]
        result = None
        for match in label_matches(pattern, starts, self.page.text):
            found = self._parse(match["when"], "visible")
            if found:
                result = Found(found.moment, "visible", clean(match.group(0)))
                break
        self._visible_cache[pattern] = result
        return result

    def _htmldate(self) -> Found | None:
        try:
            from htmldate import find_date

            value = find_date(self.page.tree, url=self.page.url, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S",
                              max_date=self.page.now.strftime("%Y-%m-%d"), extensive_search=True)
        except Exception:  # htmldate is a best-effort fallback; its failures are not ours to raise
            return None
        if not value:
            return None
        moment = _iso(value)
        if moment is None or _after(moment, self.page.now):
            return None
        if moment.time() == datetime.min.time():
            moment = datetime(moment.year, moment.month, moment.day)
        return Found(moment, "htmldate", value)


# Where a <time> belongs to something else than the article: comments, teasers of other articles, the footer.
_OTHER_BOX = vocab.boxes(vocab.OTHER_ARTICLES, vocab.MORE_ARTICLES, vocab.SIDE_BOXES, ("comment", "footer", "newsletter"))


def _in_other_box(el, memo: dict) -> bool:
    path, node, verdict = [], el.getparent(), False
    while node is not None:
        if node in memo:
            verdict = memo[node]
            break
        path.append(node)
        if node.tag in ("aside", "footer", "nav") or _OTHER_BOX.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            verdict = True
            break
        if node.tag in ("article", "main", "body"):
            break
        node = node.getparent()
    for seen in path:
        memo[seen] = verdict
    return verdict


def ensure_order(published: datetime | None, updated: datetime | None) -> tuple[datetime | None, datetime | None]:
    """Published is the earliest release: an "update" before it is a mislabelled publication date."""
    if published is None or updated is None:
        return published, updated
    try:
        if updated < published:
            return updated, published
    except TypeError:  # one aware, one naive: compare their wall clocks
        if updated.replace(tzinfo=None) < published.replace(tzinfo=None):
            return updated, published
    return published, updated
