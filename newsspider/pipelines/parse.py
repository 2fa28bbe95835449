"""Parse off the reactor thread: a PendingParse becomes its item in a pool of parser processes."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from dataclasses import fields

from ..items import PendingParse
from ..parsing.pool import DEFAULT_PARSE_FUNCTION, ParsePool, parse_workers


_FIELDS = {f.name for f in fields(PendingParse)}


class ParsePipeline:
    """First of the pipelines: the later ones see the CrawledArticle or UnparsedPage, as without a pool.

    Off (NotConfigured) when NEWSSPIDER_PARSE_WORKERS is 0: the spider then parses in its callback.
    """

    def __init__(self, crawler, pool: ParsePool):
        self.crawler = crawler
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler):
        workers = parse_workers(crawler.settings)
        if not workers:
            raise NotConfigured("NEWSSPIDER_PARSE_WORKERS is 0: pages are parsed in the crawl's thread")
        pool = ParsePool(workers, limit=crawler.settings.getfloat("PARSE_TIME_LIMIT_SECONDS", 0),
                         function=crawler.settings.get("NEWSSPIDER_PARSE_FUNCTION") or DEFAULT_PARSE_FUNCTION,
                         stopping=lambda: not crawler.crawling,
                         precompute=crawler.settings.getbool("NEWSSPIDER_PARSE_PRECOMPUTE", True))
        pipeline = cls(crawler, pool)
        # engine_stopped comes after close_spider, and also after a crawl that failed to open.
        crawler.signals.connect(pipeline.stop, signal=signals.engine_stopped)
        crawler.stats.set_value("newsspider/parse_workers", workers)
        return pipeline

    def process_item(self, item, spider=None):
        if not isinstance(item, PendingParse):
            return item
        spider = spider or self.crawler.spider
        d = self.pool.submit(item.raw.body, item.public_url, _fetched(item.fetched_at), item.raw.encoding)
        d.addCallback(lambda outcome: self._item(spider, item, outcome))
        return d

    def _item(self, spider, pending, outcome):
        result = spider.parsed_item(pending, outcome)
        # Tags a spider middleware set on the page (a worker's in-flight token) ride on to its item.
        tags = {name: value for name, value in vars(pending).items() if name not in _FIELDS}
        for name, value in tags.items():
            setattr(result, name, value)
        return result

    def close_spider(self, spider=None):
        self.stop()

    def stop(self):
        if self.pool.killed:
            self.crawler.stats.set_value("newsspider/parse_workers_killed", self.pool.killed)
        self.pool.close()
        if self.pool.worker_cpu:
            self.crawler.stats.set_value("newsspider/parse_workers_cpu_seconds", round(self.pool.worker_cpu, 2))


def _fetched(iso: str):
    from datetime import datetime

    return datetime.fromisoformat(iso)
