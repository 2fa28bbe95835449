"""Streaming exports: articles as JSON lines or CSV, raw responses as WARC.

Memory stays constant whatever the archive's size: articles and their child
rows come from three cursors read in step (all ordered by article id), never
from fetchall().
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from http import HTTPStatus
from typing import IO, Any, Iterator

from sqlite_utils import Database

from ..items import COLUMN_FIELDS, JSON_COLUMNS
from ..timestamps import UTC_COLUMNS
from .raw import decompress

# An export's columns: the keys, the Article's columns, what the archive knows of the copy. The order
# is the one exports have always had (fallback_fields came later, so it stands after the archive's).
_KEYS = ("id", "canonical_url", "url")
_STORED = ("content_hash", "first_seen", "last_seen", "fetched_at", "fallback_fields")
ARTICLE_COLUMNS = (
    *_KEYS, *(name for name in COLUMN_FIELDS if name not in _KEYS + _STORED), *_STORED, *UTC_COLUMNS,
)
CSV_COLUMNS = (*ARTICLE_COLUMNS, "image_credits", "related_links")
# The stored body is decoded (Content-Encoding undone) and whole: headers that
# describe the bytes on the wire would lie about it in a replay.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def parse_since(value: str | None) -> str | None:
    """A date or ISO 8601 time -> the UTC string the archive's *_at columns compare with (naive = UTC)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def fts_query(text: str) -> str:
    """A person's search words as an FTS5 query that cannot be a syntax error: each word a quoted
    phrase (quotes doubled), all of them required; a trailing * stays a prefix search (chin*)."""
    terms = []
    for word in text.split():
        prefix = word.endswith("*") and len(word.rstrip("*")) > 0
        word = word.rstrip("*") if prefix else word
        if word:
            terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise ValueError("search needs at least one word")
    return " ".join(terms)


def _article_filter(since: str | None, site: str | None, alias: str = "a", *, section: str | None = None,
                    published_since: str | None = None, published_until: str | None = None,
                    search: str | None = None, article_id: int | None = None) -> tuple[str, list[Any]]:
    """The where clause of every article query. Publication bounds compare published_at_utc, so
    articles whose page stated no offset are outside any such bound (see newsspider/timestamps.py)."""
    clauses, params = [], []
    if since:
        clauses.append(f"{alias}.fetched_at >= ?")
        params.append(since)
    if site:
        clauses.append(f"{alias}.site = ?")
        params.append(site)
    if section:
        clauses.append(f"{alias}.section = ?")
        params.append(section)
    if published_since:
        clauses.append(f"{alias}.published_at_utc >= ?")
        params.append(utc_text(published_since))
    if published_until:
        clauses.append(f"{alias}.published_at_utc < ?")
        params.append(utc_text(published_until))
    if article_id is not None:
        clauses.append(f"{alias}.id = ?")
        params.append(article_id)
    if search:
        clauses.append(f"{alias}.id in (select rowid from articles_fts where articles_fts match ?)")
        params.append(fts_query(search))
    return (" where " + " and ".join(clauses)) if clauses else "", params


def utc_text(value: str) -> str:
    """A bound in the *_utc columns' own format (…Z), so that text comparison is time comparison."""
    return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iter_articles(db: Database, *, since: str | None = None, site: str | None = None, **filters) -> Iterator[dict[str, Any]]:
    """Articles whose stored content was fetched at or after `since`, with credits and related links, by id.

    `filters`: section, published_since, published_until (UTC strings from parse_since), search (words)."""
    where, params = _article_filter(since, site, **filters)
    conn = db.conn
    articles = conn.execute(f"select {', '.join('a.' + c for c in ARTICLE_COLUMNS)} from articles a{where} order by a.id", params)
    credits = conn.execute(
        f"select c.article_id, c.raw, c.agency, c.photographer, c.caption from image_credits c join articles a on a.id = c.article_id{where} "
        "order by c.article_id, c.position",
        params,
    )
    links = conn.execute(
        f"select r.article_id, r.title, r.url from related_links r join articles a on a.id = r.article_id{where} order by r.article_id, r.position",
        params,
    )
    credit_rows, link_rows = _Peek(credits), _Peek(links)
    for row in articles:
        article = dict(zip(ARTICLE_COLUMNS, row))
        for name in JSON_COLUMNS:
            article[name] = json.loads(article[name] or "[]")
        article["image_credits"] = [
            {"raw": r[1], "agency": r[2], "photographer": r[3], "caption": r[4]} for r in credit_rows.take(article["id"])
        ]
        article["related_links"] = [{"title": r[1], "url": r[2]} for r in link_rows.take(article["id"])]
        yield article


