"""A write the archive refuses stops the crawl, says why, and loses nothing: the next run fetches what was not committed.

For real (tests/support/writefaults.py): the archive on a 3 MB tmpfs the test mounts (and
unmounts), filled up by a crawl of a 600-article synthetic mirror, then given room and crawled
again; and a second writer holding the archive's write lock past the crawl's busy timeout.
"""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from newsspider.archive import Archive
from newsspider.items import Article, CrawledArticle, RawFetch
from newsspider.commands.mirror import MirrorServer
from newsspider.pipelines.store import StorePipeline
from tests.support import smallfs, writefaults
from tests.support.synthetic import write_mirror
from tests.support.writefaults import ARTICLES


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    write_mirror(site, writefaults.SECTIONS, writefaults.PER_SECTION)
    with MirrorServer({"/": site}) as server:
        yield server


def summary(run) -> str:
    return run.stdout.strip().splitlines()[-1]


def assert_each_article_stored_once(result):
    assert result.articles == ARTICLES and result.lost == 0
    # Each page was stored by one run only: the second run fetched what the first had not committed.
    assert result.twice == 0 and result.new_responses == ARTICLES
    assert [r["articles_new"] for r in result.crawl_runs] == [result.after_first, ARTICLES - result.after_first]
    assert result.crashed == 0


@pytest.mark.skipif(not smallfs.available(), reason="needs to mount a tmpfs (root)")
def test_a_full_disk_stops_the_crawl_and_a_run_with_room_stores_the_rest(mirror, tmp_path):
    result = writefaults.disk_full(tmp_path, mirror.url)
    first, second = result.runs
    assert first.returncode == 1, first.stdout + first.stderr[-3000:]
    line = summary(first)
    assert " failed (write_failed) " in line and line.endswith("ERROR: OperationalError: database or disk is full")
    assert 0 < result.after_first < ARTICLES
    assert result.crawl_runs[0] == {"status": "failed", "finish_reason": "write_failed", "articles_new": result.after_first}
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert_each_article_stored_once(result)


def test_a_writer_holding_the_archive_stops_the_crawl_and_the_next_run_stores_the_rest(mirror, tmp_path):
    result = writefaults.locked(tmp_path, mirror.url)
    first, second = result.runs
    assert result.held
    assert first.returncode == 1, first.stdout + first.stderr[-3000:]
    assert summary(first).endswith("ERROR: OperationalError: database is locked")
    assert result.crawl_runs[0]["finish_reason"] == "write_failed"
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert_each_article_stored_once(result)


class _Stats(dict):
    def get_value(self, key, default=None):
        return self.get(key, default)

    def set_value(self, key, value):
        self[key] = value

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count


def _item(n: int) -> CrawledArticle:
    url = f"https://example.org/news/2024/05/article-{n}"
    body = f"Le texte de l'article {n}, assez long pour en être un. " * 10
    raw = RawFetch(url=url, final_url=url, status=200, headers=[("Content-Type", "text/html")], body=f"<p>{body}</p>".encode(), encoding="utf-8")
    return CrawledArticle(article=Article(url=url, canonical_url=url, site="example", headline=f"Article {n}", body=body),
                          fetched_at="2024-05-02T10:00:00+00:00", fetch_url=url, raw=raw)


def test_an_item_that_breaks_its_batch_is_kept_raw_and_the_rest_stored(tmp_path, monkeypatch):
    # A bug in one item's data, not the disk: the batch is written item by item and that one is accounted for.
    stats = _Stats()
    pipe = StorePipeline(SimpleNamespace(stats=stats, engine=None), str(tmp_path / "a.db"), batch_size=5, flush_seconds=60)
    pipe.open_spider()
    original = Archive._write_article

    def breaks_on_3(self, item):
        if item.article.url.endswith("-3"):
            raise ValueError("a value the archive cannot take")
        return original(self, item)

    monkeypatch.setattr(Archive, "_write_article", breaks_on_3)
    for n in range(5):
        pipe.process_item(_item(n))
    pipe.close_spider()
    assert stats["newsspider/stored/new"] == 4 and stats["newsspider/store_errors"] == 1
    assert stats["newsspider/stored_raw_only/store_error"] == 1 and "newsspider/write_error" not in stats
    with Archive(tmp_path / "a.db") as archive:
        rows = list(archive.db.query("select url, outcome, error from raw_responses where article_id is null"))
    assert rows == [{"url": _item(3).article.url, "outcome": "store_error", "error": "ValueError: a value the archive cannot take"}]


def test_a_storage_error_is_retried_then_stops_the_crawl(tmp_path, monkeypatch):
    stats = _Stats()
    stopped = []
    pipe = StorePipeline(SimpleNamespace(stats=stats, engine=None), str(tmp_path / "a.db"), batch_size=2, flush_seconds=60,
                         retries=2, retry_seconds=0)
    monkeypatch.setattr(pipe, "stop_crawl", lambda: stopped.append(True))
    pipe.open_spider()

    def full(self, items, run_id=None):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Archive, "write", full)
    for n in range(5):
        pipe.process_item(_item(n))
    pipe.close_spider()
    assert stopped == [True]
    assert stats["newsspider/write_retries"] == 2
    assert stats["newsspider/write_error"] == "OperationalError: database or disk is full"
    assert stats["newsspider/unwritten"] == 5  # the failed batch of 2, and the 3 that came after


class _Signals:
    def __init__(self):
        self.sent = []

    def send_catch_log(self, signal, **kwargs):
        self.sent.append((signal, kwargs))


def test_the_health_alarm_counts_only_articles_whose_batch_was_committed(tmp_path, monkeypatch):
    from newsspider.runs import health
    from newsspider.runs.coverage import FieldCoverage
    from newsspider.pipelines.store import articles_stored

    stats, signals = _Stats(), _Signals()
    crawler = SimpleNamespace(stats=stats, engine=None, signals=signals)
    pipe = StorePipeline(crawler, str(tmp_path / "a.db"), batch_size=3, flush_seconds=60, retries=0, retry_seconds=0)
    monkeypatch.setattr(pipe, "stop_crawl", lambda: None)
    pipe.open_spider()
    original = Archive._write_article

    def breaks_on_1(self, item):
        if item.article.url.endswith("-1"):
            raise ValueError("a value the archive cannot take")
        return original(self, item)

    monkeypatch.setattr(Archive, "_write_article", breaks_on_1)
    for n in range(3):  # one batch, committed, but article 1 kept raw only (store_error)
        pipe.process_item(_item(n))

    def full(self, items, run_id=None):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Archive, "write", full)
    for n in range(3, 6):  # one batch the disk refuses
        pipe.process_item(_item(n))
    pipe.close_spider()
    assert [(s, [a.url for a in kw["articles"]]) for s, kw in signals.sent] == [(articles_stored, [_item(0).article.url, _item(2).article.url])]
    coverage = FieldCoverage(crawler)
    for _, kw in signals.sent:
        coverage.stored(**kw)
    assert health.coverage_from_stats(stats)["example"]["articles"] == 2
    assert stats["newsspider/stored/new"] == 2 and stats["newsspider/unwritten"] == 3
