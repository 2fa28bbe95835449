"""Store: batched, transactional writes into the SQLite archive, each article with the response it came from.

The archive is the run's (runs/record.py), held from open_spider to close_spider; the archive's
write applies the dedupe rule (archive/dedupe.py) in the batch's transaction, and the store counts
its verdicts (newsspider/dedupe/known_url, same_body) from what each committed article came to.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from ..archive.db import BUSY_TIMEOUT_S, Archive
from ..items import CrawledArticle, SeenAgain, UnparsedPage
from ..runs.counts import WRITE_FAILED
from ..runs.record import Run

logger = logging.getLogger(__name__)

ARTICLE_OUTCOMES = ("new", "updated", "unchanged", "duplicate")
# Known articles seen again without a new copy (incremental crawls): only last_seen moves.
SEEN_OUTCOMES = ("seen", "not_modified", "unknown")
# The disk or the file, not the data: every item would fail the same way ("database or disk is full",
# "database is locked", "disk I/O error", a read-only file system).
STORAGE_ERRORS = (sqlite3.OperationalError, OSError)
# Sent with `articles=[Article, ...]` once a batch is committed: what is in the archive, and only that
# (item_scraped fires when an item is queued for a batch that may still fail). The health alarm counts these.
articles_stored = object()


class StorePipeline:
    """Writes items in batches of ARCHIVE_BATCH_SIZE, or every ARCHIVE_FLUSH_SECONDS, one transaction each.

    A batch bounds what a killed crawl can lose; the flush interval bounds how
    stale the archive is for a reader while a slow crawl runs.

    A batch the archive refuses (disk full, database locked past its busy timeout) is
    tried ARCHIVE_WRITE_RETRIES more times, ARCHIVE_WRITE_RETRY_SECONDS apart (doubling);
    then the crawl stops (finish reason write_failed, exit 1, the error in the summary).
    Nothing of the failed batch is in the archive, so the next run fetches those pages
    again: the frontier only knows what was committed. An item that breaks a batch by
    itself (a bug, not the disk) is kept raw with outcome store_error, and the rest stored.
    """

    def __init__(self, crawler, db_path: str, batch_size: int, flush_seconds: float, retries: int = 2, retry_seconds: float = 1.0,
                 busy_timeout: float = BUSY_TIMEOUT_S):
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = Run.of(crawler, db_path)
        self.db_path = db_path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.retries = max(0, retries)
        self.retry_seconds = max(0.0, retry_seconds)
        self.busy_timeout = busy_timeout
        self.archive: Archive | None = None
        self.batch: list[CrawledArticle] = []
        self.batch_started = 0.0
        self.failed: str | None = None
        self._refused: set[int] = set()  # ids of the current batch's items the archive refused one by one

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipe = cls(crawler, s.get("ARCHIVE_DB", "archive.db"), s.getint("ARCHIVE_BATCH_SIZE", 50), s.getfloat("ARCHIVE_FLUSH_SECONDS", 5.0),
                   s.getint("ARCHIVE_WRITE_RETRIES", 2), s.getfloat("ARCHIVE_WRITE_RETRY_SECONDS", 1.0),
                   s.getfloat("ARCHIVE_BUSY_TIMEOUT", BUSY_TIMEOUT_S))
        # An item validation refused never reaches process_item; its response is kept all the same.
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def open_spider(self, spider=None):
        self.archive = self.run.hold()

    def close_spider(self, spider=None):
        try:
            self.flush()
        finally:
            self.archive = None
            self.run.release()

    def item_dropped(self, item, response=None, exception=None, spider=None):
        page = UnparsedPage.dropped(item, exception)
        if page is not None:
            self._add(page)

    def process_item(self, item, spider=None):
        if isinstance(item, (CrawledArticle, UnparsedPage, SeenAgain)):
            self._add(item)
        return item

    def _add(self, item):
        if self.failed:
            # Fetched while the crawl stops: not in the archive, so fetched again next run.
            self.stats.inc_value("newsspider/unwritten")
            return
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(item)
        if len(self.batch) >= self.batch_size or time.monotonic() - self.batch_started >= self.flush_seconds:
            self.flush()

    def flush(self):
        if not self.batch or self.archive is None:
            return
        batch, self.batch = self.batch, []
        self._refused: set[int] = set()
        try:
            counts = self._write(batch)
        except STORAGE_ERRORS as exc:
            self._fail(batch, exc)
            return
        committed = [item for item in batch if isinstance(item, CrawledArticle) and id(item) not in self._refused]
        signals_ = getattr(self.crawler, "signals", None)
        if signals_ is not None:
            signals_.send_catch_log(articles_stored, articles=[item.article for item in committed])
        for item in committed:
            # The archive's dedupe verdicts, as it wrote them on each item.
            if item.known:
                self.stats.inc_value("newsspider/dedupe/known_url")
            if item.duplicate_of:
                self.stats.inc_value("newsspider/dedupe/same_body")
        for outcome, n in counts.items():
            if outcome in ARTICLE_OUTCOMES:
                self.stats.inc_value(f"newsspider/stored/{outcome}", n)
            elif outcome in SEEN_OUTCOMES:
                self.stats.inc_value(f"newsspider/seen/{outcome}", n)
            else:
                self.stats.inc_value(f"newsspider/stored_raw_only/{outcome}", n)
        self.stats.inc_value("newsspider/stored", sum(n for o, n in counts.items() if o in ARTICLE_OUTCOMES))
        self.stats.inc_value("newsspider/batches")

    def _write(self, batch):
        """One transaction for the batch, retried on storage errors; raises the last one."""
        run_id = self.run.id
        delay = self.retry_seconds
        for attempt in range(self.retries + 1):
            try:
                # Written in the reactor thread: a writer thread was measured slower (bench/crawl.py),
                # its Python work (MinHash) fighting the crawl for the GIL. A retry's wait blocks the
                # crawl too, briefly: nothing more can be stored until the archive takes writes again.
                with self.archive.waiting(self.busy_timeout):
                    return self.archive.write(batch, run_id=run_id)
            except STORAGE_ERRORS as exc:
                if attempt == self.retries:
                    raise
                self.stats.inc_value("newsspider/write_retries")
                logger.warning("writing a batch of %d failed (%s: %s); trying again in %.1f s", len(batch), type(exc).__name__, exc, delay)
                time.sleep(delay)
                delay *= 2
            except Exception as exc:
                logger.warning("a batch of %d failed (%s: %s); writing its items one by one", len(batch), type(exc).__name__, exc)
                with self.archive.waiting(self.busy_timeout):
                    return self._write_one_by_one(batch, run_id)

    def _write_one_by_one(self, batch, run_id):
        counts = {}
        for item in batch:
            try:
                outcome = self.archive.write([item], run_id=run_id)
            except STORAGE_ERRORS:
                raise
            except Exception as exc:
                self.stats.inc_value("newsspider/store_errors")
                self._refused.add(id(item))
                logger.error("cannot store %s: %s: %s; keeping its response only", _url(item), type(exc).__name__, exc)
                raw = getattr(item, "raw", None)
                if raw is None:
                    continue  # a SeenAgain: nothing fetched to keep
                page = UnparsedPage(raw=raw, fetched_at=item.fetched_at, error=f"{type(exc).__name__}: {exc}", outcome="store_error")
                outcome = self.archive.write([page], run_id=run_id)
            for name, n in outcome.items():
                counts[name] = counts.get(name, 0) + n
        return counts

    def _fail(self, batch, exc: BaseException) -> None:
        self.failed = f"{type(exc).__name__}: {exc}"
        self.run.fail(self.failed)
        self.stats.inc_value("newsspider/unwritten", len(batch))
        logger.error("cannot write to the archive %s, stopping the crawl: %s (%d items not stored; the next run fetches them again)",
                     self.db_path, self.failed, len(batch))
        self.stop_crawl()

    def stop_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason=WRITE_FAILED))


def _url(item) -> str:
    article = getattr(item, "article", None)
    return article.url if article is not None else getattr(item, "url", None) or getattr(getattr(item, "raw", None), "url", "?")
