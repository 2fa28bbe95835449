"""Records every crawl in the archive's crawl_runs table: spider, start, end, status, counts."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from . import health
from ..pipelines.store import STORAGE_ERRORS
from .counts import WRITE_FAILED, RunCounts, finish_reason, page_accounting, run_status
from .record import Run


class CrawlRunRecorder:
    """On by default; `-s ARCHIVE_RECORD_RUNS=0` switches it off."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.run = Run.of(crawler)
        self.archive = None

    @property
    def run_id(self) -> int | None:
        return self.run.id

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVE_RECORD_RUNS", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        args = {"args": getattr(spider, "args", {}), "settings": _overridden(self.crawler.settings)}
        try:
            self.archive = self.run.hold()
            self.run.id = self.archive.start_run(spider.name, args)
        except STORAGE_ERRORS as exc:
            # Scrapy would log this and crawl on, storing into an archive that takes no writes.
            self.run.fail(f"cannot record the run: {type(exc).__name__}: {exc}")
            spider.logger.error("cannot write to the archive %s, not crawling: %s", self.run.db_path, exc)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_FAILED))
            return
        self.crawler.stats.set_value("newsspider/run_id", self.run.id)  # telemetry: kept in crawl_runs.stats

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        try:
            if self.run.id is not None:
                self._finish(spider, reason)
        finally:
            self.archive = None
            self.run.release()

    def _finish(self, spider, reason):
        # The counts, coverage and page accounting are read from the stats: they are the crawl's
        # telemetry counters, and crawl_runs stores them as such (the stats themselves beside them).
        stats = self.crawler.stats.get_stats()
        reason = finish_reason(reason, self.run.write_error)
        counts = RunCounts.from_stats(stats)
        coverage = health.coverage_from_stats(stats)
        self.run.finish_reason, self.run.status, self.run.counts = reason, run_status(reason, counts), counts
        try:
            found = health.run_alarms(self.archive, spider.name, self.run.id, coverage, self.crawler.settings)
            if found:
                self.run.alarms = found
                self.crawler.stats.set_value("newsspider/alarms", found)  # telemetry: kept in crawl_runs.stats
                spider.logger.error("health alarm: %s", health.describe(found))
            self.archive.finish_run(
                self.run.id, status=self.run.status, finish_reason=reason, counts=counts.as_dict(),
                stats=stats, coverage=coverage, alarms=found, pages=page_accounting(stats),
            )
        except STORAGE_ERRORS as exc:
            # The next run marks it killed; the summary says why it could not be recorded.
            message = f"cannot record the end of run {self.run.id} in crawl_runs: {type(exc).__name__}: {exc}"
            self.run.fail(message)
            spider.logger.error(message)


def _overridden(settings) -> dict:
    """Settings set on the command line or by the CLI: what makes this run differ from the defaults."""
    return {
        name: value
        for name, value in settings.copy_to_dict().items()
        if settings.getpriority(name) is not None and settings.getpriority(name) >= 40
    }
