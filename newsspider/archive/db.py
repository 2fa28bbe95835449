"""Reads and writes of articles in the SQLite archive: an item in, its rows, history, raw response and links out.

All SQL lives in newsspider/archive/; this module calls raw.py, versions.py and
neardup.py inside the same transaction as the article it writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Collection, Iterable, Iterator
from urllib.parse import quote

from sqlite_utils import Database

from ..items import ARTICLE_FIELDS, JSON_COLUMNS, Article, CrawledArticle, SeenAgain, UnparsedPage
from ..timestamps import utc_columns
from . import dedupe, neardup, raw, schema, versions
from .dedupe import MIN_DUPLICATE_BODY_CHARS, content_hash  # noqa: F401 (the archive's names for them, as before)

BUSY_TIMEOUT_S = 30.0
# Fields that depend on how a page was fetched, not on what it says.
FETCH_FIELDS = frozenset({"url"})
# What counts() reports: the articles and what is known about them, which an
# unchanged re-crawl must leave as they are. raw_responses is a log of every
# fetch and grows on each one (see raw.storage()).
COUNTED_TABLES = ("articles", "image_credits", "related_links", "article_urls", "crawl_runs", "article_versions", "near_duplicates")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


DIR_MODE = 0o755
FILE_MODE = 0o644


def make_dirs(path: str | os.PathLike) -> None:
    """Create `path` and its missing parents rwxr-xr-x at most, whatever the umask.

    Path.mkdir(parents=True) and os.makedirs make the parents 0o777 & ~umask: world-writable
    folders under a cron job's umask 000.
    """
    path = Path(path)
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            pass


def _connect_readonly(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """mode=ro, which sees a running crawl's commits; on read-only media, where SQLite cannot make the
    WAL index (-shm) that mode=ro needs, immutable=1, which is right there: no -wal can hold commits."""
    uri = f"file:{quote(str(path))}"
    if _on_read_only_media(path):
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=busy_timeout, check_same_thread=False)
    return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout, check_same_thread=False)


def _on_read_only_media(path: Path) -> bool:
    # os.access answers for the mount too: on a read-only one, W_OK is refused even to root.
    return path.exists() and not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists() and not os.access(path.parent, os.W_OK)


def is_read_only_media(path: str | os.PathLike) -> bool:
    """True when the archive can be read only as immutable (read-only media): mode=ro cannot open it."""
    return _on_read_only_media(Path(path))


def connect(path: str | os.PathLike, *, readonly: bool = False, busy_timeout: float | None = None) -> Database:
    """A sqlite-utils Database in WAL mode with a busy timeout, so readers never see "database is locked"."""
    path = Path(path)
    busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
    if readonly:
        conn = _connect_readonly(path, busy_timeout)
    else:
        if not path.exists():
            make_dirs(path.parent)
            # Created empty with its mode first, so no moment exists when the umask's mode applies
            # (SQLite gives -wal and -shm the database file's mode). Readable by others, writable by the owner only.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE))
        conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    db = Database(conn)
    if not readonly:
        if db.journal_mode != "wal":
            db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that will write, begun as BEGIN IMMEDIATE: it takes the write lock first, waiting up to the busy timeout.

    sqlite-utils' atomic() (and sqlite3's implicit transactions) begin DEFERRED: they read under a
    snapshot and ask for the write lock only at their first write, and when another writer has
    committed since that snapshot SQLite answers "database is locked" at once, whatever the busy
    timeout. Inside a transaction already open, this is a savepoint, as atomic() makes.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def article_row(article: Article, *, digest: str | None, fetched_at: str) -> dict[str, Any]:
    """The article's columns in articles, URLs included; first_seen and last_seen, which describe crawls, are the caller's."""
    row = {name: getattr(article, name) for name in ARTICLE_FIELDS if name not in ("image_credits", "related_links")}
    for name in JSON_COLUMNS:
        row[name] = json.dumps(getattr(article, name), ensure_ascii=False)
    row.update(utc_columns(article))
    row["content_hash"] = digest
    row["fetched_at"] = fetched_at
    return row


CREDIT_KEYS = ("raw", "agency", "photographer", "caption")


def write_children(db: Database, article_id: int, article: Article,
                   tables: Collection[str] = ("image_credits", "related_links")) -> None:
    """Insert the article's credits and links (those of `tables`); the caller deletes the old ones first."""
    # Plain SQL, not sqlite-utils' insert_all, which asks sqlite_master three times per table and call
    # (bench/sql_per_article.py): the columns are the schema's, fixed.
    if article.image_credits and "image_credits" in tables:
        db.conn.executemany(
            "insert into image_credits (article_id, position, raw, agency, photographer, caption) values (?, ?, ?, ?, ?, ?)",
            [(article_id, i, *(credit.get(k) for k in CREDIT_KEYS)) for i, credit in enumerate(article.image_credits)],
        )
    if article.related_links and "related_links" in tables:
        db.conn.executemany(
            "insert into related_links (article_id, position, title, url) values (?, ?, ?, ?)",
            [(article_id, i, link["title"], link["url"]) for i, link in enumerate(article.related_links)],
        )


