"""`newsspider ingest`: the one writer of a crawl spread over workers (`newsspider crawl --redis URL`).

Messages are moved from PREFIX:items to PREFIX:items:ingesting (LMOVE, so a message is
always in one list or the other), judged by the same dedupe as a local crawl, written in
one transaction per batch, and only then deleted from Redis: a killed ingest loses
nothing, and the batch it was writing is written again when it restarts (a store of the
same page twice leaves the article unchanged). A message that cannot be read or stored
goes to PREFIX:items:rejected, with the reason, instead of blocking the queue.

It stops when the list has been empty, and no worker has held a lease, for
`idle_seconds`; with `follow` it runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .archive.db import Archive
from . import health
from .crawl import run_exit_code
from .distributed import RedisKeys, codec, connect, redact
from .distributed.coordinator import alive_workers
from .items import CrawledArticle
from .pipelines.dedupe import Deduper
from .runstats import RunCounts, run_status
from .settings import INGEST_LINGER_SECONDS

logger = logging.getLogger(__name__)

SPIDER_NAME = "ingest"  # its crawl_runs rows: the spiders whose items it wrote are in args and stats
LINGER_POLL_SECONDS = 0.05
# A worker's counts of what it fetched; what was stored is counted here, as it is written.
REPORTED_COUNTS = ("pages_fetched", "not_found", "http_errors")
OUTCOME_COUNTS = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged",
                  "duplicate": "duplicates", "dropped": "dropped", "parse_error": "parse_errors",
                  "seen": "articles_seen", "not_modified": "not_modified"}


@dataclass
class IngestResult:
    run_id: int | None
    status: str
    finish_reason: str
    counts: RunCounts
    elapsed: float
    rejected: int = 0
    error: str | None = None
    alarms: list[dict] = field(default_factory=list)

    @property
    def failure(self) -> str | None:
        return self.error

    @property
    def exit_code(self) -> int:
        return run_exit_code(self.status, self.alarms)


def run_ingest(redis_url: str, db_path: str, *, prefix: str, settings, idle_seconds: float, follow: bool,
               batch_size: int | None = None) -> IngestResult:
    """Ingest into `db_path` (the caller holds its ArchiveLock and has closed the runs a killed process left open)."""
    with Archive(db_path) as archive:
        ingest = Ingest(connect(redis_url), RedisKeys(prefix), archive,
                        batch_size=batch_size or settings.getint("ARCHIVE_BATCH_SIZE", 50),
                        idle_seconds=idle_seconds, follow=follow, settings=settings,
                        linger_seconds=settings.getfloat("INGEST_LINGER_SECONDS", INGEST_LINGER_SECONDS))
        return ingest.run(redis_url=redis_url)


class _Tally(dict):
    """The part of Scrapy's stats collector that health.count uses."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count


