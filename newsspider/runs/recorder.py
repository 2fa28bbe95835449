"""Records every crawl in the archive's crawl_runs table: spider, start, end, status, counts."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from . import health
from ..archive.db import Archive
from ..pipelines.store import STORAGE_ERRORS
from .counts import WRITE_ERROR, WRITE_FAILED, RunCounts, finish_reason, page_accounting, run_status


class CrawlRunRecorder:
    """On by default; `-s ARCHIVE_RECORD_RUNS=0` switches it off."""

    def __init__(self, crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVE_RECORD_RUNS", True):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.get("ARCHIVE_DB", "archive.db"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        args = {"args": getattr(spider, "args", {}), "settings": _overridden(self.crawler.settings)}
        try:
            with Archive(self.db_path) as archive:
                self.run_id = archive.start_run(spider.name, args)
        except STORAGE_ERRORS as exc:
            # Scrapy would log this and crawl on, storing into an archive that takes no writes.
            self.crawler.stats.set_value(WRITE_ERROR, f"cannot record the run: {type(exc).__name__}: {exc}")
            spider.logger.error("cannot write to the archive %s, not crawling: %s", self.db_path, exc)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_FAILED))
            return
        self.crawler.stats.set_value("newsspider/run_id", self.run_id)

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        reason = finish_reason(reason, stats)
        counts = RunCounts.from_stats(stats)
        coverage = health.coverage_from_stats(stats)
        try:
            self._finish(spider, reason, stats, counts, coverage)
        except STORAGE_ERRORS as exc:
            # The next run marks it killed; the summary says why it could not be recorded.
            message = f"cannot record the end of run {self.run_id} in crawl_runs: {type(exc).__name__}: {exc}"
            previous = stats.get(WRITE_ERROR)
            self.crawler.stats.set_value(WRITE_ERROR, f"{previous}; {message}" if previous else message)
            spider.logger.error(message)

    def _finish(self, spider, reason, stats, counts, coverage):
        with Archive(self.db_path) as archive:
            found = health.run_alarms(archive, spider.name, self.run_id, coverage, self.crawler.settings)
            if found:
                # Read back by `newsspider crawl` for its summary line and exit code.
                self.crawler.stats.set_value("newsspider/alarms", found)
                spider.logger.error("health alarm: %s", health.describe(found))
            archive.finish_run(
                self.run_id, status=run_status(reason, counts), finish_reason=reason, counts=counts.as_dict(),
                stats=stats, coverage=coverage, alarms=found, pages=page_accounting(stats),
            )


def _overridden(settings) -> dict:
    """Settings set on the command line or by the CLI: what makes this run differ from the defaults."""
    return {
        name: value
        for name, value in settings.copy_to_dict().items()
        if settings.getpriority(name) is not None and settings.getpriority(name) >= 40
    }
