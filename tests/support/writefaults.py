"""Crawls whose writes the archive refuses, then a crawl that may write: the set-up of tests/test_write_failures.py
and of `bench/fault_table.py --data-loss`.

- disk_full: the archive on a 3 MB tmpfs mounted for the test (root only), which the crawl of a
  600-article synthetic mirror fills up; then the filesystem is given 64 MB and the crawl run again.
- locked: another connection takes the archive's write lock (BEGIN IMMEDIATE) once 50 articles
  are in, and holds it for 4 s, longer than the crawl's busy timeout (0.5 s) and retries; then
  the crawl is run again.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from newsspider.archive.db import Archive, connect
from . import smallfs
from .synthetic import crawl_args

SECTIONS = ["Chine", "Economie", "Monde", "Culture", "Sport", "Sciences"]
PER_SECTION = 100
ARTICLES = len(SECTIONS) * PER_SECTION
# Retries a few tenths of a second apart: no need to wait out the default 1 s + 2 s.
QUICK_RETRIES = ("ARCHIVE_WRITE_RETRIES=1", "ARCHIVE_WRITE_RETRY_SECONDS=0.2")


def crawl(db: Path, mirror_url: str, *settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsspider", *crawl_args(db, mirror_url, SECTIONS, *settings)],
                          capture_output=True, text=True, timeout=300)


def outcome(db: Path, runs: list[subprocess.CompletedProcess]) -> SimpleNamespace:
    """What the archive holds after the runs: articles, pages stored more than once, crawl_runs rows."""
    with Archive(db) as archive:
        articles = archive.counts()["articles"]
        twice = archive.db.execute(
            "select count(*) from (select final_url from raw_responses group by final_url having count(*) > 1)").fetchone()[0]
        new = archive.db.execute("select count(*) from raw_responses where outcome = 'new'").fetchone()[0]
        rows = list(archive.db.query("select status, finish_reason, articles_new from crawl_runs order by id"))
    crashed = sum("Traceback" in r.stderr or "Error processing" in r.stderr for r in runs)
    return SimpleNamespace(runs=runs, articles=articles, twice=twice, new_responses=new, crawl_runs=rows,
                           lost=ARTICLES - articles, crashed=crashed)


def disk_full(tmp: Path, mirror_url: str) -> SimpleNamespace:
    with smallfs.small_filesystem(tmp / "fs", "3m") as fs:
        db = fs.path / "archive.db"
        first = crawl(db, mirror_url, *QUICK_RETRIES)
        with Archive(db) as archive:
            after_first = archive.counts()["articles"]
        fs.resize("64m")
        second = crawl(db, mirror_url)
        result = outcome(db, [first, second])
    result.after_first = after_first
    return result


def locked(tmp: Path, mirror_url: str) -> SimpleNamespace:
    db = tmp / "archive.db"
    Archive(db).close()
    held = threading.Event()

    def hold_the_write_lock():
        reader = connect(db, readonly=True)
        while reader.execute("select count(*) from articles").fetchone()[0] < 50:
            time.sleep(0.01)
        reader.close()
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("begin immediate")
        held.set()
        time.sleep(4)
        other.execute("rollback")
        other.close()

    holder = threading.Thread(target=hold_the_write_lock, daemon=True)
    holder.start()
    try:
        first = crawl(db, mirror_url, *QUICK_RETRIES, "ARCHIVE_BUSY_TIMEOUT=0.5", "ARCHIVE_BATCH_SIZE=10")
    finally:
        holder.join(timeout=60)
    with Archive(db) as archive:
        after_first = archive.counts()["articles"]
    second = crawl(db, mirror_url)
    result = outcome(db, [first, second])
    result.after_first = after_first
    result.held = held.is_set()
    return result
