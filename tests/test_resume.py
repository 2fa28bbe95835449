"""A crawl killed with SIGKILL at any moment, then started again, ends as an uninterrupted one.

The mirror answers slowly so the kill lands mid-crawl; write batches are small so some are
committed before it. After each kill the archive passes PRAGMA integrity_check; after the
restart it holds exactly what an uninterrupted crawl stores, nothing twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.support.paths import PEOPLE_FR, ROOT, people_fr_crawl_args
from newsspider.archive import connect
from newsspider.commands.mirror import MirrorServer, people_fr_mounts


def command(server, db):
    return [sys.executable, "-m", "newsspider", *people_fr_crawl_args(
        server.url, db, alias=False,
        settings=["ARCHIVE_BATCH_SIZE=3", "ARCHIVE_FLUSH_SECONDS=0.2", "CONCURRENT_REQUESTS_PER_DOMAIN=2"],
    )]


def snapshot(db) -> dict:
    conn = connect(db, readonly=True)
    try:
        return {
            "articles": sorted(conn.execute(
                "select canonical_url, url, site, section, headline, body, published_at, updated_at, updated_at_raw, authors, content_hash "
                "from articles"
            ).fetchall()),
            "credits": sorted(conn.execute(
                "select a.canonical_url, c.position, c.raw, c.agency, c.photographer, c.caption "
                "from image_credits c join articles a on a.id = c.article_id"
            ).fetchall()),
            "related": sorted(conn.execute(
                "select a.canonical_url, r.position, r.title, r.url from related_links r join articles a on a.id = r.article_id"
            ).fetchall()),
            "urls": sorted(conn.execute(
                "select u.url, u.reason, a.canonical_url from article_urls u join articles a on a.id = u.article_id"
            ).fetchall()),
            "responses": conn.execute("select count(*) from raw_responses where article_id is not null").fetchone()[0],
        }
    finally:
        conn.close()


def integrity(db) -> str:
    conn = connect(db, readonly=True)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def slow_mirror():
    with MirrorServer(people_fr_mounts(PEOPLE_FR), delay=0.08) as server:
        yield server


@pytest.fixture(scope="module")
def uninterrupted(slow_mirror, tmp_path_factory):
    db = tmp_path_factory.mktemp("whole") / "archive.db"
    run = subprocess.run(command(slow_mirror, db), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    return snapshot(db)


@pytest.mark.parametrize("kill_after_requests", [3, 15, 30, 45])
def test_killed_then_restarted_crawl_equals_an_uninterrupted_one(slow_mirror, uninterrupted, tmp_path, kill_after_requests):
    db = tmp_path / "archive.db"
    start = len(slow_mirror.requests)
    proc = subprocess.Popen(command(slow_mirror, db), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(slow_mirror.requests) - start < kill_after_requests and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the crawl ended before the kill: make the mirror slower"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = {"articles": []}
    if db.exists():
        assert integrity(db) == "ok"
        partial = snapshot(db)
        assert len(partial["articles"]) <= len(uninterrupted["articles"])
    restart = subprocess.run(command(slow_mirror, db), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert restart.returncode == 0, restart.stderr[-2000:]
    assert integrity(db) == "ok"
    final = snapshot(db)
    assert final == uninterrupted
    # What was stored before the kill is still there, as it was.
    assert set(partial["articles"]) <= set(final["articles"])
    conn = connect(db, readonly=True)
    statuses = [r[0] for r in conn.execute("select status from crawl_runs order by id")]
    conn.close()
    assert statuses[-1] == "finished" and set(statuses[:-1]) <= {"killed"}
