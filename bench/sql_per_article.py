"""SQL statements per stored article: one crawl of N synthetic pages, every statement SQLite runs counted.

    .venv/bin/python bench/sql_per_article.py              # 500 articles
    .venv/bin/python bench/sql_per_article.py -n 2000 --top 30

Builds bench/crawl.py's synthetic mirror (distinct articles in People's Daily's layout), serves it
on 127.0.0.1 and runs `newsspider crawl people_fr` in this process, with every sqlite3 connection
counted: each execute(), executemany() and executescript() call its code and sqlite-utils make (a
Connection factory), and each statement SQLite starts (Connection.set_trace_callback: each row of
an executemany and each trigger included). Prints the statements per stored article both ways,
those of the archive's write transactions, and the commonest statements sent.
A count, not a timing: it is the same on a busy machine.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import CRAWL_SETTINGS, make_mirror, start_server  # noqa: E402

STATEMENTS: list[str] = []  # as traced: every statement SQLite starts
SENT: list[str] = []  # as the code sends them: one per execute(), executemany() or executescript() call
_connect = sqlite3.connect


class CountingCursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        SENT.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        SENT.append(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        SENT.append(sql)
        return super().executescript(sql)


class CountingConnection(sqlite3.Connection):
    # Connection.execute() and its kin make their cursor in C, without the cursor's Python methods: counted here once.
    def cursor(self, factory=CountingCursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        SENT.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        SENT.append(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        SENT.append(sql)
        return super().executescript(sql)


def traced_connect(*args, **kwargs):
    conn = _connect(*args, factory=CountingConnection, **kwargs)
    conn.set_trace_callback(STATEMENTS.append)
    return conn


def shape(statement: str) -> str:
    """The statement with its literals replaced by ?, so the same statement with other values counts once."""
    text = " ".join(statement.split())
    text = re.sub(r"'(?:[^']|'')*'", "?", text)
    text = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?\b", "?", text)
    text = re.sub(r"\((?:\?, )+\?\)", "(?, ...)", text)
    text = re.sub(r"sqlite_utils_[0-9a-f]+", "sqlite_utils_?", text)
    return text[:140]


def write_statements(statements: list[str]) -> int:
    """Statements between a BEGIN IMMEDIATE and its COMMIT: the archive's write transactions."""
    inside, n = False, 0
    for s in statements:
        head = s.strip().upper()
        if head.startswith("BEGIN IMMEDIATE"):
            inside = True
            continue
        if head.startswith(("COMMIT", "ROLLBACK")):
            inside = False
            continue
        n += inside
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=500, help="article pages (default 500)")
    ap.add_argument("--top", type=int, default=20, help="statement shapes to list (default 20)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsspider-sql-"))
    try:
        sections, pages = make_mirror(work / "site", args.n)
        server, base = start_server(work / "site")
        try:
            sqlite3.connect = traced_connect
            from newsspider.runs.crawl import project_settings, run_crawl

            overrides = dict(setting.split("=", 1) for setting in CRAWL_SETTINGS[1::2])
            # In this process, so every connection is traced: the parse pool's processes run no SQL anyway.
            overrides.update({"ARCHIVE_DB": str(work / "archive.db"), "PEOPLE_FR_BASE_URL": base, "NEWSSPIDER_PARSE_WORKERS": 0,
                              "LOG_LEVEL": "ERROR"})
            result = run_crawl("people_fr", settings=project_settings(overrides),
                               args={"sections": ",".join(sections), "max_pages": str(pages)})
        finally:
            sqlite3.connect = _connect
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        stored = result.counts.stored
        assert result.status == "finished" and stored == args.n, f"crawl {result.status}: {stored}/{args.n} articles"
        sent = SENT
        print(f"{stored} articles stored; SQL statements per stored article: {len(sent) / stored:.1f} sent by the code"
              f" (an executemany counted once; {write_statements(sent) / stored:.1f} of them in write transactions),"
              f" {len(STATEMENTS) / stored:.1f} as SQLite ran them (each row of an executemany, each trigger and FTS5 step)")
        print(f"\nthe {args.top} commonest statements sent, per stored article:")
        for text, n in Counter(shape(s) for s in sent).most_common(args.top):
            print(f"  {n / stored:6.2f}  {text}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
