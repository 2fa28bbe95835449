"""The archive's schema, as sqlite-utils migrations applied idempotently on open.

Add a migration at the end; never edit one that has shipped: archives made by
older versions are upgraded by running the ones they have not seen.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from datetime import datetime, timezone

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("newsspider")


# Frozen copies of the code the migrations below ran when they were written (MinHash in
# one-permutation form: newsspider/archive/minhash.py and archive/neardup.py as of m008), so that
# an old migration keeps its meaning when that live code changes. Never edit these: a new
# way of indexing is a new migration with its own copy. Checked by tests/test_architecture.py.
_M_SHINGLE_WORDS, _M_THRESHOLD, _M_BANDS, _M_ROWS = 5, 0.5, 40, 3
_M_NUM_PERM = _M_BANDS * _M_ROWS
_M_MERSENNE = (1 << 61) - 1
_M_DENSIFY_OFFSET = 1 << 55
_M_MIN_BODY_CHARS = 200
_M_WORD = re.compile(r"\w+")


def _m_shingles(text: str | None) -> set[str]:
    words = _M_WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())
    k = _M_SHINGLE_WORDS
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def _m_jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _m_band_keys(shingle_set: set[str]) -> list[int]:
    if not shingle_set:
        return []
    bins: list[int | None] = [None] * _M_NUM_PERM
    for shingle in shingle_set:
        h = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big") % _M_MERSENNE
        slot, value = h % _M_NUM_PERM, h // _M_NUM_PERM
        if bins[slot] is None or value < bins[slot]:
            bins[slot] = value
    sig = []
    for i in range(_M_NUM_PERM):
        distance = 0
        while bins[(i + distance) % _M_NUM_PERM] is None:
            distance += 1
        sig.append(bins[(i + distance) % _M_NUM_PERM] + distance * _M_DENSIFY_OFFSET)
    keys = []
    for band in range(len(sig) // _M_ROWS):
        chunk = sig[band * _M_ROWS:(band + 1) * _M_ROWS]
        digest = hashlib.blake2b(struct.pack(f">I{_M_ROWS}Q", band, *chunk), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def _m_index(db: Database, article_id: int, body: str | None, mine: set[str] | None = None) -> list[int]:
    db.execute("delete from minhash_bands where article_id = ?", [article_id])
    if not body or len(body) < _M_MIN_BODY_CHARS:
        return []
    if mine is None:
        mine = _m_shingles(body)
    keys = sorted(set(_m_band_keys(mine)))
    db.conn.executemany("insert or ignore into minhash_bands (band_key, article_id) values (?, ?)", [(k, article_id) for k in keys])
    return keys


def _m_link(db: Database, article_id: int, mine: set[str], keys: list[int], detected_at: str) -> dict | None:
    db.execute("delete from near_duplicates where article_id = ?", [article_id])
    if not keys:
        return None
    marks = ",".join("?" * len(keys))
    candidates = db.execute(
        f"""select a.id, a.body, n.first_id from articles a left join near_duplicates n on n.article_id = a.id
            where a.id in (select article_id from minhash_bands where band_key in ({marks}) and article_id < ?)
            order by a.id""",
        [*keys, article_id],
    ).fetchall()
    best = None
    for candidate, other, first in candidates:
        score = _m_jaccard(mine, _m_shingles(other))
        if score < _M_THRESHOLD:
            continue
        if first is None:
            first = candidate
        if best is None or (first, -score) < (best["first_id"], -best["similarity"]):
            best = {"article_id": article_id, "first_id": first, "matched_id": candidate, "similarity": round(score, 4), "detected_at": detected_at}
    if best:
        db["near_duplicates"].insert(best)
    return best


@migrations()
def m001_initial(db: Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "canonical_url": str,
            "url": str,
            "site": str,
            "section": str,
            "language": str,
            "headline": str,
            "body": str,
            "published_at": str,
            "updated_at": str,
            "updated_at_raw": str,
            "authors": str,  # JSON list of names
            "content_hash": str,
            "first_seen": str,
            "last_seen": str,
            "fetched_at": str,
        },
        pk="id",
        not_null={"canonical_url", "url", "site", "first_seen", "last_seen", "fetched_at"},
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["site", "section"])
    db["articles"].create_index(["published_at"])

    db["image_credits"].create(
        {"id": int, "article_id": int, "position": int, "raw": str, "agency": str, "photographer": str, "caption": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "position"},
    )
    db["image_credits"].create_index(["article_id", "position"], unique=True)
    db["image_credits"].create_index(["agency"])

    db["related_links"].create(
        {"id": int, "article_id": int, "position": int, "title": str, "url": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "position", "url"},
    )
    db["related_links"].create_index(["article_id", "position"], unique=True)
    db["related_links"].create_index(["url"])

    # Every URL an article was seen under: its canonical URL, alias hosts, and the
    # URLs of exact copies (same body) that were not stored a second time.
    db["article_urls"].create(
        {"url": str, "article_id": int, "reason": str, "first_seen": str, "last_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "reason", "first_seen", "last_seen"},
    )
    db["article_urls"].create_index(["article_id"])

    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "finish_reason": str,
            "args": str,  # JSON: spider arguments and overridden settings
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "duplicates": int,
            "dropped": int,
            "parse_errors": int,
            "not_found": int,
            "http_errors": int,
            "stats": str,  # JSON: the full Scrapy stats
        },
        pk="id",
        not_null={"spider", "started_at", "status"},
    )


@migrations()
def m002_raw_responses(db: Database) -> None:
    # Bodies are content-addressed: a page fetched again byte for byte, or served
    # identically under two URLs, is stored once.
    db["raw_bodies"].create(
        {"sha256": str, "compression": str, "size": int, "data": bytes},
        pk="sha256",
        not_null={"compression", "size", "data"},
    )
    # One row per article response received, whatever became of it (outcome).
    db["raw_responses"].create(
        {
            "id": int,
            "article_id": int,
            "run_id": int,
            "url": str,
            "final_url": str,
            "status": int,
            "headers": str,  # JSON list of [name, value]
            "encoding": str,
            "fetched_at": str,
            "body_sha256": str,
            "outcome": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("body_sha256", "raw_bodies", "sha256"), ("run_id", "crawl_runs", "id")],
        not_null={"url", "final_url", "status", "fetched_at", "body_sha256", "outcome"},
    )
    db["raw_responses"].create_index(["article_id", "id"])
    db["raw_responses"].create_index(["final_url"])
    db["raw_responses"].create_index(["fetched_at"])
    db["raw_responses"].create_index(["body_sha256"])


@migrations()
def m003_article_versions(db: Database) -> None:
    # The previous state of an article each time its content changed: the
    # article's own columns as they were, its credits and links as JSON.
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "changed_at": str,
            "cause": str,
            "changed_fields": str,  # JSON list
            "url": str,
            "canonical_url": str,
            "site": str,
            "section": str,
            "language": str,
            "headline": str,
            "body": str,
            "published_at": str,
            "updated_at": str,
            "updated_at_raw": str,
            "authors": str,
            "image_credits": str,
            "related_links": str,
            "content_hash": str,
            "fetched_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "changed_at", "cause", "changed_fields"},
    )
    db["article_versions"].create_index(["article_id", "changed_at"])


@migrations()
def m004_near_duplicates(db: Database) -> None:
    db["near_duplicates"].create(
        {"article_id": int, "first_id": int, "matched_id": int, "similarity": float, "detected_at": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id"), ("first_id", "articles", "id"), ("matched_id", "articles", "id")],
        not_null={"first_id", "matched_id", "similarity", "detected_at"},
    )
    db["near_duplicates"].create_index(["first_id"])
    # WITHOUT ROWID: the (band_key, article_id) key is the whole row, stored once.
    db.execute(
        """create table minhash_bands (
             band_key integer not null,
             article_id integer not null references articles(id),
             primary key (band_key, article_id)
           ) without rowid"""
    )
    db.execute("create index idx_minhash_bands_article_id on minhash_bands (article_id)")
    # Every stored article indexed and linked, oldest first, in chunks (the loop writes to the tables it reads).
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    last = 0
    while True:
        rows = db.execute("select id, body from articles where id > ? order by id limit 500", [last]).fetchall()
        if not rows:
            return
        for article_id, body in rows:
            mine = _m_shingles(body)
            _m_link(db, article_id, mine, _m_index(db, article_id, body, mine), now)
        last = rows[-1][0]


@migrations()
def m005_full_text_search(db: Database) -> None:
    # Frozen copy of archive/fts.py's enable() as written: unicode61 folding case and accents.
    db["articles"].enable_fts(["headline", "body"], tokenize="unicode61 remove_diacritics 2", create_triggers=True)
    # sqlite-utils' update trigger re-indexes a row on any update, and the most
    # frequent update is last_seen on an unchanged re-fetch: re-index only when
    # the indexed text changes.
    db.execute("drop trigger articles_au")
    db.execute(
        """create trigger articles_au after update of headline, body on articles begin
             insert into articles_fts (articles_fts, rowid, headline, body) values ('delete', old.rowid, old.headline, old.body);
             insert into articles_fts (rowid, headline, body) values (new.rowid, new.headline, new.body);
           end"""
    )


@migrations()
def m006_reparse_runs(db: Database) -> None:
    db["reparse_runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "site": str,
            "since": str,
            "last_raw_id": int,
            "pages": int,
            "changed": int,
            "field_counts": str,  # JSON {field: pages where it changed}
        },
        pk="id",
        not_null={"started_at", "status", "last_raw_id", "pages", "changed"},
    )


@migrations()
def m007_incremental_runs(db: Database) -> None:
    # Incremental crawls see known articles without fetching them, or get 304 Not Modified;
    # the health alarm keeps each run's field coverage per site, and what it found wrong.
    runs = db["crawl_runs"]
    runs.add_column("articles_seen", int)
    runs.add_column("not_modified", int)
    runs.add_column("coverage", str)  # JSON {site: {"articles": n, field: share}}
    runs.add_column("alarms", str)  # JSON [{site, field, share, baseline}]


@migrations()
def m008_one_permutation_minhash(db: Database) -> None:
    # MinHash signatures now come from one-permutation hashing (newsspider/archive/minhash.py):
    # band keys written with the old functions would never match new ones. Links found
    # so far stay; only the candidate index is rebuilt (with the frozen copy above).
    last = 0
    while True:
        rows = db.execute("select id, body from articles where id > ? order by id limit 500", [last]).fetchall()
        if not rows:
            return
        for article_id, body in rows:
            _m_index(db, article_id, body)
        last = rows[-1][0]


@migrations()
def m009_fallback_fields(db: Database) -> None:
    # Which fields of an article are the generic extractor's answer because the site's parser
    # found nothing (a redesign it does not know): JSON list, "[]" when the site parser gave all.
    # Articles stored before this column existed get null: nobody recorded it for them.
    db["articles"].add_column("fallback_fields", str)
    db["article_versions"].add_column("fallback_fields", str)


@migrations()
def m010_ingested_messages(db: Database) -> None:
    # The ids of the messages `newsspider ingest` wrote (newsspider/distributed/codec.py),
    # recorded in the same transaction as their rows: a message seen again (a killed
    # ingest's last batch, written again on restart) is skipped, not stored twice.
    db.execute(
        """create table ingested_messages (
             id text primary key,
             run_id integer not null references crawl_runs(id)
           ) without rowid"""
    )
    db.execute("create index idx_ingested_messages_run_id on ingested_messages (run_id)")


@migrations()
def m011_timestamps_in_utc(db: Database) -> None:
    # published_at and updated_at keep what the page stated; *_utc holds the instant in UTC
    # when the page stated an offset (null when it did not: a naive time is not taken as UTC),
    # *_offset_stated says which (1, 0; null for no time). Frozen: the conversion is copied
    # here, not imported from newsspider/timestamps.py, so later changes there cannot change
    # what this migration did.
    from datetime import datetime, timezone

    def to_utc(value):
        if value is None or not str(value).strip():
            return None, None
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None, 0
        if moment.tzinfo is None or moment.utcoffset() is None:
            return None, 0
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), 1

    # The SQL of each table written out whole: no table name is interpolated into a query.
    queries = {
        "articles": ("select id, published_at, updated_at from articles where id > ? order by id limit 1000",
                     """update articles set published_at_utc = ?, published_at_offset_stated = ?,
                          updated_at_utc = ?, updated_at_offset_stated = ? where id = ?"""),
        "article_versions": ("select id, published_at, updated_at from article_versions where id > ? order by id limit 1000",
                             """update article_versions set published_at_utc = ?, published_at_offset_stated = ?,
                                  updated_at_utc = ?, updated_at_offset_stated = ? where id = ?"""),
    }
    for table, (select, update) in queries.items():
        for name in ("published_at", "updated_at"):
            db[table].add_column(f"{name}_utc", str)
            db[table].add_column(f"{name}_offset_stated", int)
        last = 0
        while True:
            rows = db.execute(select, [last]).fetchall()
            if not rows:
                break
            updates = []
            for row_id, published, updated in rows:
                (p_utc, p_stated), (u_utc, u_stated) = to_utc(published), to_utc(updated)
                updates.append((p_utc, p_stated, u_utc, u_stated, row_id))
            db.conn.executemany(update, updates)
            last = rows[-1][0]
    db["articles"].create_index(["published_at_utc"])
    db["articles"].create_index(["site", "published_at_utc"])


@migrations()
def m012_agencies(db: Database) -> None:
    # News agencies credited as an article's authors, apart from the people: JSON list, "[]"
    # when none. Articles stored before this column existed get null: nobody recorded it.
    db["articles"].add_column("agencies", str)
    db["article_versions"].add_column("agencies", str)


@migrations()
def m013_parser_version(db: Database) -> None:
    # Which parser read the article and in which of its dated versions (parsers/base.py:
    # "current" or its VALID_UNTIL day), so a reparse can say what changed and why.
    # Articles stored before this column existed get null: nobody recorded it for them.
    db["articles"].add_column("parser", str)
    db["articles"].add_column("parser_version", str)


@migrations()
def m014_page_accounting(db: Database) -> None:
    # What became of every page a run fetched, by kind (newsspider/runs/counts.py's PAGE_KINDS), as JSON.
    db["crawl_runs"].add_column("pages", str)


def pending(db: Database) -> list[str]:
    """The migrations this archive has not had (a read: for readers, which never migrate)."""
    return [m.name for m in migrations.pending(db)]


def apply(db: Database) -> None:
    migrations.apply(db)
