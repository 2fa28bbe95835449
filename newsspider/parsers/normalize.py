"""Clean and validate a parsed article: the one rule the crawl, `extract`, `eval` and `reparse` all apply.

A plain function of the article, its fetch time and (when at hand) the page's bytes, with no
Scrapy and no archive: `normalize` tidies the article in place (whitespace in every string,
dates that are not ISO 8601 or lie after the fetch set to null, since a wrong date is worse
than none) and returns a Verdict: a soft error page ("404 Not Found" served with status 200),
required fields missing, or headline/body garbled by undecodable bytes. Callers decide what a
refusal costs them: the crawl keeps the page raw, `extract` says so, `reparse` keeps the old article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..items import REQUIRED_FIELDS
from .softerror import page_title, soft_error
from .text import clean

DEFAULT_REQUIRED = REQUIRED_FIELDS
# One lost character in 200 (any in a headline): a stray bad byte in a long body is kept, a misread page is not.
GARBLED_SHARE = 0.005


@dataclass
class Verdict:
    soft_error: str | None = None  # why the page is an error page, when it is one
    missing: list[str] = field(default_factory=list)
    garbled: list[str] = field(default_factory=list)
    bad_dates: list[str] = field(default_factory=list)  # dates set to null by the cleaning

    @property
    def ok(self) -> bool:
        return self.soft_error is None and not self.missing and not self.garbled

    @property
    def reason(self) -> str | None:
        """"soft error page: ...", "missing body; undecodable headline", or None for an article."""
        if self.soft_error is not None:
            return f"soft error page: {self.soft_error}"
        reasons = [f"missing {', '.join(self.missing)}"] * bool(self.missing) + [f"undecodable {', '.join(self.garbled)}"] * bool(self.garbled)
        return "; ".join(reasons) or None


def normalize(article, fetched_at: str, *, html: bytes | None = None, required=DEFAULT_REQUIRED) -> Verdict:
    """Judge `article` (parsed from `html`, fetched at `fetched_at`, ISO 8601) and clean it in place.

    The soft-error rule reads what the parser extracted, before cleaning, and the page's <title>;
    without `html` it is not applied (the caller has no page, or judged it already).
    """
    if html is not None and (reason := soft_error(article.headline, article.body, page_title(html))) is not None:
        return Verdict(soft_error=reason)
    verdict = Verdict()
    for name in ("canonical_url", "site", "section", "language", "headline", "updated_at_raw"):
        value = getattr(article, name)
        if isinstance(value, str):
            setattr(article, name, clean(value) or None)
    if article.body:
        article.body = "\n\n".join(p for p in (clean(p) for p in article.body.split("\n\n")) if p) or None
    article.authors = [a for a in (clean(a) for a in article.authors) if a]
    for name in ("published_at", "updated_at"):
        value = getattr(article, name)
        if value and not _valid_date(value, fetched_at):
            verdict.bad_dates.append(name)
            setattr(article, name, None)
    verdict.missing = [name for name in required if not getattr(article, name, None)]
    verdict.garbled = [name for name in ("headline", "body") if garbled(getattr(article, name))]
    return verdict


def garbled(text: str | None) -> bool:
    """Text that no decoding could read: U+FFFD stands for bytes lost, and a few of them make it garbage."""
    if not text:
        return False
    lost = text.count("\ufffd")
    return lost > 0 and lost >= len(text) * GARBLED_SHARE


def _valid_date(value: str, fetched_at: str) -> bool:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    fetched = datetime.fromisoformat(fetched_at)
    if fetched.tzinfo is None:  # a fetch time given without an offset (an eval case's) is UTC
        fetched = fetched.replace(tzinfo=timezone.utc)
    if moment.tzinfo is None:
        return moment.date() <= fetched.date()
    return moment <= fetched
