"""Counts, per site, how many stored articles have each field: the health alarm's input."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .. import health
from ..items import CrawledArticle


class FieldCoverage:
    """On by default; `-s HEALTH_ENABLED=0` switches it (and the alarm) off."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("HEALTH_ENABLED", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item, response=None, spider=None):
        # item_scraped fires once an item has passed every pipeline: it is in the archive.
        if isinstance(item, CrawledArticle):
            health.count(self.crawler.stats, item.article)
