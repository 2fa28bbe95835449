"""A crawl through Redis under faults, each compared with a clean crawl of the same mirror.

Killed ingest (SIGKILL between its commit and its Redis delete), Redis stopped and started
again mid-crawl, a worker killed mid-request: each time the archive must hold the same
articles as a clean crawl's, no raw response twice, nothing missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from newsspider.distributed import RedisKeys, connect
from newsspider.distributed.ingest import TEST_HOOK_KILL_AFTER_COMMIT
from newsspider.commands.mirror import MirrorServer, people_fr_mounts
from tests.support.serving import free_port
from tests.test_distributed_e2e import ARTICLE_PATH, PEOPLE_FR, finish, worker


def ingest_cmd(url: str, prefix: str, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsspider", "ingest", "--redis", url, "--redis-prefix", prefix, "--db", str(db),
            "--idle-seconds", "0.5", *extra]


def run(cmd: list[str], env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})


def archive_state(db: Path) -> dict:
    """What a crawl must get right: each article's content, each response stored once."""
    conn = sqlite3.connect(db)
    try:
        articles = dict(conn.execute("select canonical_url, content_hash from articles"))
        responses = Counter(url for (url,) in conn.execute("select final_url from raw_responses"))
        runs = conn.execute("select status, articles_new, articles_updated, articles_unchanged, duplicates, pages_fetched"
                            " from crawl_runs order by id").fetchall()
    finally:
        conn.close()
    return {"articles": articles, "responses": responses, "runs": runs}


def assert_same_archive(got: dict, clean: dict) -> None:
    assert got["articles"] == clean["articles"]  # same articles, same content: nothing missing
    assert max(got["responses"].values()) == 1, [u for u, n in got["responses"].items() if n > 1]
    assert got["responses"] == clean["responses"]


def drop_prefix(server, prefix: str) -> None:
    doomed = list(server.scan_iter(match=f"{prefix}:*"))
    if doomed:
        server.delete(*doomed)


@pytest.fixture(scope="module")
def clean(redis_url, tmp_path_factory):
    """One worker's crawl of the mirror, its messages kept, and a clean ingest of them: the reference."""
    tmp = tmp_path_factory.mktemp("faults")
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    server = connect(redis_url)
    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as mirror:
        done = finish(worker(mirror, redis_url, prefix, "clean@example.org", tmp))
    assert done.returncode == 0, done.stderr[-3000:]
    messages = server.lrange(RedisKeys(prefix).items, 0, -1)
    db = tmp / "clean.db"
    ingested = run(ingest_cmd(redis_url, prefix, db))
    assert ingested.returncode == 0, ingested.stderr[-3000:]
    state = archive_state(db)
    assert len(state["articles"]) == 12
    yield {"messages": messages, "state": state, "tmp": tmp}
    drop_prefix(server, prefix)


def test_ingest_killed_between_commit_and_delete_writes_nothing_twice(redis_url, clean, tmp_path):
    server = connect(redis_url)
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    keys = RedisKeys(prefix)
    try:
        server.rpush(keys.items, *clean["messages"])  # the same messages, in the same order
        db = tmp_path / "killed.db"
        cmd = ingest_cmd(redis_url, prefix, db, "--batch-size", "3", "-s", "INGEST_LINGER_SECONDS=0")
        # Killed after its first commit, then after its second (the first being the replay) twice.
        for kill_after in (1, 2, 2):
            killed = run(cmd, env={TEST_HOOK_KILL_AFTER_COMMIT: str(kill_after)})
            assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
            assert server.llen(keys.ingesting) > 0  # the batch it had written is still there
        last = run(cmd)
        assert last.returncode == 0, last.stderr[-3000:]
        assert "skipped" in last.stderr  # the replayed batch, said so
        got = archive_state(db)
        assert_same_archive(got, clean["state"])
        # The kills' runs kept their counts, and no replay counted as unchanged anywhere.
        [(status, *counts)] = clean["state"]["runs"]
        statuses = [r[0] for r in got["runs"]]
        assert statuses == ["killed", "killed", "killed", "finished"]
        assert all(r[1] + r[2] + r[3] + r[4] > 0 for r in got["runs"][:3]), got["runs"]
        assert [sum(r[i] for r in got["runs"]) for i in range(1, 6)] == counts, got["runs"]
    finally:
        drop_prefix(server, prefix)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, persisting every write (appendonly, fsync always), that the test may stop."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (make redis installs Debian's)"
    port = free_port()
    (tmp_path / "redis").mkdir()
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path / "redis"), "--save", "",
           "--appendonly", "yes", "--appendfsync", "always"]

    class Own:
        url = f"redis://127.0.0.1:{port}/0"
        proc = None

        def start(self):
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while True:
                try:
                    if connect(self.url, 0).ping():
                        return
                except Exception:
                    assert time.monotonic() < deadline and self.proc.poll() is None, "redis-server did not start"
                    time.sleep(0.05)

        def stop(self):
            self.proc.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.proc.wait(timeout=10)

    own = Own()
    own.start()
    yield own
    if own.proc.poll() is None:
        own.stop()


