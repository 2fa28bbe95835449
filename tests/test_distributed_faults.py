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
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT
from newsspider.distributed import RedisKeys, connect
from newsspider.ingest import TEST_HOOK_KILL_AFTER_COMMIT
from newsspider.mirror import MirrorServer, people_fr_mounts
from newsspider.testing.serving import free_port
from test_distributed_e2e import PEOPLE_FR, finish, worker


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
