"""Clean and validate: an article missing a required field never reaches the archive.

A thin Scrapy adapter over newsspider.parsers.normalize (the rule itself, shared with extract, eval
and reparse): it counts the verdict in the crawl stats, keeps a soft error page raw, and drops the rest.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from ..items import CrawledArticle, UnparsedPage
from ..parsers.normalize import DEFAULT_REQUIRED, garbled, normalize

__all__ = ["DEFAULT_REQUIRED", "ValidatePipeline", "garbled"]

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """Drops items without a required field (NEWSSPIDER_REQUIRED_FIELDS), with the reason in the stats.

    Also drops headlines and bodies garbled by undecodable bytes (newsspider/dropped/garbled_<field>;
    the raw response is kept for a better decoder), keeps an error page served with status 200 raw
    (outcome soft_error, newsspider/soft_errors), and counts the dates the cleaning set to null
    (newsspider/cleaned/bad_<field>).
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
        html = item.raw.body if item.raw is not None else None
        verdict = normalize(article, item.fetched_at, html=html, required=self.required)
        if verdict.soft_error is not None:
            # "404 Not Found" with status 200: kept raw and counted, never an article.
            self.stats.inc_value("newsspider/soft_errors")
            logger.info("a soft error page at %s: %s", article.url, verdict.soft_error)
            return UnparsedPage(raw=item.raw, fetched_at=item.fetched_at, error=verdict.soft_error, outcome="soft_error")
        for name in verdict.bad_dates:
            self.stats.inc_value(f"newsspider/cleaned/bad_{name}")
        if not verdict.ok:
            self.stats.inc_value("newsspider/dropped")
            for name in verdict.missing:
                self.stats.inc_value(f"newsspider/dropped/missing_{name}")
            for name in verdict.garbled:
                self.stats.inc_value(f"newsspider/dropped/garbled_{name}")
            raise DropItem(f"{verdict.reason}: {article.url}")
        return item
