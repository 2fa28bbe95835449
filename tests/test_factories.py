"""The Article factory archive tests build on: what it makes is what validation keeps and the archive stores as given."""

from __future__ import annotations

from newsspider.archive import Archive
from newsspider.parsers.normalize import normalize
from tests.support.factories import FETCHED_AT, make_article, make_crawled
from tests.test_pipelines import Chain


def test_a_made_article_passes_validation_unchanged():
    article = make_article(3)
    verdict = normalize(article, FETCHED_AT)
    assert not verdict.missing and not verdict.bad_dates and not verdict.garbled and verdict.soft_error is None
    assert article == make_article(3)  # nothing to clean


def test_overrides_win_and_the_canonical_url_follows_the_url():
    article = make_article(headline="Un titre", url="https://news.example.org/x.html", authors=[])
    assert (article.headline, article.canonical_url, article.authors) == ("Un titre", "https://news.example.org/x.html", [])
    assert make_article(1).body != make_article(2).body and make_article(1).url != make_article(2).url


def test_made_items_go_through_the_pipelines_into_the_archive_as_given(tmp_path):
    items = [make_crawled(n) for n in (1, 2, 3)]
    with Chain(tmp_path / "a.db") as chain:
        assert chain.feed(*items) == []
    assert chain.stat("newsspider/stored/new") == 3
    with Archive(tmp_path / "a.db") as archive:
        for item in items:
            stored = archive.find_article(item.article.canonical_url)
            assert (stored.headline, stored.body, stored.published_at) == (item.article.headline, item.article.body, item.article.published_at)
        assert archive.db.execute("select count(*) from near_duplicates").fetchone()[0] == 0
        assert archive.db.execute("select count(*) from raw_responses").fetchone()[0] == 3