class _Peek:
    """Rows of a cursor ordered by article id, taken one article at a time."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.next = cursor.fetchone()

    def take(self, article_id: int) -> Iterator[tuple]:
        out = []
        while self.next is not None and self.next[0] < article_id:  # rows of a filtered-out article: never
            self.next = self.cursor.fetchone()
        while self.next is not None and self.next[0] == article_id:
            out.append(self.next)
            self.next = self.cursor.fetchone()
        return out


def write_jsonl(db: Database, out: IO[str], **filters) -> int:
    n = 0
    for article in iter_articles(db, **filters):
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(db: Database, out: IO[str], **filters) -> int:
    """One row per article; authors, image_credits and related_links as JSON in their cells."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for article in iter_articles(db, **filters):
        for name in (*JSON_COLUMNS, "image_credits", "related_links"):
            article[name] = json.dumps(article[name], ensure_ascii=False)
        writer.writerow(article)
        n += 1
    return n


def iter_raw(db: Database, *, since: str | None = None, site: str | None = None, published_since: str | None = None,
             published_until: str | None = None) -> Iterator[dict[str, Any]]:
    """Raw responses fetched at or after `since` (of articles of `site`, or published in the bounds, if given),
    oldest first, bodies decompressed."""
    clauses, params = [], []
    if since:
        clauses.append("r.fetched_at >= ?")
        params.append(since)
    if site:
        clauses.append("a.site = ?")
        params.append(site)
    if published_since:
        clauses.append("a.published_at_utc >= ?")
        params.append(utc_text(published_since))
    if published_until:
        clauses.append("a.published_at_utc < ?")
        params.append(utc_text(published_until))
    where = (" where " + " and ".join(clauses)) if clauses else ""
    cursor = db.conn.execute(
        f"""select r.id, r.url, r.final_url, r.status, r.headers, r.fetched_at, r.outcome, b.data, b.compression
            from raw_responses r join raw_bodies b on b.sha256 = r.body_sha256
            left join articles a on a.id = r.article_id{where} order by r.id""",
        params,
    )
    for rid, url, final_url, status, headers, fetched_at, outcome, data, compression in cursor:
        yield {"id": rid, "url": url, "final_url": final_url, "status": status, "headers": json.loads(headers or "[]"),
               "fetched_at": fetched_at, "outcome": outcome, "body": decompress(data, compression)}


def write_warc(db: Database, out: IO[bytes], *, software: str, **filters) -> int:
    """WARC/1.1 response records (gzip per record), one per stored response, after a warcinfo record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("newsspider-export.warc.gz", {"software": software, "format": "WARC File Format 1.1"}))
    n = 0
    for r in iter_raw(db, **filters):
        headers = [(k, v) for k, v in r["headers"] if k.lower() not in WIRE_HEADERS]
        headers.append(("Content-Length", str(len(r["body"]))))
        try:
            reason = HTTPStatus(r["status"]).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(f"{r['status']} {reason}", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            r["final_url"], "response", payload=io.BytesIO(r["body"]), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": _warc_date(r["fetched_at"])},
        )
        writer.write_record(record)
        n += 1
    return n


def _warc_date(fetched_at: str) -> str:
    return datetime.fromisoformat(fetched_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
