"""`newsspider crawl SPIDER --redis URL`: one worker of a crawl shared through Redis.

The crawl runs as usual, but with the shared frontier and duplicate filter and with
items pushed to Redis for `newsspider ingest` (see newsspider/distributed/). The worker
never opens the archive, so it takes no archive lock: any number run at once, anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.exceptions import RedisError

from ..runs.crawl import EXIT_FAILED, EXIT_OK, CrawlResult, run_crawl
from . import RETRY_SECONDS, RedisKeys, apply_worker_settings, connect, persistence_warning, redact, worker_id
from .coordinator import Coordinator
from ..runs.counts import limits_hit


class RedisUnavailable(RuntimeError):
    pass


@dataclass
class WorkerResult:
    crawl: CrawlResult
    worker: str

    @property
    def pushed(self) -> int:
        return int(self.crawl.stats.get("newsspider/redis/pushed", 0))

    @property
    def exit_code(self) -> int:
        # Storing nothing is the writer's alarm (ingest exits 3): a worker whose peers
        # fetched every page did its part.
        return EXIT_OK if self.crawl.finish_reason == "finished" else EXIT_FAILED


def ping(url: str, retry_seconds: float = RETRY_SECONDS) -> str | None:
    """Wait (up to `retry_seconds`) for Redis to answer; returns a warning if a restart of it would lose the crawl."""
    try:
        server = connect(url, retry_seconds)
        server.ping()
        return persistence_warning(server)
    except (RedisError, OSError, ValueError) as exc:  # refused, timed out, bad password, bad URL: all read the same
        raise RedisUnavailable(f"cannot reach Redis at {redact(url)}: {exc}") from None


def reset_job(url: str, job: str, prefix: str, retry_seconds: float = RETRY_SECONDS) -> int:
    """Forget JOB's frontier and seen requests; returns the number of live workers that prevented it (0: done)."""
    keys = RedisKeys.for_job(prefix, job)
    try:
        return Coordinator(connect(url, retry_seconds), keys, worker_id()).reset()
    except RedisError as exc:
        raise RedisUnavailable(f"cannot reset job {job} at {redact(url)}: {exc}") from None


def run_worker(spider: str, *, settings, args: dict[str, str], url: str, job: str, prefix: str) -> WorkerResult:
    apply_worker_settings(settings, url=url, job=job, prefix=prefix)
    return WorkerResult(run_crawl(spider, settings=settings, args=args), worker_id())


def summary_line(spider: str, result: WorkerResult, url: str, job: str) -> str:
    c = result.crawl.counts
    reason = result.crawl.finish_reason
    status = "finished" if reason == "finished" else f"failed ({reason})"
    return (
        f"newsspider {spider} worker {result.worker} {status} in {result.crawl.elapsed:.1f}s: {c.pages_fetched} pages, "
        f"{result.pushed} items queued, {c.dropped} dropped, {c.parse_errors} parse errors, {c.not_found} not found, "
        f"{c.http_errors} HTTP errors -> {redact(url)} job {job}"
    ) + limits_hit(result.crawl.stats)
