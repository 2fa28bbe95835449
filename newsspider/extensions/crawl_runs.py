"""Records every crawl in the archive's crawl_runs table: spider, start, end, status, counts."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .. import health
from ..archive.db import Archive
from ..runstats import RunCounts, run_status


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
        with Archive(self.db_path) as archive:
            self.run_id = archive.start_run(spider.name, args)
        self.crawler.stats.set_value("newsspider/run_id", self.run_id)

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counts = RunCounts.from_stats(stats)
        coverage = health.coverage_from_stats(stats)
        with Archive(self.db_path) as archive:
            found = health.run_alarms(archive, spider.name, self.run_id, coverage, self.crawler.settings)
            if found:
                # Read back by `newsspider crawl` for its summary line and exit code.
                self.crawler.stats.set_value("newsspider/alarms", found)
                spider.logger.error("health alarm: %s", health.describe(found))
            archive.finish_run(
                self.run_id, status=run_status(reason, counts), finish_reason=reason, counts=counts.as_dict(),
                stats=stats, coverage=coverage, alarms=found,
            )


def _overridden(settings) -> dict:
    """Settings set on the command line or by the CLI: what makes this run differ from the defaults."""
    return {
        name: value
        for name, value in settings.copy_to_dict().items()
        if settings.getpriority(name) is not None and settings.getpriority(name) >= 40
    }
