"""Clean and validate: an article missing a required field never reaches the archive."""

from __future__ import annotations

from datetime import datetime

from scrapy.exceptions import DropItem

from ..items import CrawledArticle
from ..parsers.text import clean

DEFAULT_REQUIRED = ("url", "canonical_url", "site", "headline", "body")
# One lost character in 200 (any in a headline): a stray bad byte in a long body is kept, a misread page is not.
GARBLED_SHARE = 0.005


class ValidatePipeline:
    """Drops items without a required field (NEWSSPIDER_REQUIRED_FIELDS), with the reason in the stats.

    Also drops headlines and bodies garbled by undecodable bytes (newsspider/dropped/garbled_<field>;
    the raw response is kept for a better decoder), and normalises what a parser may have left
    untidy: whitespace in every string, and dates that are not ISO 8601 or lie in the future (set
    to null and counted, since a wrong date is worse than none).
    """

    def __init__(self, stats, required: tuple[str, ...]):
        self.stats = stats
        self.required = required

    @classmethod
    def from_crawler(cls, crawler):
        required = tuple(crawler.settings.getlist("NEWSSPIDER_REQUIRED_FIELDS", list(DEFAULT_REQUIRED)))
        return cls(crawler.stats, required)

    def process_item(self, item, spider=None):
        if not isinstance(item, CrawledArticle):
            return item
        article = item.article
        for name in ("canonical_url", "site", "section", "language", "headline", "updated_at_raw"):
            value = getattr(article, name)
            if isinstance(value, str):
                setattr(article, name, clean(value) or None)
        if article.body:
            article.body = "\n\n".join(p for p in (clean(p) for p in article.body.split("\n\n")) if p) or None
        article.authors = [a for a in (clean(a) for a in article.authors) if a]
        for name in ("published_at", "updated_at"):
            value = getattr(article, name)
            if value and not _valid_date(value, item.fetched_at):
                self.stats.inc_value(f"newsspider/cleaned/bad_{name}")
                setattr(article, name, None)
        missing = [name for name in self.required if not getattr(article, name, None)]
        garbled_fields = [name for name in ("headline", "body") if garbled(getattr(article, name))]
        if missing or garbled_fields:
            self.stats.inc_value("newsspider/dropped")
            for name in missing:
                self.stats.inc_value(f"newsspider/dropped/missing_{name}")
            for name in garbled_fields:
                self.stats.inc_value(f"newsspider/dropped/garbled_{name}")
            reasons = [f"missing {', '.join(missing)}"] * bool(missing) + [f"undecodable {', '.join(garbled_fields)}"] * bool(garbled_fields)
            raise DropItem(f"{'; '.join(reasons)}: {article.url}")
        return item


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
    if moment.tzinfo is None:
        return moment.date() <= fetched.date()
    return moment <= fetched
