"""Readers of the archive are never locked out while a crawl writes it (WAL mode and a busy timeout).

A crawl of a 300-article synthetic mirror writes in batches of 5 (60 write transactions or
more) while another process reads the archive in a tight loop, through plain SQLite with the
archive's connect() settings and through `newsspider serve` (datasette) on 127.0.0.1.
"""

from __future__ import annotations

import sqlite3

import pytest

from newsspider.archive import Archive
from tests.support.concurrency import crawl_while_reading as run_while_reading
from tests.support.reader import Tally, read_sqlite

SECTIONS = ["Chine", "Economie", "Monde", "Culture", "Sport", "Sciences"]
PER_SECTION = 50
BATCH = 5


@pytest.fixture(scope="module")
def crawl_while_reading(tmp_path_factory):
    return run_while_reading(tmp_path_factory.mktemp("concurrency"), SECTIONS, PER_SECTION, BATCH)


def test_the_crawl_stores_every_article_in_many_transactions(crawl_while_reading):
    crawl = crawl_while_reading["crawl"]
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl_while_reading["articles"] == len(SECTIONS) * PER_SECTION
    assert crawl_while_reading["stats"]["newsspider/batches"] >= len(SECTIONS) * PER_SECTION // BATCH


@pytest.mark.parametrize("reader", ["sqlite", "datasette"])
def test_a_reader_is_never_locked_out_and_sees_the_archive_grow(crawl_while_reading, reader):
    seen = crawl_while_reading["report"][reader]
    assert seen["locked"] == 0 and seen["errors"] == []
    assert seen["queries"] >= 50
    counts = seen["counts"]
    # Read while the writes went on: from the empty archive, through several partial states, to all of it.
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == len(SECTIONS) * PER_SECTION
    assert len(counts) >= 5
    # WAL readers never wait for the writer; one waiting out the busy timeout would take seconds.
    assert seen["slowest"] < 2.0


def test_the_reader_would_report_a_locked_database(tmp_path, monkeypatch):
    # The same reader on a rollback-journal database held by a writer, without a busy timeout,
    # meets "database is locked": the tally above can tell.
    path = tmp_path / "a.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("pragma journal_mode = delete")
    writer.execute("create table articles (id integer primary key, headline text)")
    writer.execute("create table article_urls (url text, article_id integer)")
    writer.execute("create table raw_responses (id integer primary key, article_id integer)")
    writer.execute("begin exclusive")
    writer.execute("insert into articles (headline) values ('x')")
    tally = Tally()
    calls = iter([False, False, True])
    monkeypatch.setattr("newsspider.archive.db.BUSY_TIMEOUT_S", 0.0)
    try:
        read_sqlite(str(path), lambda: next(calls), tally)
    finally:
        writer.execute("rollback")
        writer.close()
    assert tally.locked == 3 and tally.queries == 0


def test_in_wal_mode_a_reader_reads_while_a_write_transaction_is_open(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.db.execute("begin immediate")
        archive.db.execute("insert into crawl_runs (spider, started_at, status) values ('x', 'y', 'running')")
        tally = Tally()
        calls = iter([False, True])
        read_sqlite(str(path), lambda: next(calls), tally)
        archive.db.execute("rollback")
    assert tally.locked == 0 and tally.errors == [] and tally.queries == 2
