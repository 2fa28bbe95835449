"""Reads and writes of articles in the SQLite archive: an item in, its rows, history, raw response and links out.

All SQL lives in newsspider/archive/; this module calls raw.py, versions.py and
neardup.py inside the same transaction as the article it writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Collection, Iterable

from sqlite_utils import Database

from ..items import ARTICLE_FIELDS, Article, CrawledArticle, SeenAgain, UnparsedPage
from ..timestamps import utc_columns
from . import neardup, raw, schema, versions

BUSY_TIMEOUT_S = 30.0
# Bodies shorter than this are too generic ("Vidéo", "Lire la suite") to call two pages copies.
MIN_DUPLICATE_BODY_CHARS = 200
# Fields that depend on how a page was fetched, not on what it says.
FETCH_FIELDS = frozenset({"url"})
# What counts() reports: the articles and what is known about them, which an
# unchanged re-crawl must leave as they are. raw_responses is a log of every
# fetch and grows on each one (see raw.storage()).
COUNTED_TABLES = ("articles", "image_credits", "related_links", "article_urls", "crawl_runs", "article_versions", "near_duplicates")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(body: str | None) -> str | None:
    if not body:
        return None
    return hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()


def connect(path: str | os.PathLike, *, readonly: bool = False) -> Database:
    """A sqlite-utils Database in WAL mode with a busy timeout, so readers never see "database is locked"."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    else:
        is_new = not path.exists()
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        if is_new:
            # Readable by others, writable by the owner only, whatever the umask.
            os.chmod(path, 0o644)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    db = Database(conn)
    if not readonly:
        if db.journal_mode != "wal":
            db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
    return db


def article_row(article: Article, *, digest: str | None, fetched_at: str) -> dict[str, Any]:
    """The article's columns in articles, URLs included; first_seen and last_seen, which describe crawls, are the caller's."""
    row = {name: getattr(article, name) for name in ARTICLE_FIELDS if name not in ("authors", "image_credits", "related_links")}
    row["authors"] = json.dumps(article.authors, ensure_ascii=False)
    row.update(utc_columns(article))
    row["content_hash"] = digest
    row["fetched_at"] = fetched_at
    return row


def write_children(db: Database, article_id: int, article: Article,
                   tables: Collection[str] = ("image_credits", "related_links")) -> None:
    """Insert the article's credits and links (those of `tables`); the caller deletes the old ones first."""
    # sqlite-utils inspects the table even for nothing to insert (0.1 ms each): most articles have no credits.
    if article.image_credits and "image_credits" in tables:
        db["image_credits"].insert_all(
            ({"article_id": article_id, "position": i, **credit} for i, credit in enumerate(article.image_credits)),
            batch_size=200,
        )
    if article.related_links and "related_links" in tables:
        db["related_links"].insert_all(
            ({"article_id": article_id, "position": i, "title": link["title"], "url": link["url"]}
             for i, link in enumerate(article.related_links)),
            batch_size=200,
        )


