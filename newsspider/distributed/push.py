"""Push (a worker's store): each item goes to the Redis list that `newsspider ingest` writes to the archive.

Used instead of dedupe and store when `newsspider crawl --redis URL` runs: a worker
never opens the archive. Items validation refused are pushed as raw-only pages, as
the store pipeline keeps them.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from . import RETRY_SECONDS, codec, connect, keys_from_settings, worker_id
from .scheduler import INFLIGHT
from ..items import CrawledArticle, SeenAgain, UnparsedPage

logger = logging.getLogger(__name__)


class RedisPushPipeline:
    def __init__(self, crawler, server, items_key: str, worker: str, inflight_key: str | None = None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = server
        self.items_key = items_key
        self.inflight_key = inflight_key
        self.worker = worker
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        keys = keys_from_settings(s)
        pipe = cls(crawler, connect(s.get("REDIS_URL"), s.getfloat("REDIS_RETRY_SECONDS", RETRY_SECONDS)), keys.items, worker_id(),
                   keys.inflight(worker_id()))
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def item_dropped(self, item, response=None, exception=None, spider=None):
        page = UnparsedPage.dropped(item, exception)
        if page is not None:
            if hasattr(item, INFLIGHT):
                setattr(page, INFLIGHT, getattr(item, INFLIGHT))
            self._push(page)

    def process_item(self, item, spider=None):
        if isinstance(item, (CrawledArticle, UnparsedPage, SeenAgain)):
            self._push(item)
        return item

    def _push(self, item):
        data = codec.encode_item(item, spider=self.crawler.spider.name, worker=self.worker)
        try:
            # Synchronous on purpose: a worker's items then reach the list in order, before its report.
            token = getattr(item, INFLIGHT, None)
            if token and self.inflight_key:
                # The article and the release of its request together: a kill cannot fall in between.
                pipe = self.server.pipeline(transaction=True)
                pipe.lpush(self.items_key, data).hdel(self.inflight_key, token)
                pipe.execute()
            else:
                self.server.lpush(self.items_key, data)
        except RedisError as exc:
            self.stats.inc_value("newsspider/redis/push_errors")
            if not self.stopping:
                # Redis has been gone for REDIS_RETRY_SECONDS: stop, and let the exit code say so
                # (what this worker held goes back to the frontier when its lease runs out).
                self.stopping = True
                logger.error("cannot push items to Redis, stopping this worker: %s", exc)
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_unavailable"))
            raise
        self.stats.inc_value("newsspider/redis/pushed")
        self.stats.inc_value(f"newsspider/redis/pushed/{type(item).__name__}")
