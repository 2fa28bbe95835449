"""Every command that writes the archive takes its lock, and every write transaction begins IMMEDIATE.

reparse and demo beside a run holding `<db>.lock` exit 4 (or, for reparse, wait with --wait);
reparse run with --wait beside a real crawl writes after it, and neither loses anything.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from newsspider.archive import Archive
from newsspider.archive.db import connect, write_transaction
from newsspider.archive.lock import ArchiveLock
from newsspider.commands.mirror import MirrorServer
from tests.support.synthetic import crawl_args, write_mirror


def newsspider(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "newsspider", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    return db


@pytest.mark.parametrize("command", [["reparse", "--quiet"], ["demo"]])
def test_a_writer_exits_4_while_another_run_holds_the_lock(archive, command):
    with ArchiveLock(archive):
        run = newsspider(*command, "--db", str(archive))
    assert run.returncode == 4, run.stdout + run.stderr[-2000:]
    assert f"newsspider {command[0]}: not started: {archive}.lock is held by another run (pid " in run.stderr
    assert Archive(archive).counts()["crawl_runs"] == 0


def test_reparse_waits_for_the_lock_when_asked(archive):
    lock = ArchiveLock(archive).acquire()
    threading.Timer(1.0, lock.release).start()
    started = time.monotonic()
    run = newsspider("reparse", "--quiet", "--wait", "30", "--db", str(archive))
    assert run.returncode == 0, run.stderr[-2000:]
    assert time.monotonic() - started >= 1.0
    with ArchiveLock(archive):
        held = newsspider("reparse", "--quiet", "--wait", "0.5", "--db", str(archive))
    assert held.returncode == 4 and "after waiting 0.5 s" in held.stderr


def _run_recorded(db) -> bool:
    """Has the crawl recorded its run? False too while it is still creating the archive (no tables yet)."""
    if not db.exists():
        return False
    try:
        return connect(db, readonly=True).execute("select count(*) from crawl_runs").fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False


def test_reparse_beside_a_crawl_writes_after_it_and_nothing_is_lost(tmp_path):
    sections, per_section = ["Chine", "Economie", "Monde"], 100
    write_mirror(tmp_path / "site", sections, per_section)
    db = tmp_path / "archive.db"
    with MirrorServer({"/": tmp_path / "site"}) as mirror:
        crawl = subprocess.Popen([sys.executable, "-m", "newsspider", *crawl_args(db, mirror.url, sections, "ARCHIVE_BATCH_SIZE=10")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            while not _run_recorded(db):
                assert crawl.poll() is None, crawl.communicate()
                time.sleep(0.05)
            refused = newsspider("reparse", "--quiet", "--db", str(db))
            reparse = newsspider("reparse", "--quiet", "--wait", "120", "--db", str(db))
        finally:
            out, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, out + err[-3000:]
    assert refused.returncode == 4 or "reparse run 1: 0 pages" in refused.stdout  # the crawl may have ended first
    assert reparse.returncode == 0, reparse.stderr[-3000:]
    with Archive(db) as archive:
        assert archive.counts()["articles"] == len(sections) * per_section
        [run] = archive.db.query("select status, articles_new from crawl_runs")
        [reparsed] = archive.db.query("select status, pages, changed from reparse_runs order by id desc limit 1")
    assert run == {"status": "finished", "articles_new": len(sections) * per_section}
    # Written after the crawl had committed everything: it saw every page, and today's parsers read them the same.
    assert reparsed == {"status": "finished", "pages": len(sections) * per_section, "changed": 0}


def _writer_commits_meanwhile(db_path):
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin immediate")
    other.execute("insert into t values (1)")
    time.sleep(0.3)
    other.execute("commit")
    other.close()


def test_a_write_transaction_waits_for_another_writer_where_a_deferred_one_fails_at_once(tmp_path):
    path = tmp_path / "a.db"
    db = connect(path, busy_timeout=5)
    db.execute("create table t (x)")
    # A deferred transaction reads, another writer commits, then the first writes: "database is locked" at once.
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        with db.atomic():
            db.execute("select count(*) from t").fetchone()
            _writer_commits_meanwhile(path)
            db.execute("insert into t values (2)")
    # BEGIN IMMEDIATE takes the write lock first: the other writer waits for it, or it for the other.
    holder = threading.Thread(target=_writer_commits_meanwhile, args=(path,))
    holder.start()
    time.sleep(0.1)
    with write_transaction(db):
        n = db.execute("select count(*) from t").fetchone()[0]
        db.execute("insert into t values (3)")
    holder.join()
    assert n == 2 and db.execute("select count(*) from t").fetchone()[0] == 3
