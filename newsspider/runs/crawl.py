"""Run one crawl in this process and report how it went (used by `newsspider crawl` and `demo`)."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from .counts import RunCounts, finish_reason, run_status
from .record import Run

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_LOCKED = 4
EXIT_ALARM = 5
EXIT_NEEDS_UPGRADE = 6


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
    stats: dict[str, Any]  # Scrapy's, for the summary's page accounting and limits (telemetry)
    error: str | None = None  # the crawl could not start (a spider argument refused)
    failure: str | None = None  # why a run that started failed, when the crawl itself knows (the archive refused a write)
    alarms: list[dict] = field(default_factory=list)

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


class NetworkErrorsInOneLine(logging.Filter):
    """A page or robots.txt that cannot be fetched (refused, unresolved, timed out, cut off) is
    one log line, not a Twisted traceback: it is the site's fault, counted in the stats and the
    summary, and tracebacks on stderr should mean a bug of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and isinstance(exc, _network_errors()):
            record.msg, record.args = f"{record.getMessage()} ({type(exc).__name__}: {exc})", None
            record.exc_info = record.exc_text = None
        return True


def _network_errors() -> tuple[type[BaseException], ...]:
    from scrapy import exceptions as s
    from twisted.internet import error as t
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    return (s.DownloadConnectionRefusedError, s.CannotResolveHostError, s.DownloadTimeoutError, s.DownloadFailedError,
            s.ResponseDataLossError, s.DownloadCancelledError, t.ConnectError, t.ConnectionLost, t.TimeoutError,
            ResponseNeverReceived, ResponseFailed)


# Where Scrapy logs a failed download with its traceback: the scraper (pages) and robots.txt.
_DOWNLOAD_ERROR_LOGGERS = ("scrapy.core.scraper", "scrapy.downloadermiddlewares.robotstxt")


def _run_crawl(spider: str, *, settings: Settings, args: dict[str, str] | None = None) -> CrawlResult:
    started = time.monotonic()
    for name in _DOWNLOAD_ERROR_LOGGERS:
        logging.getLogger(name).addFilter(NetworkErrorsInOneLine())
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    errors: list[str] = []
    deferred = process.crawl(crawler, **(args or {}))
    # A spider that refuses its arguments fails here, before any stats exist.
    deferred.addErrback(lambda failure: errors.append(failure.getErrorMessage()))
    process.start()
    return _result(spider, crawler, errors, started)


def _result(name: str, crawler: Crawler, errors: list[str], started: float, *, failed_if_refused: bool = False) -> CrawlResult:
    """The crawl's outcome from its run record, and the counts from its stats when no recorder made them."""
    try:
        stats = crawler.stats.get_stats()
    except (RuntimeError, AttributeError):  # the crawl never started (the spider refused its arguments)
        stats = {}
    run = Run.of(crawler)
    run.release_all()  # the run is over: an archive a holder failed to give back is closed all the same
    if run.counts is not None:  # recorded in crawl_runs: the same figures
        reason, status, counts = run.finish_reason, run.status, run.counts
    else:
        reason = finish_reason(stats.get("finish_reason"), run.write_error)
        counts = RunCounts.from_stats(stats)
        status = run_status(reason, counts)
    return CrawlResult(spider=name, run_id=run.id, finish_reason=reason, status="failed" if failed_if_refused and errors else status,
                       counts=counts, elapsed=time.monotonic() - started, stats=stats, error=errors[0] if errors else None,
                       failure=run.write_error, alarms=run.alarms)


SITE_PRIORITY = 45  # a sites file's per-site settings: over -s (cmdline, 40)


def run_sites(sites, *, settings: Settings) -> list[CrawlResult]:
    """Every site of a sites file in one CrawlerProcess (one reactor, one archive lock): a crawler per
    site, with the site's settings over `settings`, so each has its own stats and crawl_runs row."""
    with disk_frontier(settings):
        started = time.monotonic()
        for name in _DOWNLOAD_ERROR_LOGGERS:
            logging.getLogger(name).addFilter(NetworkErrorsInOneLine())
        process = CrawlerProcess(settings)
        crawlers = []
        for site in sites:
            site_settings = settings.copy()
            # Above "cmdline": process.crawl() merges the process's settings into the crawler's, and
            # at an equal priority they would win over the site's.
            for key, value in site.settings.items():
                site_settings.set(key, value, priority=SITE_PRIORITY)
            if settings.get("JOBDIR"):
                # Each crawler's queue in its own folder: a shared JOBDIR would mix their frontiers.
                site_settings.set("JOBDIR", f"{settings.get('JOBDIR')}/{len(crawlers)}", priority=SITE_PRIORITY)
            # As CrawlerProcess.create_crawler does, but with the site's settings: the first installs the reactor.
            crawler = Crawler(process.spider_loader.load(site.spider), site_settings, init_reactor=not crawlers)
            errors: list[str] = []
            deferred = process.crawl(crawler, **site.spider_args())
            deferred.addErrback(lambda failure, errors=errors: errors.append(failure.getErrorMessage()))
            crawlers.append((site, crawler, errors))
        process.start()
        return [_result(site.name, crawler, errors, started, failed_if_refused=True) for site, crawler, errors in crawlers]
