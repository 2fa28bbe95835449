"""`newsspider ingest`: the one writer of a crawl spread over workers (`newsspider crawl --redis URL`).

Messages are moved from PREFIX:items to PREFIX:items:ingesting (LMOVE, so a message is
always in one list or the other), judged by the same dedupe as a local crawl, written in
one transaction per batch, and only then deleted from Redis: a killed ingest loses
nothing. Exactly once: each message carries an id its worker made, recorded in the
ingested_messages table in the same transaction as its rows and the run's counts so far,
so the batch a killed ingest was writing is taken again on restart and what it had
written is skipped, neither stored nor counted twice. A message that cannot be read or
stored goes to PREFIX:items:rejected, with the reason, instead of blocking the queue.

It stops when the list has been empty, and no worker has held a lease, for
`idle_seconds`; with `follow` it runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..archive.db import Archive
from ..runs import health
from ..runs.crawl import run_exit_code
from . import RETRY_SECONDS, RedisKeys, codec, connect, known, redact
from .coordinator import alive_workers
from ..items import CrawledArticle
from ..runs.counts import RunCounts, run_status
from ..settings import INGEST_LINGER_SECONDS

logger = logging.getLogger(__name__)

SPIDER_NAME = "ingest"  # its crawl_runs rows: the spiders whose items it wrote are in args and stats
LINGER_POLL_SECONDS = 0.05
# A worker's counts of what it fetched; what was stored is counted here, as it is written.
REPORTED_COUNTS = ("pages_fetched", "not_found", "http_errors")
# Runs whose message ids are kept: a message comes again only from the last run's unfinished
# batch, or as a second copy of a push, next to the first in the list.
KEEP_INGESTED_RUNS = 10
# A test hook, for the tests only: SIGKILL this process right after its Nth batch commits,
# before the batch is deleted from Redis, the window a replay comes from.
TEST_HOOK_KILL_AFTER_COMMIT = "NEWSSPIDER_TEST_HOOK_KILL_INGEST_AFTER_COMMIT"
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
        server = connect(redis_url, settings.getfloat("REDIS_RETRY_SECONDS", RETRY_SECONDS))
        ingest = Ingest(server, RedisKeys(prefix), archive,
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
        self.batch_size = max(1, batch_size)
        self.linger_seconds = linger_seconds
        self.idle_seconds = idle_seconds
        self.follow = follow
        self.block_seconds = block_seconds
        self.stop_requested = False
        self.outcomes: Counter = Counter()
        self.spiders: Counter = Counter()
        self.reports: list[dict[str, Any]] = []
        self.messages = self.rejected = self.batches = self.replayed = 0
        self.kill_after_commit = int(os.environ.get(TEST_HOOK_KILL_AFTER_COMMIT) or 0)
        self.run_id: int | None = None
        self.settings = settings
        self.coverage = _Tally()

    def request_stop(self, *_):
        self.stop_requested = True

    def run(self, *, redis_url: str) -> IngestResult:
        started = time.monotonic()
        self.run_id = self.archive.start_run(SPIDER_NAME, {"args": {"redis": redact(redis_url), "prefix": self.keys.prefix,
                                                                    "idle_seconds": self.idle_seconds, "follow": self.follow}})
        self.archive.forget_ingested(SPIDER_NAME, keep_runs=KEEP_INGESTED_RUNS)
        published = known.publish(self.server, self.keys, self.archive.db)
        logger.info("published %d known article URLs to %s", published, self.keys.known)
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
        stats = {**self.stats(self.outcomes, self.reports, self.spiders), "finish_reason": reason}
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

    def stats(self, outcomes: Counter, reports: list[dict], spiders: Counter) -> dict[str, Any]:
        return {"outcomes": dict(outcomes), "spiders": dict(spiders), "messages": self.messages, "replayed": self.replayed,
                "rejected": self.rejected, "batches": self.batches, "workers": reports}

    def counts(self, outcomes: Counter | None = None, reports: list[dict] | None = None) -> RunCounts:
        values: Counter = Counter()
        for outcome, n in (self.outcomes if outcomes is None else outcomes).items():
            if outcome in OUTCOME_COUNTS:
                values[OUTCOME_COUNTS[outcome]] += n
        for report in self.reports if reports is None else reports:
            for name in REPORTED_COUNTS:
                values[name] += int((report.get("counts") or {}).get(name) or 0)
        return RunCounts(**values)

    # ---- the loop ----------------------------------------------------------------------
    def _loop(self) -> None:
        leftover = self.server.llen(self.keys.ingesting)
        if leftover:
            logger.warning("writing again %d messages a previous ingest took but did not finish"
                           " (those it had written are skipped)", leftover)
            self._write(self._taken())
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

    def _taken(self) -> list[bytes]:
        """Everything in PREFIX:items:ingesting, oldest first (LMOVE pushes at the left)."""
        return list(reversed(self.server.lrange(self.keys.ingesting, 0, -1)))

    def _take(self) -> list[bytes]:
        k = self.keys
        first = self.server.blmove(k.items, k.ingesting, self.block_seconds, "RIGHT", "LEFT")
        if first is None:
            # A move Redis made whose reply was lost (a dropped connection, retried) is in the list all the same.
            return self._taken() if self.server.llen(k.ingesting) else []
        batch = [first]
        deadline = time.monotonic() + self.linger_seconds
        while True:
            batch += self._take_waiting(self.batch_size - len(batch))
            remaining = deadline - time.monotonic()
            if len(batch) >= self.batch_size or remaining <= 0 or self.stop_requested:
                break
            # A short nap rather than a blocking pop per message: fewer round trips while items trickle in.
            time.sleep(min(remaining, LINGER_POLL_SECONDS))
        # The list, not the replies, says what was taken: the batch is deleted from it as a whole.
        return batch if self.server.llen(k.ingesting) == len(batch) else self._taken()

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
        """Write a batch exactly once: messages an earlier run wrote are skipped, the rest written with their ids."""
        decoded = []
        for data in batch:
            try:
                message = codec.decode(data)
            except codec.UnreadableMessage as exc:
                decoded.append((codec.fallback_id(data), data, None, str(exc)))
            else:
                decoded.append((message.id, data, message, None))
        written = self.archive.ingested({message_id for message_id, *_ in decoded})
        items, reports, other_ids, spiders = [], [], [], Counter()
        for message_id, data, message, error in decoded:
            if message_id in written:
                self.replayed += 1
                continue
            written.add(message_id)  # a message pushed twice (a retried push) is written once too
            self.messages += 1
            if message is None:
                # Set aside before the commit: a kill in between keeps it there twice, never loses it.
                self._reject(data, error)
                other_ids.append(message_id)
            elif message.report is not None:
                reports.append({"spider": message.spider, "worker": message.worker, **message.report})
                other_ids.append(message_id)
            else:
                spiders[message.spider or "?"] += 1
                items.append((message_id, data, message.item))
        skipped = len(decoded) - len(items) - len(other_ids)
        if skipped:
            logger.warning("skipped %d messages of the batch already written to the archive", skipped)
        self._store(items, reports, other_ids, spiders)
        # What workers may now skip or re-check (a kill before this is made good by the next start).
        urls = {url for _, _, item in items if isinstance(item, CrawledArticle)
                for url in (item.article.canonical_url, item.article.url)}
        if urls:
            known.publish(self.server, self.keys, self.archive.db, sorted(urls))
        if self.kill_after_commit and self.batches + 1 >= self.kill_after_commit:
            os.kill(os.getpid(), signal.SIGKILL)  # the test hook: die in the commit/delete window
        self.server.delete(self.keys.ingesting)
        self.batches += 1

    def _store(self, items: list[tuple[str, bytes, Any]], reports: list[dict], other_ids: list[str], spiders: Counter) -> None:
        """Rows, message ids and the run's counts so far, in one transaction per batch (or per item if the batch fails)."""
        try:
            with self.archive.db.atomic():
                outcomes = self.archive.write([item for _, _, item in items], run_id=self.run_id)
                self._record(outcomes, reports, spiders, other_ids + [message_id for message_id, _, _ in items])
            self._committed(outcomes, reports, spiders, [item for _, _, item in items])
            return
        except sqlite3.OperationalError:
            raise  # the disk or the file, not the data: every item would fail the same way
        except Exception as exc:
            logger.warning("a batch of %d failed (%s); writing its items one by one", len(items), exc)
        with self.archive.db.atomic():
            self._record(Counter(), reports, spiders, other_ids)
        self._committed(Counter(), reports, spiders, [])
        for message_id, data, item in items:
            try:
                with self.archive.db.atomic():
                    outcomes = self.archive.write([item], run_id=self.run_id)
                    self._record(outcomes, [], Counter(), [message_id])
            except sqlite3.OperationalError:
                raise
            except Exception as exc:
                self._reject(data, f"cannot store: {type(exc).__name__}: {exc}")
                with self.archive.db.atomic():
                    self.archive.record_ingested([message_id], self.run_id)
            else:
                self._committed(outcomes, [], Counter(), [item])

    def _record(self, outcomes: Counter, reports: list[dict], spiders: Counter, message_ids: list[str]) -> None:
        """In the batch's transaction: its message ids, and the run's counts as they stand once it commits."""
        self.archive.record_ingested(message_ids, self.run_id)
        counts = self.counts(self.outcomes + outcomes, self.reports + reports)
        self.archive.save_run_progress(self.run_id, counts=counts.as_dict(),
                                       stats=self.stats(self.outcomes + outcomes, self.reports + reports, self.spiders + spiders))

    def _committed(self, outcomes: Counter, reports: list[dict], spiders: Counter, items: list) -> None:
        self.outcomes.update(outcomes)
        self.reports.extend(reports)
        self.spiders.update(spiders)
        self._count_fields(items)

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
