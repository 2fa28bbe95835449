"""Run one crawl in this process and report how it went (used by `newsspider crawl` and `demo`)."""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from .runstats import RunCounts, run_status

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_LOCKED = 4
EXIT_ALARM = 5


def run_exit_code(status: str, alarms: list[dict]) -> int:
    """A run's exit code, the same for a crawl and for an ingest."""
    if status == "finished" and alarms:
        return EXIT_ALARM
    return {"finished": EXIT_OK, "empty": EXIT_EMPTY}.get(status, EXIT_FAILED)


@dataclass
class CrawlResult:
    spider: str
    run_id: int | None
    finish_reason: str | None
    status: str
    counts: RunCounts
    elapsed: float
    stats: dict[str, Any]
    error: str | None = None

    @property
    def alarms(self) -> list[dict]:
        return self.stats.get("newsspider/alarms") or []

    @property
    def exit_code(self) -> int:
        return run_exit_code(self.status, self.alarms)


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """newsspider.settings, with `overrides` at command-line priority. No scrapy.cfg needed (cron runs anywhere)."""
    settings = Settings()
    settings.setmodule("newsspider.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


@contextmanager
def disk_frontier(settings: Settings):
    """A JOBDIR of the run's own, removed afterwards, so Scrapy's scheduler keeps its queue on disk.

    Only for Scrapy's own scheduler (a Redis worker's frontier is in Redis), and not when
    JOBDIR is set: that is a crawl meant to be paused and resumed, whose folder is the user's.
    """
    if (not settings.getbool("NEWSSPIDER_DISK_QUEUE", True) or settings.get("JOBDIR")
            or settings.get("SCHEDULER") != "scrapy.core.scheduler.Scheduler"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="newsspider-frontier-", dir=settings.get("NEWSSPIDER_QUEUE_DIR") or None)
    settings.set("JOBDIR", folder, priority="cmdline")
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_crawl(spider: str, *, settings: Settings, args: dict[str, str] | None = None) -> CrawlResult:
    with disk_frontier(settings):
        return _run_crawl(spider, settings=settings, args=args)


def _run_crawl(spider: str, *, settings: Settings, args: dict[str, str] | None = None) -> CrawlResult:
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    errors: list[str] = []
    deferred = process.crawl(crawler, **(args or {}))
    # A spider that refuses its arguments fails here, before any stats exist.
    deferred.addErrback(lambda failure: errors.append(failure.getErrorMessage()))
    process.start()
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawl never started (the spider refused its arguments)
        stats = {}
    reason = stats.get("finish_reason")
    counts = RunCounts.from_stats(stats)
    return CrawlResult(
        spider=spider,
        run_id=stats.get("newsspider/run_id"),
        finish_reason=reason,
        status=run_status(reason, counts),
        counts=counts,
        elapsed=time.monotonic() - started,
        stats=stats,
        error=errors[0] if errors else None,
    )
