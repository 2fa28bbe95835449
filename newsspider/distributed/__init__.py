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
    PREFIX:workers         sorted set  "JOB/worker id" -> end of lease, all jobs: ingest waits for them
    PREFIX:items           list        encoded items and worker reports (codec.py), oldest at the right
    PREFIX:items:ingesting list        the batch ingest is writing; written again after a crash
    PREFIX:items:rejected  list        messages ingest could not read or store, kept for a person

Different archives sharing one Redis use different prefixes (or Redis databases: /0, /1, ...).
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PREFIX = "newsspider"
# A worker not heard from for this long is taken for dead: its share of the crawl is
# no longer waited for. Renewed every LEASE_SECONDS / 6.
LEASE_SECONDS = 60
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(value: str, what: str) -> str:
    # scrapy-redis %-formats its key settings, and ':' separates our key parts.
    if not _NAME.match(value or ""):
        raise ValueError(f"{what} must be letters, digits, '_', '.' or '-' (got {value!r})")
    return value


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
        return [self.requests, self.dupefilter, self.workers, self.state, self.done]


def connect(url: str):
    import redis

    # A worker on a flaky network should wait out a blip rather than lose its place.
    return redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30, retry_on_timeout=True, health_check_interval=30)


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
ARCHIVE_PIPELINES = ("newsspider.pipelines.dedupe.DedupePipeline", "newsspider.pipelines.store.StorePipeline")
ARCHIVE_EXTENSIONS = ("newsspider.extensions.crawl_runs.CrawlRunRecorder",)
PUSH_PIPELINE = "newsspider.pipelines.push.RedisPushPipeline"


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
    values = {
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
        # Skipping known articles needs the archive, which a worker never opens; ingest
        # still stores a re-fetched unchanged article as unchanged.
        "NEWSSPIDER_INCREMENTAL": False,
    }
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")


def keys_from_settings(settings) -> RedisKeys:
    return RedisKeys(settings.get("NEWSSPIDER_REDIS_PREFIX") or DEFAULT_PREFIX, settings.get("NEWSSPIDER_REDIS_JOB"))
