"""Raw responses: every article response as received, its body compressed and stored once per content.

Brotli at quality 5: smaller than zlib at no extra time, while brotli 11's extra
12 % or so would cost the crawl, which writes from Scrapy's reactor thread, half a
second a page (figures and their command in the README, "Storage cost"). Brotli is
already installed with Scrapy. `compression` is stored per body so another codec
can come later.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

import brotli
from sqlite_utils import Database

from ..items import RawFetch

COMPRESSION = "br"
BROTLI_QUALITY = 5


def compress(body: bytes) -> bytes:
    return brotli.compress(body, quality=BROTLI_QUALITY)


def decompress(data: bytes, compression: str) -> bytes:
    if compression == "br":
        return brotli.decompress(data)
    if compression == "identity":
        return data
    raise ValueError(f"unknown compression {compression!r}")


def store(db: Database, raw: RawFetch, *, fetched_at: str, article_id: int | None, outcome: str,
          run_id: int | None = None, error: str | None = None, precomputed: Any = None) -> int:
    """Record one response; returns its raw_responses id. `precomputed` (parsing/precompute.py) may hold
    the body already compressed, used when it is of this body's SHA-256."""
    digest = hashlib.sha256(raw.body).hexdigest()
    if db.execute("select 1 from raw_bodies where sha256 = ?", [digest]).fetchone() is None:
        data = precomputed.data_for(digest) if precomputed is not None else None
        db.execute(
            "insert into raw_bodies (sha256, compression, size, data) values (?, ?, ?, ?)",
            [digest, COMPRESSION, len(raw.body), data if data is not None else compress(raw.body)],
        )
    cursor = db.execute(
        """insert into raw_responses (article_id, run_id, url, final_url, status, headers, encoding, fetched_at, body_sha256, outcome, error)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [article_id, run_id, raw.url, raw.final_url, raw.status, json.dumps([list(h) for h in raw.headers], ensure_ascii=False),
         raw.encoding, fetched_at, digest, outcome, error],
    )
    return cursor.lastrowid


def body(db: Database, digest: str) -> bytes:
    data, compression = db.execute("select data, compression from raw_bodies where sha256 = ?", [digest]).fetchone()
    return decompress(data, compression)


def load(db: Database, raw_id: int) -> dict[str, Any]:
    """A raw response with its body (bytes) and headers (list of pairs)."""
    row = next(db.query("select * from raw_responses where id = ?", [raw_id]), None)
    if row is None:
        raise KeyError(f"no raw response {raw_id}")
    row["headers"] = [tuple(h) for h in json.loads(row["headers"] or "[]")]
    row["body"] = body(db, row["body_sha256"])
    return row


def storage(db: Database) -> dict[str, int]:
    """Pages, responses and bytes: what raw storage costs."""
    bodies, size, stored = db.execute("select count(*), coalesce(sum(size), 0), coalesce(sum(length(data)), 0) from raw_bodies").fetchone()
    responses, headers = db.execute("select count(*), coalesce(sum(length(headers)), 0) from raw_responses").fetchone()
    return {"responses": responses, "bodies": bodies, "body_bytes": size, "compressed_bytes": stored, "header_bytes": headers}


def table_bytes(db: Database, tables: tuple[str, ...]) -> dict[str, int]:
    """On-disk bytes of each table and its indexes, from SQLite's dbstat (empty if not compiled in)."""
    sizes = {}
    try:
        for table in tables:
            names = [table] + [row[0] for row in db.execute("select name from sqlite_master where type = 'index' and tbl_name = ?", [table])]
            marks = ",".join("?" * len(names))
            sizes[table] = db.execute(f"select coalesce(sum(pgsize), 0) from dbstat where name in ({marks})", names).fetchone()[0]
    except sqlite3.OperationalError:  # no such table: dbstat
        return {}
    return sizes
