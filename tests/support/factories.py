"""Articles and crawled items for archive tests, made from their fields: no mirror, no parser.

An archive test that needs "some article" states the fields its assertions are about and takes the rest
from here, instead of parsing a page of the People's Daily mirror and depending on what the parser reads
in it. Tests of what the parser reads from the mirror use tests/support/archive_helpers.py instead.

    make_article(headline="Le titre")                   an Article validation keeps (every required field)
    make_crawled(2, fetched_at="2026-01-02T00:00:00+00:00", body="...")
                                                        as the spider yields it, with a raw response
"""

from __future__ import annotations

import html

from newsspider.items import Article, CrawledArticle, RawFetch

from .synthetic import paragraphs_for

__all__ = ["FETCHED_AT", "make_article", "make_crawled", "page_for", "paragraphs_for"]

FETCHED_AT = "2026-01-01T00:00:00+00:00"
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Server", "test")]


def make_article(n: int = 1, **overrides) -> Article:
    """The n-th article of an invented French site: its own URL and body (distinct n, no near-duplicates)."""
    url = overrides.get("url", f"https://news.example.org/monde/2024/03/01/article-{n}.html")
    fields = {
        "url": url, "canonical_url": url, "site": "example", "section": "Monde", "language": "fr",
        "headline": f"Article {n} de l'exemple", "body": "\n\n".join(paragraphs_for(n)),
        "published_at": "2024-03-01T09:00:00+01:00", "authors": ["Anne Exemple"],
    }
    return Article(**(fields | overrides))


def page_for(article: Article) -> bytes:
    """An HTML page stating the article, for the raw response: what the soft-error check reads (<title>)."""
    title = html.escape(article.headline or "", quote=False)
    paragraphs = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in (article.body or "").split("\n\n"))
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{paragraphs}</body></html>".encode()


def make_crawled(n: int = 1, *, fetched_at: str = FETCHED_AT, page: bytes | None = None, article: Article | None = None,
                 **overrides) -> CrawledArticle:
    """make_article(n, **overrides) (or `article`) as fetched at `fetched_at`; `page` replaces the raw body."""
    article = article or make_article(n, **overrides)
    raw = RawFetch(url=article.url, final_url=article.url, status=200, headers=list(HEADERS),
                   body=page_for(article) if page is None else page, encoding="utf-8")
    return CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=article.url, raw=raw)
