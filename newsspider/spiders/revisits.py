"""Incremental crawling: what to do with an article link the archive may already hold.

- unknown: fetch it;
- known, and its newest date (published or updated, as the page stated it, else the URL's
  date) is within NEWSSPIDER_RECHECK_DAYS: fetch it again to catch updates, conditionally
  (If-None-Match / If-Modified-Since from the last copy's headers), so an unchanged page
  costs a 304 and no body;
- known and older: do not fetch it; note that it was seen (its last_seen moves).

`-s NEWSSPIDER_INCREMENTAL=0` (`newsspider crawl --full`) fetches everything again. A worker of
a crawl through Redis asks Redis instead of the archive (newsspider/distributed/known.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..archive.frontier import Frontier
from ..parsers.dates import url_date
from ..runs.record import Run


@dataclass
class Decision:
    action: str  # "fetch" or "seen"
    headers: dict[str, str] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


class Revisits:
    def __init__(self, frontier: Frontier | None, recheck_days: float, crawler, run: Run | None = None):
        self.frontier = frontier
        # An incremental crawl asks the run's archive (runs/record.py), which the store holds open: no
        # connection of its own, held from the first lookup. An archive not yet created when the crawl
        # began knows nothing all along, as when the frontier was a connection opened at the start.
        self.run = run if run is not None and Path(run.db_path).exists() else None
        self._holding = False
        # Scrapy sets crawler.stats only when the crawl starts, after the spider is built.
        self.crawler = crawler
        self.recheck_since = datetime.now(timezone.utc) - timedelta(days=recheck_days)

    @classmethod
    def from_crawler(cls, crawler) -> Revisits:
        settings = crawler.settings
        if settings.getbool("NEWSSPIDER_REDIS_KNOWN"):
            # A worker of a crawl through Redis: the archive is ingest's; what it holds is published to Redis.
            from ..distributed import RETRY_SECONDS, connect, keys_from_settings
            from ..distributed.known import KnownInRedis

            server = connect(settings.get("REDIS_URL"), settings.getfloat("REDIS_RETRY_SECONDS", RETRY_SECONDS))
            frontier = KnownInRedis(server, keys_from_settings(settings))
        elif settings.getbool("NEWSSPIDER_INCREMENTAL", True):
            return cls(None, settings.getfloat("NEWSSPIDER_RECHECK_DAYS", 3.0), crawler, run=Run.of(crawler))
        else:
            frontier = None
        return cls(frontier, settings.getfloat("NEWSSPIDER_RECHECK_DAYS", 3.0), crawler)

    def close(self) -> None:
        if self._holding:
            self._holding = False
            self.run.release()
        elif self.frontier is not None:
            self.frontier.close()

    def _frontier(self):
        if self.frontier is None and self.run is not None:
            self.frontier = Frontier(self.run.hold().db)
            self._holding = True
        return self.frontier

    def decide(self, public_url: str) -> Decision:
        frontier = self._frontier()
        known = frontier.lookup(public_url) if frontier is not None else None
        if known is None:
            return Decision("fetch")
        newest = known.newest
        if newest is None and (day := url_date(public_url)):
            newest = datetime(day.year, day.month, day.day)
        if newest is not None and _before(newest, self.recheck_since):
            self.crawler.stats.inc_value("newsspider/incremental/known_old")
            return Decision("seen")
        self.crawler.stats.inc_value("newsspider/incremental/rechecked")
        etag, last_modified = self.frontier.validators(known.article_id)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # A 304 must reach the callback, which notes the article as seen, unchanged.
        return Decision("fetch", headers, {"handle_httpstatus_list": [304], "known_url": public_url})


def _before(moment: datetime, limit: datetime) -> bool:
    if moment.tzinfo is None:
        return moment < limit.replace(tzinfo=None)
    return moment < limit
