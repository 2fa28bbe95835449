"""Counts, per site, how many stored articles have each field: the health alarm's input."""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from . import health
from ..pipelines.store import articles_stored


class FieldCoverage:
    """On by default; `-s HEALTH_ENABLED=0` switches it (and the alarm) off."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("HEALTH_ENABLED", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.stored, signal=articles_stored)
        return ext

    def stored(self, articles):
        # Committed articles only: a batch the disk refused is neither in the archive nor counted.
        for article in articles:
            health.count(self.crawler.stats, article)
