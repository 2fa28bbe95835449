"""Store: batched, transactional writes into the SQLite archive, each article with the response it came from."""

from __future__ import annotations

import time

from scrapy import signals

from ..archive.db import Archive
from ..items import CrawledArticle, SeenAgain, UnparsedPage

ARTICLE_OUTCOMES = ("new", "updated", "unchanged", "duplicate")
# Known articles seen again without a new copy (incremental crawls): only last_seen moves.
SEEN_OUTCOMES = ("seen", "not_modified", "unknown")


class StorePipeline:
    """Writes items in batches of ARCHIVE_BATCH_SIZE, or every ARCHIVE_FLUSH_SECONDS, one transaction each.

    A batch bounds what a killed crawl can lose; the flush interval bounds how
    stale the archive is for a reader while a slow crawl runs.
    """

    def __init__(self, stats, db_path: str, batch_size: int, flush_seconds: float):
        self.stats = stats
        self.db_path = db_path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.archive: Archive | None = None
        self.batch: list[CrawledArticle] = []
        self.batch_started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipe = cls(crawler.stats, s.get("ARCHIVE_DB", "archive.db"), s.getint("ARCHIVE_BATCH_SIZE", 50), s.getfloat("ARCHIVE_FLUSH_SECONDS", 5.0))
        # An item validation refused never reaches process_item; its response is kept all the same.
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def open_spider(self, spider=None):
        self.archive = Archive(self.db_path)

    def close_spider(self, spider=None):
        try:
            self.flush()
        finally:
            self.archive.close()

    def item_dropped(self, item, response=None, exception=None, spider=None):
        page = UnparsedPage.dropped(item, exception)
        if page is not None:
            self._add(page)

    def process_item(self, item, spider=None):
        if isinstance(item, (CrawledArticle, UnparsedPage, SeenAgain)):
            self._add(item)
        return item

    def _add(self, item):
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(item)
        if len(self.batch) >= self.batch_size or time.monotonic() - self.batch_started >= self.flush_seconds:
            self.flush()

    def flush(self):
        if not self.batch or self.archive is None:
            return
        batch, self.batch = self.batch, []
        # Written in the reactor thread: a writer thread was measured slower (bench/crawl.py),
        # its Python work (MinHash) fighting the crawl for the GIL.
        counts = self.archive.write(batch, run_id=self.stats.get_value("newsspider/run_id"))
        for outcome, n in counts.items():
            if outcome in ARTICLE_OUTCOMES:
                self.stats.inc_value(f"newsspider/stored/{outcome}", n)
            elif outcome in SEEN_OUTCOMES:
                self.stats.inc_value(f"newsspider/seen/{outcome}", n)
            else:
                self.stats.inc_value(f"newsspider/stored_raw_only/{outcome}", n)
        self.stats.inc_value("newsspider/stored", sum(n for o, n in counts.items() if o in ARTICLE_OUTCOMES))
        self.stats.inc_value("newsspider/batches")
