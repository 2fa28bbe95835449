"""Store: batched, transactional writes into the SQLite archive."""

from __future__ import annotations

import time

from ..archive.db import Archive
from ..items import CrawledArticle


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
        return cls(crawler.stats, s.get("ARCHIVE_DB", "archive.db"), s.getint("ARCHIVE_BATCH_SIZE", 50), s.getfloat("ARCHIVE_FLUSH_SECONDS", 5.0))

    def open_spider(self, spider=None):
        self.archive = Archive(self.db_path)

    def close_spider(self, spider=None):
        try:
            self.flush()
        finally:
            self.archive.close()

    def process_item(self, item, spider=None):
        if not isinstance(item, CrawledArticle):
            return item
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(item)
        if len(self.batch) >= self.batch_size or time.monotonic() - self.batch_started >= self.flush_seconds:
            self.flush()
        return item

    def flush(self):
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        counts = self.archive.write(batch)
        for outcome, n in counts.items():
            self.stats.inc_value(f"newsspider/stored/{outcome}", n)
        self.stats.inc_value("newsspider/stored", sum(counts.values()))
        self.stats.inc_value("newsspider/batches")