class Ingest:
    def __init__(self, server, keys: RedisKeys, archive: Archive, *, batch_size: int = 50,
                 idle_seconds: float = 10.0, follow: bool = False, block_seconds: float = 1.0, settings,
                 linger_seconds: float = INGEST_LINGER_SECONDS):
        self.server = server
        self.keys = keys
        self.archive = archive
        self.deduper = Deduper(archive)
        self.batch_size = max(1, batch_size)
        self.linger_seconds = linger_seconds
        self.idle_seconds = idle_seconds
        self.follow = follow
        self.block_seconds = block_seconds
        self.stop_requested = False
        self.outcomes: Counter = Counter()
        self.spiders: Counter = Counter()
        self.reports: list[dict[str, Any]] = []
        self.messages = self.rejected = self.batches = 0
        self.run_id: int | None = None
        self.settings = settings
        self.coverage = _Tally()

    def request_stop(self, *_):
        self.stop_requested = True

    def run(self, *, redis_url: str) -> IngestResult:
        started = time.monotonic()
        self.run_id = self.archive.start_run(SPIDER_NAME, {"args": {"redis": redact(redis_url), "prefix": self.keys.prefix,
                                                                    "idle_seconds": self.idle_seconds, "follow": self.follow}})
        reason, error = "finished", None
        previous = {sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop()
            if self.stop_requested and not self.follow:
                reason = "shutdown"  # stopped before the queue ran dry: as for an interrupted crawl
        except Exception as exc:  # Redis gone, disk full: the batch in flight stays in Redis for the next run
            reason, error = "failed", f"{type(exc).__name__}: {exc}"
            logger.error("ingest stopped: %s", error)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        counts = self.counts()
        status = run_status(reason, counts)
        stats = {"outcomes": dict(self.outcomes), "spiders": dict(self.spiders), "messages": self.messages,
                 "rejected": self.rejected, "batches": self.batches, "workers": self.reports, "finish_reason": reason}
        if error:
            stats["error"] = error
        coverage = health.coverage_from_stats(self.coverage)
        # Against earlier ingest runs: coverage is per site, whichever workers fetched it.
        alarms = health.run_alarms(self.archive, SPIDER_NAME, self.run_id, coverage, self.settings)
        if alarms:
            logger.error("health alarm: %s", health.describe(alarms))
        self.archive.finish_run(self.run_id, status=status, finish_reason=reason, counts=counts.as_dict(), stats=stats,
                                coverage=coverage, alarms=alarms)
        return IngestResult(self.run_id, status, reason, counts, time.monotonic() - started,
                            rejected=self.rejected, error=error, alarms=alarms)

    def counts(self) -> RunCounts:
        values: Counter = Counter()
        for outcome, n in self.outcomes.items():
            if outcome in OUTCOME_COUNTS:
                values[OUTCOME_COUNTS[outcome]] += n
        for report in self.reports:
            for name in REPORTED_COUNTS:
                values[name] += int((report.get("counts") or {}).get(name) or 0)
        return RunCounts(**values)

    # ---- the loop ----------------------------------------------------------------------
    def _loop(self) -> None:
        leftover = self.server.lrange(self.keys.ingesting, 0, -1)
        if leftover:
            logger.warning("writing again %d messages a previous ingest took but did not finish", len(leftover))
            self._write(list(reversed(leftover)))  # LMOVE pushed them at the left: newest first
        quiet_since = time.monotonic()
        while not self.stop_requested:
            batch = self._take()
            if batch:
                self._write(batch)
                quiet_since = time.monotonic()
            elif alive_workers(self.server, self.keys):
                quiet_since = time.monotonic()  # a worker may still be fetching its next page
            elif not self.follow and time.monotonic() - quiet_since >= self.idle_seconds:
                return

    def _take(self) -> list[bytes]:
        k = self.keys
        first = self.server.blmove(k.items, k.ingesting, self.block_seconds, "RIGHT", "LEFT")
        if first is None:
            return []
        batch = [first]
        deadline = time.monotonic() + self.linger_seconds
        while True:
            batch += self._take_waiting(self.batch_size - len(batch))
            remaining = deadline - time.monotonic()
            if len(batch) >= self.batch_size or remaining <= 0 or self.stop_requested:
                return batch
            # A short nap rather than a blocking pop per message: fewer round trips while items trickle in.
            time.sleep(min(remaining, LINGER_POLL_SECONDS))

    def _take_waiting(self, limit: int) -> list[bytes]:
        """Up to `limit` messages already in the list, without waiting for more."""
        k = self.keys
        waiting = min(limit, self.server.llen(k.items)) if limit > 0 else 0
        if waiting <= 0:
            return []
        pipe = self.server.pipeline(transaction=False)
        for _ in range(waiting):
            pipe.lmove(k.items, k.ingesting, "RIGHT", "LEFT")
        return [m for m in pipe.execute() if m is not None]

    def _write(self, batch: list[bytes]) -> None:
        items: list[tuple[bytes, Any]] = []
        for data in batch:
            self.messages += 1
            try:
                message = codec.decode(data)
            except codec.UnreadableMessage as exc:
                self._reject(data, str(exc))
                continue
            if message.report is not None:
                self.reports.append({"spider": message.spider, "worker": message.worker, **message.report})
                continue
            self.spiders[message.spider or "?"] += 1
            if isinstance(message.item, CrawledArticle):
                self.deduper.judge(message.item)
            items.append((data, message.item))
        if items:
            self._store(items)
        self.server.delete(self.keys.ingesting)
        self.batches += 1

    def _store(self, items: list[tuple[bytes, Any]]) -> None:
        try:
            self.outcomes.update(self.archive.write([item for _, item in items], run_id=self.run_id))
            self._count_fields(item for _, item in items)
            return
        except sqlite3.OperationalError:
            raise  # the disk or the file, not the data: every item would fail the same way
        except Exception as exc:
            logger.warning("a batch of %d failed (%s); writing its items one by one", len(items), exc)
        for data, item in items:
            try:
                self.outcomes.update(self.archive.write([item], run_id=self.run_id))
            except sqlite3.OperationalError:
                raise
            except Exception as exc:
                self._reject(data, f"cannot store: {type(exc).__name__}: {exc}")
            else:
                self._count_fields([item])

    def _count_fields(self, items) -> None:
        # As the crawl's FieldCoverage counts them: every article stored, new or seen again.
        for item in items:
            if isinstance(item, CrawledArticle):
                health.count(self.coverage, item.article)

    def _reject(self, data: bytes, reason: str) -> None:
        self.rejected += 1
        logger.warning("rejected a message (%s); kept in %s", reason, self.keys.rejected)
        record = {"error": reason, "rejected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "message": data.decode("utf-8", "replace")}
        self.server.lpush(self.keys.rejected, json.dumps(record, ensure_ascii=False))