class Archive:
    """The archive at `path`, migrated to the current schema on open."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = connect(self.path)
        schema.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- lookups used by the dedupe pipeline ---------------------------------------
    def has_canonical(self, canonical_url: str) -> bool:
        return self._article_id(canonical_url) is not None

    def canonical_for_hash(self, digest: str) -> str | None:
        row = self.db.execute(
            "select canonical_url from articles where content_hash = ? order by id limit 1", [digest]
        ).fetchone()
        return row[0] if row else None

    def _article_id(self, canonical_url: str) -> int | None:
        row = self.db.execute("select id from articles where canonical_url = ?", [canonical_url]).fetchone()
        if row:
            return row[0]
        # A copy recorded under another URL counts as known too.
        row = self.db.execute("select article_id from article_urls where url = ?", [canonical_url]).fetchone()
        return row[0] if row else None

    # ---- writes ----------------------------------------------------------------------
    def write(self, items: Iterable[CrawledArticle | UnparsedPage], *, run_id: int | None = None) -> Counter:
        """Store a batch in one transaction, raw responses included.

        Returns counts by outcome: new, updated, unchanged, duplicate for
        articles; parse_error, dropped for pages stored raw only.
        """
        counts: Counter = Counter()
        with self.db.atomic():
            for item in items:
                counts[self._write_one(item, run_id)] += 1
        return counts

    def write_article(self, item: CrawledArticle) -> tuple[str, int]:
        """Store one article (no raw response) in its own transaction, or the caller's. Returns (outcome, article id)."""
        with self.db.atomic():
            return self._write_article(item)

    def _write_one(self, item: CrawledArticle | UnparsedPage | SeenAgain, run_id: int | None) -> str:
        if isinstance(item, SeenAgain):
            return self._seen_again(item)
        if isinstance(item, UnparsedPage):
            raw.store(self.db, item.raw, fetched_at=item.fetched_at, article_id=None, outcome=item.outcome, run_id=run_id, error=item.error)
            return item.outcome
        outcome, article_id = self._write_article(item)
        if item.raw is not None:
            raw.store(self.db, item.raw, fetched_at=item.fetched_at, article_id=article_id, outcome=outcome, run_id=run_id)
        return outcome

    def _seen_again(self, item: SeenAgain) -> str:
        """A known article seen again without a new copy: only last_seen moves."""
        row = self.db.execute("select article_id from article_urls where url = ?", [item.url]).fetchone()
        if row is None:
            return "unknown"
        self.db.execute("update articles set last_seen = ? where id = ? and last_seen < ?", [item.seen_at, row[0], item.seen_at])
        self.db.execute("update article_urls set last_seen = ? where url = ? and last_seen < ?", [item.seen_at, item.url, item.seen_at])
        return "not_modified" if item.reason == "not_modified" else "seen"

    def _write_article(self, item: CrawledArticle) -> tuple[str, int]:
        article, seen = item.article, item.fetched_at
        digest = item.content_hash or content_hash(article.body)
        row = self.db.execute("select id from articles where canonical_url = ?", [article.canonical_url]).fetchone()
        # A canonical URL with an article of its own updates it, even when its body is another's.
        target = self._copy_target(item, digest) if row is None else None
        if target is not None:
            self._record_url(article.canonical_url, target, "same_body", seen)
            if article.url != article.canonical_url:
                self._record_url(article.url, target, "same_body", seen)
            self.db["articles"].update(target, {"last_seen": seen})
            return "duplicate", target
        if row is None:
            article_id = self._insert(item)
            neardup.index_and_link(self.db, article_id, article.body, seen)
            outcome = "new"
        else:
            article_id = row[0]
            stored = self.load_article(article_id)
            changed = self.changed_fields(stored, article)
            if changed:
                versions.record(self.db, article_id, stored, changed_fields=changed, changed_at=seen, cause="refetch")
                self._update(article_id, item)
                if "body" in changed:
                    neardup.index_and_link(self.db, article_id, article.body, seen)
                outcome = "updated"
            else:
                # Same content: the stored version and its fetch time stand.
                self.db["articles"].update(article_id, {"last_seen": seen})
                outcome = "unchanged"
            if article.url == article.canonical_url:
                # Fetched under its canonical URL at last (an alias may have come first).
                self.db["articles"].update(article_id, {"url": article.url})
        self._record_url(article.canonical_url, article_id, "canonical", seen)
        if article.url != article.canonical_url:
            self._record_url(article.url, article_id, "alias", seen)
        return outcome, article_id

    def _copy_target(self, item: CrawledArticle, digest: str | None) -> int | None:
        """The stored article this item is an exact copy of, if any; asked only when its canonical URL has no article."""
        if digest is None:
            return None
        canonical_url = item.article.canonical_url
        candidates = []
        if item.duplicate_of:
            candidates.append(item.duplicate_of)
        row = self.db.execute("select article_id from article_urls where url = ? and reason = 'same_body'", [canonical_url]).fetchone()
        for target_url in candidates:
            found = self.db.execute("select id, content_hash from articles where canonical_url = ?", [target_url]).fetchone()
            if found and found[1] == digest:
                return found[0]
        if row:
            found = self.db.execute("select id, content_hash from articles where id = ?", [row[0]]).fetchone()
            if found and found[1] == digest:
                return found[0]
        return None

    def _row(self, item: CrawledArticle) -> dict[str, Any]:
        row = article_row(item.article, digest=item.content_hash or content_hash(item.article.body), fetched_at=item.fetched_at)
        row["last_seen"] = item.fetched_at
        return row

    def _insert(self, item: CrawledArticle) -> int:
        row = self._row(item)
        row["first_seen"] = item.fetched_at
        article_id = self.db["articles"].insert(row).last_pk
        write_children(self.db, article_id, item.article)
        return article_id

    def _update(self, article_id: int, item: CrawledArticle) -> None:
        row = self._row(item)
        row.pop("url")  # keep the URL it was first fetched from
        self.db["articles"].update(article_id, row)
        self.db.execute("delete from image_credits where article_id = ?", [article_id])
        self.db.execute("delete from related_links where article_id = ?", [article_id])
        write_children(self.db, article_id, item.article)

    def _record_url(self, url: str, article_id: int, reason: str, seen: str) -> None:
        self.db.execute(
            """insert into article_urls (url, article_id, reason, first_seen, last_seen) values (?, ?, ?, ?, ?)
               on conflict(url) do update set
                 article_id = excluded.article_id, reason = excluded.reason, last_seen = excluded.last_seen""",
            [url, article_id, reason, seen, seen],
        )

    # ---- reads -----------------------------------------------------------------------
    def load_article(self, article_id: int) -> Article:
        row = self.db["articles"].get(article_id)
        data = {name: row.get(name) for name in ARTICLE_FIELDS}
        data["authors"] = json.loads(row["authors"] or "[]")
        data["image_credits"] = [
            {k: r[k] for k in ("raw", "agency", "photographer", "caption")}
            for r in self.db.query("select * from image_credits where article_id = ? order by position", [article_id])
        ]
        data["related_links"] = [
            {"title": r["title"], "url": r["url"]}
            for r in self.db.query("select * from related_links where article_id = ? order by position", [article_id])
        ]
        return Article(**data)

    def find_article(self, canonical_url: str) -> Article | None:
        article_id = self._article_id(canonical_url)
        return self.load_article(article_id) if article_id is not None else None

    @staticmethod
    def changed_fields(old: Article, new: Article) -> list[str]:
        return [name for name in ARTICLE_FIELDS if name not in FETCH_FIELDS and getattr(old, name) != getattr(new, name)]

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in COUNTED_TABLES}

    # ---- crawl runs --------------------------------------------------------------------
    def start_run(self, spider: str, args: dict[str, Any]) -> int:
        with self.db.atomic():
            return self.db["crawl_runs"].insert(
                {"spider": spider, "started_at": utcnow(), "status": "running", "args": json.dumps(args, ensure_ascii=False, default=str)}
            ).last_pk

    def finish_run(self, run_id: int, *, status: str, finish_reason: str | None, counts: dict[str, int], stats: dict[str, Any],
                   coverage: dict | None = None, alarms: list | None = None) -> None:
        with self.db.atomic():
            self.db["crawl_runs"].update(
                run_id,
                {
                    "finished_at": utcnow(),
                    "status": status,
                    "finish_reason": finish_reason,
                    **counts,
                    "stats": json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
                    "coverage": json.dumps(coverage or {}, ensure_ascii=False, sort_keys=True),
                    "alarms": json.dumps(alarms or [], ensure_ascii=False),
                },
            )

    def close_stale_runs(self) -> int:
        """Runs still marked running when none can be (the caller holds the archive lock) were killed."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update crawl_runs set status = 'killed', finish_reason = 'killed' where status = 'running'"
            )
            return cursor.rowcount

    def coverage_history(self, spider: str, site: str, *, before_run: int, limit: int) -> list[dict[str, float]]:
        """Coverage of `site` in the last finished runs of `spider`, newest first."""
        rows = self.db.execute(
            """select coverage from crawl_runs
               where spider = ? and id < ? and status = 'finished' and coverage is not null
               order by id desc limit ?""",
            [spider, before_run, limit * 3],
        ).fetchall()
        history = []
        for (value,) in rows:
            sites = json.loads(value or "{}")
            if site in sites:
                history.append(sites[site])
            if len(history) >= limit:
                break
        return history

    def run(self, run_id: int) -> dict[str, Any]:
        return self.db["crawl_runs"].get(run_id)
