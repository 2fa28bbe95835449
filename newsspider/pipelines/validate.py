"""Clean and validate: an article missing a required field never reaches the archive."""

from __future__ import annotations

from datetime import datetime

from scrapy.exceptions import DropItem

from ..items import CrawledArticle
from ..parsers.text import clean

DEFAULT_REQUIRED = ("url", "canonical_url", "site", "headline", "body")


class ValidatePipeline:
    """Drops items without a required field (NEWSSPIDER_REQUIRED_FIELDS), with the reason in the stats.

    Also normalises what a parser may have left untidy: whitespace in every
    string, and dates that are not ISO 8601 or lie in the future (set to null
    and counted, since a wrong date is worse than none).
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
        if missing:
            self.stats.inc_value("newsspider/dropped")
            for name in missing:
                self.stats.inc_value(f"newsspider/dropped/missing_{name}")
            raise DropItem(f"missing {', '.join(missing)}: {article.url}")
        return item


def _valid_date(value: str, fetched_at: str) -> bool:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    fetched = datetime.fromisoformat(fetched_at)
    if moment.tzinfo is None:
        return moment.date() <= fetched.date()
    return moment <= fetched
