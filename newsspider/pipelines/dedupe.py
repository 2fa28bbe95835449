"""Dedupe: one article per canonical URL, and exact copies linked to the first copy.

The verdict is written on the item (`known`, `duplicate_of`) for the store
pipeline to act on; recording a copy's URL is a write, and writes belong to store.
"""

from __future__ import annotations

from ..archive.db import MIN_DUPLICATE_BODY_CHARS, Archive, content_hash
from ..items import CrawledArticle
from ..runs.record import Run


class Deduper:
    """The dedupe verdict on one item, given the archive and what came before it in this run.

    Shared by the pipeline and by `newsspider ingest`, which writes items that workers
    fetched: both must judge a page the same way.
    """

    def __init__(self, archive: Archive):
        self.archive = archive
        # This run's items may still sit in an open, uncommitted batch, so the archive
        # alone cannot answer for them.
        self.seen_canonical: set[str] = set()
        self.first_by_hash: dict[str, str] = {}

    def judge(self, item: CrawledArticle) -> CrawledArticle:
        article = item.article
        item.content_hash = content_hash(article.body)
        canonical = article.canonical_url
        item.known = canonical in self.seen_canonical or self.archive.has_canonical(canonical)
        self.seen_canonical.add(canonical)
        digest = item.content_hash
        if digest and len(article.body or "") >= MIN_DUPLICATE_BODY_CHARS:
            first = self.first_by_hash.get(digest) or self.archive.canonical_for_hash(digest)
            if first and first != canonical:
                item.duplicate_of = first
            else:
                self.first_by_hash.setdefault(digest, canonical)
        return item


class DedupePipeline:
    def __init__(self, stats, run: Run):
        self.stats = stats
        self.run = run
        self.deduper: Deduper | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, Run.of(crawler))

    def open_spider(self, spider=None):
        self.deduper = Deduper(self.run.hold())

    def close_spider(self, spider=None):
        if self.deduper is not None:
            self.deduper = None
            self.run.release()

    def process_item(self, item, spider=None):
        if not isinstance(item, CrawledArticle):
            return item
        self.deduper.judge(item)
        if item.known:
            self.stats.inc_value("newsspider/dedupe/known_url")
        if item.duplicate_of:
            self.stats.inc_value("newsspider/dedupe/same_body")
        return item
