"""What the archive already knows about a URL, for incremental crawls (read-only lookups)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database


@dataclass(frozen=True)
class Known:
    article_id: int
    canonical_url: str
    newest: datetime | None  # the later of published_at and updated_at, as the page stated them


class Frontier:
    """Lookups on the archive for spiders deciding what to fetch, on a connection the caller owns (a crawl's: its run's archive)."""

    def __init__(self, db: Database | None):
        self.db = db

    def lookup(self, url: str) -> Known | None:
        if self.db is None:
            return None
        row = self.db.execute(
            """select a.id, a.canonical_url, a.published_at, a.updated_at
               from article_urls u join articles a on a.id = u.article_id
               where u.url = ?""",
            [url],
        ).fetchone()
        if row is None:
            return None
        article_id, canonical_url, published, updated = row
        return Known(article_id, canonical_url, _newest(published, updated))

    def validators(self, article_id: int) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the article's last 200 answer, for a conditional re-check.

        Apart from lookup(): most known links are not re-checked, and need no second query."""
        headers = self.db.execute(
            """select headers from raw_responses
               where article_id = ? and status = 200 order by id desc limit 1""",
            [article_id],
        ).fetchone()
        return validators_from_headers(headers[0] if headers else None)


def validators_from_headers(headers: str | None) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) from a raw response's headers (JSON [[name, value], ...])."""
    etag = last_modified = None
    for name, value in json.loads(headers or "[]"):
        if name.lower() == "etag":
            etag = value
        elif name.lower() == "last-modified":
            last_modified = value
    return etag, last_modified


def known_urls(db, urls: list[str] | None = None):
    """Every URL the archive knows an article under (or those of `urls`), with what a revisit needs.

    Rows (url, article_id, canonical_url, published_at, updated_at, first_seen, etag, last_modified),
    the validators those of the article's last 200 answer: what `newsspider ingest` publishes
    to Redis for workers, which never open the archive.
    """
    query = """select u.url, a.id, a.canonical_url, a.published_at, a.updated_at, a.first_seen,
                      (select headers from raw_responses r where r.article_id = a.id and r.status = 200 order by r.id desc limit 1)
               from article_urls u join articles a on a.id = u.article_id"""
    chunks = [None] if urls is None else [urls[i:i + 500] for i in range(0, len(urls), 500)]
    for chunk in chunks:
        marks = ",".join("?" * len(chunk or []))
        sql, params = (query, []) if chunk is None else (query + f" where u.url in ({marks})", chunk)
        for url, article_id, canonical_url, published, updated, first_seen, headers in db.execute(sql, params):
            yield (url, article_id, canonical_url, published, updated, first_seen, *validators_from_headers(headers))


def _newest(*values: str | None) -> datetime | None:
    moments = []
    for value in values:
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        moments.append(moment)
    aware = [m for m in moments if m.tzinfo is not None]
    # Mixed naive and aware dates: compare what the pages say, wall clock to wall clock.
    return max(aware or moments, key=lambda m: m.replace(tzinfo=None)) if moments else None
