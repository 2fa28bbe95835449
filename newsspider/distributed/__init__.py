"""Crawling with several processes through Redis: `newsspider crawl --redis URL` and `newsspider ingest`.

Workers share one frontier and one duplicate filter (scrapy-redis) and push their items
to a Redis list; one `newsspider ingest`, next to the archive, writes them, so the SQLite
archive keeps a single writer. Keys, for PREFIX (`--redis-prefix`, default "newsspider")
and JOB (`--redis-job`, default the spider's name):

    PREFIX:JOB:requests    sorted set  the shared frontier: requests as JSON (request_codec.py), by priority
    PREFIX:JOB:dupefilter  set         fingerprints of every request scheduled in this crawl
    PREFIX:JOB:workers     sorted set  worker id -> end of its lease (Redis server time, seconds)
    PREFIX:JOB:state       hash        worker id -> "busy" or "idle"
    PREFIX:JOB:done        string      set when the crawl completed: the next worker starts a new one
    PREFIX:JOB:started     string      when the crawl began (Redis time, seconds): known articles are those stored before
    PREFIX:JOB:inflight:W  hash        the requests worker W took and has not finished: back to the frontier if W dies
    PREFIX:workers         sorted set  "JOB/worker id" -> end of lease, all jobs: ingest waits for them
    PREFIX:items           list        encoded items and worker reports (codec.py), oldest at the right
    PREFIX:items:ingesting list        the batch ingest is writing; written again after a crash
    PREFIX:items:rejected  list        messages ingest could not read or store, kept for a person
    PREFIX:known           hash        the archive's articles, URL -> dates and validators, published by ingest

Different archives sharing one Redis use different prefixes (or Redis databases: /0, /1, ...).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from redis.retry import Retry

# Defaults of REDIS_LEASE_SECONDS (a worker silent this long is dead) and REDIS_RETRY_SECONDS.
from ..names import check_name
from ..settings import REDIS_LEASE_SECONDS as LEASE_SECONDS, REDIS_RETRY_SECONDS as RETRY_SECONDS  # noqa: F401 (LEASE_SECONDS: re-exported)

DEFAULT_PREFIX = "newsspider"


@dataclass(frozen=True)
class RedisKeys:
    prefix: str
    job: str = ""  # ingest reads only the prefix's keys

    @classmethod
    def for_job(cls, prefix: str, job: str) -> RedisKeys:
        """The keys of a job, its names checked: what a worker or a reset is about to write or delete."""
        return cls(check_name(prefix, "the Redis key prefix"), check_name(job, "the job name"))

    @property
    def requests(self) -> str:
        return f"{self.prefix}:{self.job}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:{self.job}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:{self.job}:workers"

    @property
    def state(self) -> str:
        return f"{self.prefix}:{self.job}:state"

    @property
    def done(self) -> str:
        return f"{self.prefix}:{self.job}:done"

    @property
    def started(self) -> str:
        return f"{self.prefix}:{self.job}:started"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:{self.job}:inflight:{worker}"

    @property
    def known(self) -> str:
        return f"{self.prefix}:known"

    @property
    def all_workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def ingesting(self) -> str:
        return f"{self.prefix}:items:ingesting"

    @property
    def rejected(self) -> str:
        return f"{self.prefix}:items:rejected"

    def job_keys(self) -> list[str]:
        """What `--redis-reset` deletes: the crawl's frontier and memory, not the items on their way to the archive."""
        return [self.requests, self.dupefilter, self.workers, self.state, self.done, self.started]


RETRY_FIRST_WAIT = 0.1
RETRY_MAX_WAIT = 10.0


def redis_options(retry_seconds: float = RETRY_SECONDS) -> dict:
    """Keyword arguments of every Redis client newsspider makes (ours and scrapy-redis's, through REDIS_PARAMS)."""
    return {"socket_connect_timeout": 10, "socket_timeout": 30, "health_check_interval": 30,
            "retry": PatientRetry(retry_seconds)}


def connect(url: str, retry_seconds: float = RETRY_SECONDS):
    import redis

    return redis.Redis.from_url(url, **redis_options(retry_seconds))


