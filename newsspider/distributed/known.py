"""Known articles in Redis: what a worker, which never opens the archive, needs to crawl incrementally.

`newsspider ingest` publishes the archive's article URLs to PREFIX:known (a hash, URL ->
JSON [article_id, canonical_url, published_at, updated_at, first_seen, etag, last_modified]):
all of them when it starts (built aside, then renamed over the old hash), and those of each
batch once it committed. Workers look links up there through `KnownInRedis`, which answers
as the archive's Frontier does, so newsspider/spiders/revisits.py decides the same way for a
worker as for a local crawl: skip a known old article, re-check a recent one conditionally.

Known means stored before this crawl began (PREFIX:JOB:started): within a crawl, the shared
seen set already keeps a page from being fetched twice, and an article the crawl itself
stored under another URL (an alias) is then fetched as a local crawl would.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..archive.frontier import Known, _newest, known_urls

PUBLISH_CHUNK = 1000


def publish(server, keys, db, urls: list[str] | None = None) -> int:
    """Publish the archive's known URLs (all, or `urls`); returns how many."""
    target = keys.known if urls is not None else f"{keys.known}:building"
    if urls is None:
        server.delete(target)
    count, pipe = 0, server.pipeline(transaction=False)
    for url, *value in known_urls(db, urls):
        pipe.hset(target, url, json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        count += 1
        if count % PUBLISH_CHUNK == 0:
            pipe.execute()
    pipe.execute()
    if urls is None:
        if count:
            server.rename(target, keys.known)
        else:
            server.delete(keys.known)
    return count


class KnownInRedis:
    """The archive's Frontier interface (lookup, validators), answered from PREFIX:known."""

    def __init__(self, server, keys):
        self.server = server
        self.keys = keys
        self._since: float | None = None
        self._validators: dict[int, tuple[str | None, str | None]] = {}

    def close(self) -> None:
        pass

    def lookup(self, url: str) -> Known | None:
        value = self.server.hget(self.keys.known, url)
        if value is None:
            return None
        article_id, canonical_url, published, updated, first_seen, etag, last_modified = json.loads(value)
        if not self._before_this_crawl(first_seen):
            return None
        if len(self._validators) > 10_000:
            self._validators.clear()
        self._validators[article_id] = (etag, last_modified)
        return Known(article_id, canonical_url, _newest(published, updated))

    def validators(self, article_id: int) -> tuple[str | None, str | None]:
        return self._validators.get(article_id, (None, None))

    def _before_this_crawl(self, first_seen: str | None) -> bool:
        if self._since is None:
            started = self.server.get(self.keys.started)
            self._since = float(started) if started else float("inf")
        try:
            return datetime.fromisoformat(first_seen).timestamp() < self._since
        except (TypeError, ValueError):
            return True
