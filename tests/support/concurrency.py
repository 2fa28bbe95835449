"""A crawl that writes an archive while another process reads it: the set-up of tests/test_concurrency.py
and bench/concurrent_reads.py.

A synthetic mirror of `len(sections) * per_section` articles is served on 127.0.0.1 and crawled
with ARCHIVE_BATCH_SIZE=`batch` (one write transaction per batch), while tests.support.reader
reads the same archive in a loop through SQLite and through `newsspider serve`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsspider.archive.db import Archive
from newsspider.commands.mirror import MirrorServer
from .serving import served
from .synthetic import crawl_args, write_mirror


def crawl_while_reading(tmp: Path, sections: list[str], per_section: int, batch: int, timeout: float = 600) -> dict:
    write_mirror(tmp / "site", sections, per_section)
    db = tmp / "archive.db"
    Archive(db).close()  # an archive that exists, and is being browsed, when the crawl starts
    stop = tmp / "stop"
    with MirrorServer({"/": tmp / "site"}) as mirror, served(db) as datasette:
        reader = subprocess.Popen(
            [sys.executable, "-m", "tests.support.reader", "--db", str(db), "--stop", str(stop), "--datasette", datasette],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            crawl = subprocess.run(
                [sys.executable, "-m", "newsspider",
                 *crawl_args(db, mirror.url, sections, f"ARCHIVE_BATCH_SIZE={batch}", "ARCHIVE_FLUSH_SECONDS=0.2")],
                capture_output=True, text=True, timeout=timeout,
            )
        finally:
            stop.touch()
            out, err = reader.communicate(timeout=120)
    if reader.returncode != 0:
        raise RuntimeError(f"the reader failed:\n{err[-3000:]}")
    with Archive(db) as archive:
        stats = json.loads(next(archive.db.query("select stats from crawl_runs"))["stats"])
        articles = archive.counts()["articles"]
    return {"crawl": crawl, "report": json.loads(out), "stats": stats, "articles": articles}
