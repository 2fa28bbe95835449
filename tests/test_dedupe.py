"""Dedupe is the archive's write (newsspider/archive/dedupe.py): a writer that does nothing else gets it, judged once."""

from __future__ import annotations

from types import SimpleNamespace

from newsspider.archive import Archive
from newsspider.archive.dedupe import MIN_DUPLICATE_BODY_CHARS, judge
from newsspider.items import Article, CrawledArticle
from newsspider.pipelines.store import StorePipeline

LONG = "Le même texte, repris mot pour mot par un autre site de la même rédaction. " * 5
assert len(LONG) >= MIN_DUPLICATE_BODY_CHARS


def item(n: int, body: str = LONG, fetched_at: str = "2024-05-02T10:00:00+00:00") -> CrawledArticle:
    url = f"https://example.org/news/2024/05/article-{n}"
    return CrawledArticle(article=Article(url=url, canonical_url=url, site="example", headline=f"Article {n}", body=body),
                          fetched_at=fetched_at, fetch_url=url)


def test_a_copy_in_the_same_batch_is_a_duplicate_with_no_dedupe_before_the_write(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        counts = archive.write([item(1), item(2), item(3, body="Un autre texte. " * 20)])
        assert counts == {"new": 2, "duplicate": 1}
        urls = dict(archive.db.execute("select url, reason from article_urls"))
        assert urls[item(2).article.url] == "same_body"
        assert archive.counts()["articles"] == 2


def test_the_verdict_is_written_on_the_item_for_the_caller_to_count(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        first, copy, again = item(1), item(2), item(1, fetched_at="2024-05-03T10:00:00+00:00")
        archive.write([first])
        archive.write([copy, again])
        assert (first.known, first.duplicate_of) == (False, None) and len(first.content_hash) == 64
        assert (copy.known, copy.duplicate_of) == (False, first.article.canonical_url)
        assert (again.known, again.duplicate_of) == (True, None)
        # A copy seen again is known: its URL was recorded as a copy, and it is still one.
        copy_again = item(2, fetched_at="2024-05-04T10:00:00+00:00")
        assert archive.write([copy_again]) == {"duplicate": 1}
        assert copy_again.known and copy_again.duplicate_of == first.article.canonical_url


def test_short_bodies_are_never_copies(tmp_path):
    short = "Vidéo. " * 5
    with Archive(tmp_path / "a.db") as archive:
        assert archive.write([item(1, body=short), item(2, body=short)]) == {"new": 2}
        verdict = judge(archive.db, item(3, body=short).article)
        assert verdict.copy_of is None and verdict.article_id is None and not verdict.known


def test_a_canonical_url_with_its_own_article_is_updated_even_with_anothers_body(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.write([item(1), item(2, body="Son propre texte, assez long pour compter. " * 10)])
        assert archive.write([item(2, fetched_at="2024-05-03T10:00:00+00:00")]) == {"updated": 1}


def test_the_store_counts_the_archives_verdicts(tmp_path):
    stats = {}
    crawler = SimpleNamespace(stats=SimpleNamespace(inc_value=lambda key, n=1: stats.__setitem__(key, stats.get(key, 0) + n)))
    pipe = StorePipeline(crawler, str(tmp_path / "a.db"), batch_size=10, flush_seconds=60)
    pipe.open_spider()
    for it in (item(1), item(2), item(1, fetched_at="2024-05-03T10:00:00+00:00")):
        pipe.process_item(it)
    pipe.close_spider()
    assert stats["newsspider/dedupe/same_body"] == 1 and stats["newsspider/dedupe/known_url"] == 1
    assert stats["newsspider/stored/new"] == 1 and stats["newsspider/stored/duplicate"] == 1 and stats["newsspider/stored/unchanged"] == 1
