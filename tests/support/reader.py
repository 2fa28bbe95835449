"""Reads an archive in a tight loop while a crawl writes it, and reports what it saw, as JSON on stdout.

    python -m tests.support.reader --db archive.db --stop STOPFILE [--datasette http://127.0.0.1:PORT]

Two readers run side by side until STOPFILE exists: plain SQLite through archive.db.connect
(read-only, the settings every reader of the archive gets) and, if given, datasette over HTTP
(`newsspider serve`). Each counts its queries, the "database is locked" (or busy) errors, other
errors, the slowest query, and every new article count it saw: a reader that ran while the
writes went on sees the count grow in steps.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from newsspider.archive.db import connect
from .serving import fetch

COUNT_SQL = "select count(*) from articles"
# A read that joins what a crawl writes in one transaction: an article, its URLs and its raw response.
JOIN_SQL = """select a.id, a.headline, count(u.url), count(r.id) from articles a
              left join article_urls u on u.article_id = a.id left join raw_responses r on r.article_id = a.id
              group by a.id order by a.id desc limit 20"""


class Tally:
    def __init__(self):
        self.queries = 0
        self.locked = 0
        self.errors: list[str] = []
        self.counts: list[int] = []
        self.slowest = 0.0

    def saw(self, count: int, took: float) -> None:
        self.queries += 1
        self.slowest = max(self.slowest, took)
        if not self.counts or self.counts[-1] != count:
            self.counts.append(count)

    def failed(self, message: str) -> None:
        if "locked" in message or "busy" in message.lower():
            self.locked += 1
        elif len(self.errors) < 20:
            self.errors.append(message)

    def report(self) -> dict:
        return {"queries": self.queries, "locked": self.locked, "errors": self.errors, "counts": self.counts, "slowest": self.slowest}


def read_sqlite(db_path: str, stop, tally: Tally) -> None:
    db = connect(db_path, readonly=True)
    try:
        while True:
            last = stop()
            started = time.monotonic()
            try:
                count = db.execute(COUNT_SQL).fetchone()[0]
                db.execute(JOIN_SQL).fetchall()
            except sqlite3.Error as exc:
                tally.failed(f"{type(exc).__name__}: {exc}")
            else:
                tally.saw(count, time.monotonic() - started)
            if last:
                return
    finally:
        db.close()


def read_datasette(base_url: str, database: str, stop, tally: Tally) -> None:
    url = f"{base_url}/{database}.json?_shape=array&sql={quote(COUNT_SQL.replace('count(*)', 'count(*) as n'))}"
    while True:
        last = stop()
        started = time.monotonic()
        try:
            status, body = fetch(url)
        except OSError as exc:
            tally.failed(f"{type(exc).__name__}: {exc}")
        else:
            if status == 200:
                tally.saw(json.loads(body)[0]["n"], time.monotonic() - started)
            else:
                tally.failed(f"HTTP {status}: {body[:300]}")
        if last:
            return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--stop", required=True, help="stop (after one last read each) once this file exists")
    ap.add_argument("--datasette", help="base URL of `newsspider serve` on the same archive")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.timeout

    def stop() -> bool:
        return Path(args.stop).exists() or time.monotonic() > deadline

    tallies = {"sqlite": Tally()}
    threads = [threading.Thread(target=read_sqlite, args=(args.db, stop, tallies["sqlite"]))]
    if args.datasette:
        tallies["datasette"] = Tally()
        threads.append(threading.Thread(target=read_datasette, args=(args.datasette, Path(args.db).stem, stop, tallies["datasette"])))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump({name: t.report() for name, t in tallies.items()}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
