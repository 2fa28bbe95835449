"""scrapy-redis's Scheduler and RFPDupeFilter, fitted to Scrapy 2.19 and to crawls shared by many workers.

What differs from scrapy-redis 0.9, and why:
- Fingerprints come from the crawler's request fingerprinter (REQUEST_FINGERPRINTER_CLASS),
  as with Scrapy's own dupefilter, not from a hash of scrapy-redis's own making.
- Requests travel as JSON (request_codec.py), not pickles anyone with access to Redis could forge.
- A worker whose engine runs dry does not stop while other workers are busy: their pages may
  add requests to the shared frontier (coordinator.py decides, in Redis).
- A request taken from the frontier is held in the worker's in-flight hash until it is
  finished; a worker that dies loses nothing: its peers put what it held back (coordinator.py).
- The frontier and the seen set persist across worker restarts (SCHEDULER_PERSIST) and are
  cleared by the first worker of the next crawl once a crawl completed, so an hourly crawl
  starts afresh while a crawl whose workers were all killed resumes where it was.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from redis.exceptions import RedisError
from scrapy.utils.asyncio import call_later, create_looping_call

from ..items import CrawledArticle, PendingParse, UnparsedPage
from ..runs.counts import RunCounts
from . import LEASE_SECONDS, codec, keys_from_settings, worker_id
from .coordinator import Coordinator, token

logger = logging.getLogger(__name__)

# Scrapy looks at an idle spider again only every 5 s (its slot heartbeat); the shared
# frontier can refill sooner, so an idle worker asks again after this long. A poll is three
# small Redis calls; with a whole second, a worker that found the frontier empty (at the start,
# or near the end while its peer parsed the listing that refills it) sat idle up to that long.
POLL_SECONDS = 0.2


class RedisDupeFilter(RFPDupeFilter):
    def __init__(self, server, key, debug=False, fingerprinter=None, stats=None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        self.stats = stats

    @classmethod
    def from_spider(cls, spider):
        dupefilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        dupefilter.stats = spider.crawler.stats
        return dupefilter

    def request_fingerprint(self, request):
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()

    def log(self, request, spider):
        # As Scrapy's own dupefilter counts it: how much the shared seen set saved.
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")
        super().log(request, spider)

    def close(self, reason=""):
        # scrapy-redis deletes the seen set here; it belongs to the crawl, not to this worker.
        pass


# The token of a request in its worker's in-flight hash, in request.meta (copied to a redirect
# or retry, which gets its own when taken in turn) and on the article item its page yields.
INFLIGHT = "newsspider_inflight"


class CoordinatedQueue(PriorityQueue):
    """scrapy-redis's priority queue, popping through the coordinator: taking a request marks the worker busy and records it as held."""

    def __init__(self, server, spider, key, serializer, coordinator: Coordinator):
        super().__init__(server, spider, key, serializer)
        self.coordinator = coordinator

    def pop(self, timeout=0):
        while (data := self.coordinator.pop()) is not None:
            held = token(data)
            try:
                request = self._decode_request(data)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # One bad entry (forged, or from an incompatible version) must not stall the crawl.
                logger.error("dropped an unreadable request from the shared frontier: %s: %.200r", exc, data)
                self.coordinator.finish(held)
                continue
            request.meta[INFLIGHT] = held
            return request
        return None


class InFlightTagger:
    """Spider middleware: an article page's item carries its request's in-flight token.

    The push pipeline then pushes the item and releases the request in one transaction, so
    a worker killed at any moment either pushed the article (and no longer holds its request)
    or did not (and the request goes back to the frontier): never both, never neither.
    """

    def process_spider_output(self, response, result, spider=None):
        token = response.meta.get(INFLIGHT)
        for output in result:
            if token and isinstance(output, (CrawledArticle, UnparsedPage, PendingParse)):
                setattr(output, INFLIGHT, token)
            yield output

    async def process_spider_output_async(self, response, result, spider=None):
        token = response.meta.get(INFLIGHT)
        async for output in result:
            if token and isinstance(output, (CrawledArticle, UnparsedPage, PendingParse)):
                setattr(output, INFLIGHT, token)
            yield output


class RedisScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.keys = keys_from_settings(crawler.settings)
        scheduler.coordinator = Coordinator(scheduler.server, scheduler.keys, worker_id(),
                                            lease=crawler.settings.getint("REDIS_LEASE_SECONDS", LEASE_SECONDS))
        scheduler.started_at = None
        scheduler.renewal = None
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        self.spider = spider
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        how = self.coordinator.join()
        self.stats.set_value("newsspider/redis/joined", how)
        self.renewal = create_looping_call(self._renew)
        self.renewal.start(max(1.0, self.coordinator.lease / 6), now=False)
        self._watch_finished_requests()
        self.queue = CoordinatedQueue(self.server, spider, self.queue_key, self.serializer, self.coordinator)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        pending = len(self.queue)
        logger.info("job %s on %s: %s crawl (%d requests waiting), worker %s",
                    self.keys.job, self.keys.prefix, how, pending, self.coordinator.worker)

    def _watch_finished_requests(self):
        # The engine forgets a request once its response went through the spider and its items
        # through the pipelines (or its redirect was scheduled): it is finished then, not before.
        slot = self.crawler.engine._slot
        forget = slot.remove_request

        def remove_request(request):
            token = request.meta.get(INFLIGHT)
            if token:
                self.coordinator.finish(token)
            forget(request)

        slot.remove_request = remove_request

    # scrapy-redis passes spider= to the stats collector, which Scrapy 2.19 deprecates.
    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _renew(self):
        try:
            self.coordinator.renew()
        except RedisError as exc:  # a blip must not stop the loop; the lease covers several misses
            logger.warning("cannot renew the worker lease in Redis: %s", exc)

    def spider_idle(self, spider):
        verdict = self.coordinator.idle()
        if verdict == "done":
            logger.info("job %s: frontier empty and no worker busy, the crawl is complete", self.keys.job)
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and hasattr(slot, "nextcall"):
            call_later(POLL_SECONDS, slot.nextcall.schedule)
        raise DontCloseSpider(f"shared frontier: {verdict}")

    def close(self, reason):
        if self.renewal is not None and self.renewal.running:
            self.renewal.stop()
        stats = self.stats.get_stats() if self.stats is not None else {}
        report = {
            "job": self.keys.job,
            "started_at": self.started_at,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "finish_reason": reason,
            "counts": RunCounts.from_stats(stats).as_dict(),
            "pushed": stats.get("newsspider/redis/pushed", 0),
        }
        self.coordinator.leave(codec.encode_report(report, spider=self.spider.name, worker=self.coordinator.worker))
        super().close(reason)
