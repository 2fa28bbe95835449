"""What parser processes make for the archive's write (parsing/precompute.py) changes nothing the archive holds.

The write takes a precomputed compressed body and band keys only when they are of what it stores;
with them, without them, or with wrong ones, the archive's every table holds the same rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timezone

from newsspider.archive import Archive, neardup, raw
from newsspider.parsing.pool import DEFAULT_PARSE_FUNCTION, parse_for_crawl
from newsspider.parsing.precompute import Precomputed, precompute
from tests.support.factories import make_article, make_crawled
from tests.support.synthetic import article_html, article_path


def _items():
    """New articles, a near-duplicate of the first (one word changed), an exact copy, a short body, then an update."""
    first = make_article(1)
    near = make_article(2, body=first.body.replace("\n\n", " encore\n\n", 1))
    items = [make_crawled(1), make_crawled(article=near), make_crawled(3, body=make_article(1).body),
             make_crawled(4, body="Trop court."), make_crawled(5)]
    changed = make_article(5, body=make_article(6).body)
    items.append(make_crawled(article=changed, fetched_at="2026-01-02T00:00:00+00:00"))
    return items


def _tables(path) -> dict[str, list]:
    with Archive(path) as archive:
        names = [n for (n,) in archive.db.execute("select name from sqlite_master where type = 'table' order by name")]
        # Sorted rows: a WITHOUT ROWID table has no rowid to order by.
        return {n: sorted(archive.db.execute(f"select * from [{n}]").fetchall(), key=repr) for n in names
                if n not in ("crawl_runs", "_sqlite_migrations")}


def _store(path, items) -> dict[str, list]:
    with Archive(path) as archive:
        for item in items:
            archive.write([item])
    return _tables(path)


def _with(item, made):
    return dataclasses.replace(item, precomputed=made)


def test_a_write_with_what_the_parser_process_made_stores_the_same_rows(tmp_path):
    plain = _store(tmp_path / "plain.db", _items())
    made = [_with(i, precompute(i.raw.body, i.article.body)) for i in _items()]
    assert _store(tmp_path / "made.db", made) == plain
    assert plain["minhash_bands"] and plain["near_duplicates"] and plain["raw_bodies"]


def test_what_is_not_of_the_stored_page_is_ignored(tmp_path):
    plain = _store(tmp_path / "plain.db", _items())
    other = precompute(b"<html>another page</html>", make_article(9).body)
    # A pipeline changed the body after the parse: same text, but not the one the keys were made of.
    stale = [_with(i, dataclasses.replace(precompute(i.raw.body, i.article.body), body=(i.article.body or "") + " x"))
             for i in _items()]
    assert _store(tmp_path / "other.db", [_with(i, other) for i in _items()]) == plain
    assert _store(tmp_path / "stale.db", stale) == plain


def test_precomputed_answers_only_for_what_it_was_made_of():
    body = make_article(1).body
    made = precompute(b"page", body)
    assert made.data_for(hashlib.sha256(b"page").hexdigest()) == raw.compress(b"page")
    assert made.data_for(hashlib.sha256(b"other").hexdigest()) is None
    assert made.keys_for(body) == neardup.keys(body) != []
    assert made.keys_for("".join(body)) == neardup.keys(body)  # an equal string, not the same object
    assert made.keys_for(body + ".") is None
    assert precompute(b"page", "court").band_keys == ()


def test_a_parser_process_makes_it_only_when_asked():
    path = article_path("Economie", 1234)
    page = article_html(path, "Un titre", ["Un paragraphe assez long sur l'économie de la province." * 5] * 4).encode()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    url = "http://french.peopledaily.com.cn" + path
    kind, (article, _, _, made), _ = parse_for_crawl(DEFAULT_PARSE_FUNCTION, page, url, now, None, 0, True)
    assert kind == "article" and isinstance(made, Precomputed)
    assert made.raw_data == raw.compress(page) and list(made.band_keys) == neardup.keys(article.body)
    assert parse_for_crawl(DEFAULT_PARSE_FUNCTION, page, url, now, None, 0)[1][3] is None