class PatientRetry(Retry):
    """redis-py's Retry, by time rather than by count: a worker waits out a Redis restart instead of losing its place.

    Every command is retried, with exponential backoff (0.1 s doubling up to 10 s), for
    `seconds` after the first failure of a refused, lost or timed-out connection, or of a
    Redis still loading its data; a bad password or a refused permission fails at once.
    Every command newsspider sends is safe to send twice: pushed messages carry ids (ingest
    writes each once), ingest deletes the list it moved messages into rather than the ones
    it was told of, and a request taken twice is in the taker's in-flight hash.
    """

    def __init__(self, seconds: float):
        from redis.backoff import ExponentialBackoff

        super().__init__(ExponentialBackoff(cap=RETRY_MAX_WAIT, base=RETRY_FIRST_WAIT), -1)
        self.seconds = float(seconds)

    def __eq__(self, other):
        return isinstance(other, PatientRetry) and other.seconds == self.seconds

    __hash__ = object.__hash__

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        import logging
        import time

        from redis.exceptions import AuthenticationError, AuthorizationError, ConnectionError

        failures, deadline = 0, None
        while True:
            try:
                result = do()
            except self._supported_errors as error:
                if isinstance(error, (AuthenticationError, AuthorizationError)) or (is_retryable and not is_retryable(error)):
                    raise
                failures += 1
                fail(error, failures) if with_failure_count else fail(error)
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self.seconds
                    if self.seconds > 0:
                        logging.getLogger(__name__).warning(
                            "lost Redis (%s): retrying for up to %.0f s (REDIS_RETRY_SECONDS)", error, self.seconds)
                if now >= deadline:
                    raise ConnectionError(f"Redis unreachable for {self.seconds:.0f} s (REDIS_RETRY_SECONDS), giving up: {error}") from error
                time.sleep(min(self._backoff.compute(failures), deadline - now))
            else:
                if failures:
                    logging.getLogger(__name__).warning("Redis is back after %d failed attempts", failures)
                return result


def persistence_warning(server) -> str | None:
    """Why a restart of this Redis would lose the frontier and the items not yet ingested, if it would."""
    from redis.exceptions import RedisError, ResponseError

    try:
        appendonly = server.config_get("appendonly").get("appendonly")
        save = server.config_get("save").get("save")
    except ResponseError as exc:  # CONFIG renamed, disabled or denied by an ACL: cannot tell
        return (f"cannot check whether Redis persists its data (CONFIG GET refused: {exc}); unless it runs with "
                "appendonly yes, a restart of Redis loses the shared frontier and the items not yet ingested")
    except RedisError:
        return None  # unreachable: said elsewhere
    if appendonly == "yes":
        return None
    if save:
        return (f"Redis persists only snapshots (appendonly no, save {save!r}): a restart loses every request and item "
                "since the last one; set appendonly yes (appendfsync everysec)")
    return ("Redis does not persist its data (appendonly no, no save points): a restart of Redis loses the shared "
            "frontier and every item not yet ingested; set appendonly yes (appendfsync everysec)")


def redact(url: str) -> str:
    """The URL without its password, for logs, summaries and crawl_runs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


# Components that open the SQLite archive: a worker runs none of them.
ARCHIVE_PIPELINES = ("newsspider.pipelines.store.StorePipeline",)
ARCHIVE_EXTENSIONS = ("newsspider.runs.recorder.CrawlRunRecorder",)
PUSH_PIPELINE = "newsspider.distributed.push.RedisPushPipeline"
INFLIGHT_MIDDLEWARE = "newsspider.distributed.scheduler.InFlightTagger"


def apply_worker_settings(settings, *, url: str, job: str, prefix: str = DEFAULT_PREFIX) -> None:
    """Turn a crawl's settings into a worker's: shared frontier and dupefilter, items to Redis, no archive."""
    keys = RedisKeys.for_job(prefix, job)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    position = pipelines.get(ARCHIVE_PIPELINES[-1], 300)
    for name in ARCHIVE_PIPELINES:
        pipelines[name] = None
    pipelines[PUSH_PIPELINE] = position
    extensions = dict(settings.getdict("EXTENSIONS"))
    for name in ARCHIVE_EXTENSIONS:
        extensions[name] = None
    middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    middlewares[INFLIGHT_MIDDLEWARE] = 10  # nearest the engine: sees every item, as the pipelines get it
    values = {
        "SPIDER_MIDDLEWARES": middlewares,
        "REDIS_PARAMS": redis_options(settings.getfloat("REDIS_RETRY_SECONDS", RETRY_SECONDS)),
        "SCHEDULER": "newsspider.distributed.scheduler.RedisScheduler",
        "DUPEFILTER_CLASS": "newsspider.distributed.scheduler.RedisDupeFilter",
        "SCHEDULER_SERIALIZER": "newsspider.distributed.request_codec",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        # The frontier outlives a worker: RedisScheduler decides when a crawl is over.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "NEWSSPIDER_REDIS_PREFIX": keys.prefix,
        "NEWSSPIDER_REDIS_JOB": keys.job,
        "ITEM_PIPELINES": pipelines,
        "EXTENSIONS": extensions,
        "ARCHIVE_RECORD_RUNS": False,
        # Its items go to Redis without what the archive's write would use (ingest makes that).
        "NEWSSPIDER_PARSE_PRECOMPUTE": False,
        # A worker never opens the archive: known articles come from what ingest publishes
        # to Redis (known.py), unless the crawl is a full one (--full).
        "NEWSSPIDER_REDIS_KNOWN": settings.getbool("NEWSSPIDER_INCREMENTAL", True),
        "NEWSSPIDER_INCREMENTAL": False,
    }
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")


def keys_from_settings(settings) -> RedisKeys:
    return RedisKeys(settings.get("NEWSSPIDER_REDIS_PREFIX") or DEFAULT_PREFIX, settings.get("NEWSSPIDER_REDIS_JOB"))