class Archive:
    """The archive at `path`, migrated to the current schema on open."""

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float | None = None):
        self.path = Path(path)
        self.busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
        self.db = connect(self.path, busy_timeout=self.busy_timeout)
        if schema.migrations.pending(self.db):
            # One writer migrates: a second opening at once waits for the lock, then finds nothing pending.
            with write_transaction(self.db):
                schema.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def waiting(self, seconds: float | None) -> Iterator[Archive]:
        """Writes inside wait up to `seconds` for another writer (ARCHIVE_BUSY_TIMEOUT), the connection's own wait after.

        One archive serves a whole run: its articles wait as the setting says, its crawl_runs row as long as it always did.
        """
        if seconds is None or seconds == self.busy_timeout:
            yield self
            return
        self.db.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield self
        finally:
            self.db.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- lookups -----------------------------------------------------------------------
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
        with write_transaction(self.db):
            for item in items:
                counts[self._write_one(item, run_id)] += 1
        return counts

    def write_article(self, item: CrawledArticle) -> tuple[str, int]:
        """Store one article (no raw response) in its own transaction, or the caller's. Returns (outcome, article id)."""
        with write_transaction(self.db):
            return self._write_article(item)

    def _write_one(self, item: CrawledArticle | UnparsedPage | SeenAgain, run_id: int | None) -> str:
        if isinstance(item, SeenAgain):
            return self._seen_again(item)
        if isinstance(item, UnparsedPage):
            raw.store(self.db, item.raw, fetched_at=item.fetched_at, article_id=None, outcome=item.outcome, run_id=run_id, error=item.error)
            return item.outcome
        outcome, article_id = self._write_article(item)
        if item.raw is not None:
            raw.store(self.db, item.raw, fetched_at=item.fetched_at, article_id=article_id, outcome=outcome, run_id=run_id,
                      precomputed=item.precomputed)
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
        verdict = dedupe.judge(self.db, article)
        # What the archive found, for the caller to count (the store's newsspider/dedupe/* stats); never read back here.
        item.content_hash, item.known = verdict.content_hash, verdict.known
        item.duplicate_of = verdict.copy_of[1] if verdict.copy_of is not None else None
        if verdict.copy_of is not None:
            target = verdict.copy_of[0]
            self._record_url(article.canonical_url, target, "same_body", seen)
            if article.url != article.canonical_url:
                self._record_url(article.url, target, "same_body", seen)
            self._set(target, last_seen=seen)
            return "duplicate", target
        if verdict.article_id is None:
            article_id = self._insert(item, verdict.content_hash)
            neardup.index_and_link(self.db, article_id, article.body, seen, fresh=True, precomputed=self._keys(item))
            outcome = "new"
        else:
            article_id = verdict.article_id
            stored = self.load_article(article_id)
            changed = self.changed_fields(stored, article)
            if changed:
                versions.record(self.db, article_id, stored, changed_fields=changed, changed_at=seen, cause="refetch")
                self._update(article_id, item, verdict.content_hash)
                if "body" in changed:
                    neardup.index_and_link(self.db, article_id, article.body, seen, precomputed=self._keys(item))
                outcome = "updated"
            else:
                # Same content: the stored version and its fetch time stand.
                self._set(article_id, last_seen=seen)
                outcome = "unchanged"
            if article.url == article.canonical_url:
                # Fetched under its canonical URL at last (an alias may have come first).
                self._set(article_id, url=article.url)
        self._record_url(article.canonical_url, article_id, "canonical", seen)
        if article.url != article.canonical_url:
            self._record_url(article.url, article_id, "alias", seen)
        return outcome, article_id

    @staticmethod
    def _keys(item: CrawledArticle) -> list[int] | None:
        """The near-duplicate band keys a parser process made (parsing/precompute.py), if they are of the body stored."""
        return item.precomputed.keys_for(item.article.body) if item.precomputed is not None else None

    def _set(self, article_id: int, *, last_seen: str | None = None, url: str | None = None) -> None:
        # Plain SQL: sqlite-utils' update asks sqlite_master first, on every call.
        if last_seen is not None:
            self.db.execute("update articles set last_seen = ? where id = ?", [last_seen, article_id])
        if url is not None:
            self.db.execute("update articles set url = ? where id = ?", [url, article_id])

    def _row(self, item: CrawledArticle, digest: str | None) -> dict[str, Any]:
        row = article_row(item.article, digest=digest, fetched_at=item.fetched_at)
        row["last_seen"] = item.fetched_at
        if item.parser is not None:
            row["parser"], row["parser_version"] = item.parser, item.parser_version
        return row

    def _insert(self, item: CrawledArticle, digest: str | None) -> int:
        row = self._row(item, digest)
        row["first_seen"] = item.fetched_at
        # Plain SQL: sqlite-utils' insert asks sqlite_master three times and opens a savepoint, per article.
        # The column names are article_row's, from the constant field lists; every value is a placeholder.
        columns = list(row)
        marks = ", ".join("?" * len(columns))
        article_id = self.db.execute(f"insert into articles ({', '.join(columns)}) values ({marks})", [row[c] for c in columns]).lastrowid
        write_children(self.db, article_id, item.article)
        return article_id

    def _update(self, article_id: int, item: CrawledArticle, digest: str | None) -> None:
        row = self._row(item, digest)
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
        for name in JSON_COLUMNS:
            data[name] = json.loads(row.get(name) or "[]")
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
        with write_transaction(self.db):
            return self.db["crawl_runs"].insert(
                {"spider": spider, "started_at": utcnow(), "status": "running", "args": json.dumps(args, ensure_ascii=False, default=str)}
            ).last_pk

    def finish_run(self, run_id: int, *, status: str, finish_reason: str | None, counts: dict[str, int], stats: dict[str, Any],
                   coverage: dict | None = None, alarms: list | None = None, pages: dict | None = None) -> None:
        with write_transaction(self.db):
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
                    "pages": json.dumps(pages or {}, ensure_ascii=False, sort_keys=True),
                },
            )

    def save_run_progress(self, run_id: int, *, counts: dict[str, int], stats: dict[str, Any]) -> None:
        """A running run's counts so far, in the caller's transaction: a killed run keeps what it did."""
        self.db["crawl_runs"].update(run_id, {**counts, "stats": json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True)})

    # ---- messages `newsspider ingest` wrote -------------------------------------------
    def ingested(self, message_ids: Collection[str]) -> set[str]:
        """Those of `message_ids` already written by an ingest run."""
        found: set[str] = set()
        ids = list(message_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self.db.execute(f"select id from ingested_messages where id in ({marks})", chunk))
        return found

    def record_ingested(self, message_ids: Iterable[str], run_id: int) -> None:
        """Note messages as written, in the caller's transaction (the one that wrote their rows)."""
        self.db.conn.executemany("insert or ignore into ingested_messages (id, run_id) values (?, ?)",
                                 [(message_id, run_id) for message_id in message_ids])

    def forget_ingested(self, spider: str, *, keep_runs: int) -> int:
        """Forget the ids but those of the last `keep_runs` runs of `spider`: a replay comes from the last run or two."""
        with self.db.atomic():
            row = self.db.execute(
                "select min(id) from (select id from crawl_runs where spider = ? order by id desc limit ?)", [spider, keep_runs]
            ).fetchone()
            if row[0] is None:
                return 0
            return self.db.execute("delete from ingested_messages where run_id < ?", [row[0]]).rowcount

    def close_stale_runs(self) -> int:
        """Runs still marked running when none can be (the caller holds the archive lock) were killed."""
        with write_transaction(self.db):
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