def test_redis_stopped_and_restarted_mid_crawl_loses_and_duplicates_nothing(own_redis, clean, tmp_path):
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    db = tmp_path / "restarted.db"
    with MirrorServer(people_fr_mounts(PEOPLE_FR), delay=0.1) as mirror:
        crawler = worker(mirror, own_redis.url, prefix, "restart@example.org", tmp_path)
        writer = subprocess.Popen(ingest_cmd(own_redis.url, prefix, db), cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sum(1 for path, _ in mirror.requests if path.endswith(".html")) < 10:  # well into the crawl
            assert time.monotonic() < deadline and crawler.poll() is None, "the crawl never got going"
            time.sleep(0.05)
        own_redis.stop()
        stopped = len(mirror.requests)
        time.sleep(3)
        own_redis.start()
        crawled, ingested = finish(crawler, 120), finish(writer, 120)
    assert crawled.returncode == 0 and ingested.returncode == 0, crawled.stderr[-3000:] + ingested.stderr[-3000:]
    assert "retrying" in crawled.stderr and "retrying" in ingested.stderr  # they did lose Redis, and waited
    assert len(mirror.requests) > stopped  # and crawled on after it came back
    assert_same_archive(archive_state(db), clean["state"])


class HoldingMirror(MirrorServer):
    """The mirror, holding the first article request of one user agent until released."""

    def __init__(self, agent: str):
        super().__init__(people_fr_mounts(PEOPLE_FR), delay=0.05)
        self.held = threading.Event()
        self.release = threading.Event()
        base = self.httpd.RequestHandlerClass
        mirror = self

        class Handler(base):
            def do_GET(self):
                if agent in (self.headers.get("User-Agent") or "") and ARTICLE_PATH.search(self.path) and not mirror.held.is_set():
                    mirror.held.set()
                    mirror.release.wait(timeout=30)
                super().do_GET()

        self.httpd.RequestHandlerClass = Handler


def test_a_worker_killed_mid_request_loses_and_duplicates_nothing(redis_url, clean, tmp_path):
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    db = tmp_path / "killed-worker.db"
    lease = ("-s", "REDIS_LEASE_SECONDS=2")  # taken for dead 2 s after its last word, not a minute
    try:
        with HoldingMirror("killed@") as mirror:
            victim = worker(mirror, redis_url, prefix, "killed@example.org", tmp_path, *lease)
            assert mirror.held.wait(timeout=60), "the worker never asked for an article"
            time.sleep(0.3)  # and it may have taken another request meanwhile
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            server, keys = connect(redis_url), RedisKeys(prefix, "people_fr")
            held = [k for k in server.scan_iter(match=f"{keys.inflight('')}*")]
            assert held and sum(server.hlen(k) for k in held) >= 1  # what it had in hand, recorded
            mirror.release.set()
            survivor = finish(worker(mirror, redis_url, prefix, "survivor@example.org", tmp_path, *lease), 120)
            assert survivor.returncode == 0, survivor.stderr[-3000:]
            ingested = run(ingest_cmd(redis_url, prefix, db))
            assert ingested.returncode == 0, ingested.stderr[-3000:]
        assert not [k for k in server.scan_iter(match=f"{keys.inflight('')}*")]
        assert_same_archive(archive_state(db), clean["state"])
    finally:
        drop_prefix(connect(redis_url), prefix)
