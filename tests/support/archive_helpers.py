"""Items as the spider makes them (parsed article plus raw response), for archive tests without a crawl."""

from __future__ import annotations

from datetime import datetime

from tests.support.paths import people_fr_articles
from newsspider.items import CrawledArticle, RawFetch
from newsspider.parsing import parse

CASES = {c["id"]: c for c in people_fr_articles()}
HEADERS = [("Content-Type", "text/html"), ("Server", "test")]


def raw_fetch(case_id: str, *, body: bytes | None = None) -> RawFetch:
    case = CASES[case_id]
    return RawFetch(url=case["url"], final_url=case["url"], status=200, headers=list(HEADERS),
                    body=case["path"].read_bytes() if body is None else body, encoding="utf-8")


def crawled(case_id: str, fetched_at: str = "2026-01-01T00:00:00+00:00", *, body: bytes | None = None) -> CrawledArticle:
    """What ArchiveSpider.article_item yields for this mirror page: parsed from the bytes, now = the fetch time."""
    raw = raw_fetch(case_id, body=body)
    article = parse(raw.body, raw.final_url, now=datetime.fromisoformat(fetched_at), encoding=raw.encoding)
    return CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=raw.final_url, raw=raw)


def canonical_cases() -> list[str]:
    return [cid for cid in CASES if not cid.endswith("-alias")]
