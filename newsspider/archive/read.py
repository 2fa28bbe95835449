"""Reading an archive from Python: `newsspider.Archive(path)`, for notebooks and scripts.

Read-only by default (SQLite `mode=ro`: it can be open while a crawl writes, and it
never changes the file). Articles stream from the same cursors as `newsspider export`
(export.iter_articles), so filters mean the same thing in both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..items import JSON_COLUMNS, Article
from ..timestamps import DATETIME_FIELDS
from . import export, raw as raw_store, schema
from .db import connect

# Beside an Article's fields: what the archive knows about the stored copy.
STORED_FIELDS = ("id", "content_hash", "first_seen", "last_seen", "fetched_at",
                 "published_at_utc", "published_at_offset_stated", "updated_at_utc", "updated_at_offset_stated")
_UTC_TIMES = ("first_seen", "last_seen", "fetched_at")


class ArchiveOutdated(RuntimeError):
    pass


@dataclass
class ArchivedArticle(Article):
    """An Article as stored: the parser's fields plus the archive's (id, first/last seen, UTC times)."""

    id: int | None = None
    content_hash: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    fetched_at: str | None = None
    published_at_utc: str | None = None
    published_at_offset_stated: int | None = None
    updated_at_utc: str | None = None
    updated_at_offset_stated: int | None = None


def _bound(value: str | date | datetime | None) -> str | None:
    """A date, datetime or ISO string -> UTC string (naive = UTC), as `export --since` reads it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    return export.parse_since(str(value))


def offset_minutes(value: str | None) -> int | None:
    """The offset a stated time carries, in minutes east of UTC; None when it has none."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    offset = moment.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


class ArchiveReader:
    """The archive at `path`, for reading. `readonly=False` opens it for writing and upgrades an old schema."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = True):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no archive at {self.path}")
        self.db = connect(self.path, readonly=readonly)
        if not readonly:
            schema.apply(self.db)
        elif schema.migrations.pending(self.db):
            names = ", ".join(m.name for m in schema.migrations.pending(self.db))
            self.db.close()
            raise ArchiveOutdated(f"{self.path} was made by an older newsspider (missing {names}); open it once with "
                                  f"newsspider.Archive({str(self.path)!r}, readonly=False) to upgrade it")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<newsspider.Archive {str(self.path)!r}>"

    # ---- articles ---------------------------------------------------------------------------
    def rows(self, *, site: str | None = None, section: str | None = None, published_since=None, until=None,
             search: str | None = None, fetched_since=None) -> Iterator[dict[str, Any]]:
        """Articles as dicts (the export's rows: lists as lists), by id."""
        return export.iter_articles(self.db, since=_bound(fetched_since), site=site, section=section,
                                    published_since=_bound(published_since), published_until=_bound(until), search=search)

    def articles(self, *, site: str | None = None, section: str | None = None, published_since=None, until=None,
                 search: str | None = None, fetched_since=None) -> Iterator[ArchivedArticle]:
        """Articles of `site` and `section`, published at or after `published_since` and before `until`
        (dates, datetimes or ISO strings; naive = UTC; compared with published_at_utc, so an article whose
        page stated no offset is outside any such bound), matching every word of `search` (full text,
        accents and case ignored; `chin*` for a prefix), in archive order."""
        names = {f.name for f in fields(ArchivedArticle)}
        for row in self.rows(site=site, section=section, published_since=published_since, until=until, search=search,
                             fetched_since=fetched_since):
            yield ArchivedArticle(**{k: v for k, v in row.items() if k in names})

    def article(self, key: int | str) -> ArchivedArticle:
        """One article by id or canonical URL."""
        query = "select id from articles where id = ?" if isinstance(key, int) else "select id from articles where canonical_url = ?"
        found = self.db.execute(query, [key]).fetchone()
        if found is None:
            raise KeyError(f"no article {key!r}")
        names = {f.name for f in fields(ArchivedArticle)}
        row = next(export.iter_articles(self.db, article_id=found[0]))
        return ArchivedArticle(**{k: v for k, v in row.items() if k in names})

    def _id(self, article: ArchivedArticle | Article | int | str) -> int:
        if isinstance(article, int):
            return article
        if isinstance(article, str):
            return self.article(article).id
        if getattr(article, "id", None) is not None:
            return article.id
        return self.article(article.canonical_url).id

    def versions(self, article) -> list[dict[str, Any]]:
        """The article's earlier states, oldest first (article_versions rows; lists decoded)."""
        import json

        out = []
        for row in self.db.query("select * from article_versions where article_id = ? order by id", [self._id(article)]):
            for name in ("changed_fields", *JSON_COLUMNS, "image_credits", "related_links"):
                row[name] = json.loads(row[name]) if row.get(name) else []
            out.append(row)
        return out

    def raw(self, article, *, all_fetches: bool = False) -> dict[str, Any] | list[dict[str, Any]] | None:
        """The latest stored response of the article (status, headers, body bytes, fetched_at, ...);
        every response, oldest first, with all_fetches=True."""
        ids = [r[0] for r in self.db.execute("select id from raw_responses where article_id = ? order by id", [self._id(article)])]
        if all_fetches:
            return [raw_store.load(self.db, i) for i in ids]
        return raw_store.load(self.db, ids[-1]) if ids else None

    # ---- tables -----------------------------------------------------------------------------
    def to_arrow(self, **filters):
        """The articles (same filters as articles()) as a pyarrow Table with typed columns (arrow_schema())."""
        import pyarrow as pa

        return pa.Table.from_batches(list(self.arrow_batches(**filters)), schema=arrow_schema())

    def arrow_batches(self, batch_size: int = 2000, **filters):
        """The same as record batches of `batch_size` articles, in constant memory (the Parquet export)."""
        return arrow_batches(self.rows(**filters), batch_size)

    def to_pandas(self, **filters):
        """The articles as a DataFrame: tz-aware UTC datetimes (published_at_utc, updated_at_utc, first_seen,
        last_seen, fetched_at) beside the page's stated time (published_at, a string) and its offset in
        minutes (published_at_offset, nullable Int); authors, image_credits and related_links as Python lists."""
        import pandas as pd

        rows = [typed_row(r) for r in self.rows(**filters)]
        columns = [f.name for f in arrow_schema()]
        df = pd.DataFrame(rows, columns=columns)
        for name, kind in pandas_dtypes().items():
            if kind == "utc":
                df[name] = pd.to_datetime(df[name], utc=True)
            else:
                df[name] = df[name].astype(kind)
        return df


def columns() -> list[str]:
    """The API's columns, in order: the export's, each stated time followed by its offset in minutes."""
    out = []
    for name in export.ARTICLE_COLUMNS:
        out.append(name)
        if name in DATETIME_FIELDS:
            out.append(f"{name}_offset")
    return out


def arrow_schema():
    import pyarrow as pa

    utc = pa.timestamp("us", tz="UTC")  # Parquet has no second unit: us round-trips
    credit = pa.struct([("raw", pa.string()), ("agency", pa.string()), ("photographer", pa.string()), ("caption", pa.string())])
    link = pa.struct([("title", pa.string()), ("url", pa.string())])
    special = {
        "id": pa.int64(), **{n: pa.list_(pa.string()) for n in JSON_COLUMNS}, "image_credits": pa.list_(credit), "related_links": pa.list_(link),
        "published_at_utc": utc, "updated_at_utc": utc, **{n: utc for n in _UTC_TIMES},
        "published_at_offset": pa.int16(), "updated_at_offset": pa.int16(),
        "published_at_offset_stated": pa.bool_(), "updated_at_offset_stated": pa.bool_(),
    }
    return pa.schema([(name, special.get(name, pa.string())) for name in [*columns(), "image_credits", "related_links"]])


def pandas_dtypes() -> dict[str, str]:
    out = {"id": "Int64", "published_at_offset": "Int16", "updated_at_offset": "Int16",
           "published_at_offset_stated": "boolean", "updated_at_offset_stated": "boolean"}
    out.update({n: "utc" for n in ("published_at_utc", "updated_at_utc", *_UTC_TIMES)})
    return out


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def typed_row(row: dict[str, Any]) -> dict[str, Any]:
    """An export row with Python types: UTC datetimes, offsets in minutes, booleans."""
    out = dict(row)
    for name in DATETIME_FIELDS:
        out[f"{name}_offset"] = offset_minutes(row.get(name))
        stated = row.get(f"{name}_offset_stated")
        out[f"{name}_offset_stated"] = None if stated is None else bool(stated)
        out[f"{name}_utc"] = _utc(row.get(f"{name}_utc"))
    for name in _UTC_TIMES:
        out[name] = _utc(row.get(name))
    return out


def arrow_batches(rows, batch_size: int = 2000, extra=None):
    """Record batches of typed rows; `extra` (name, arrow type, function of the row) adds a column."""
    import pyarrow as pa

    sch = arrow_schema()
    if extra:
        sch = sch.append(pa.field(extra[0], extra[1]))
    batch: list[dict[str, Any]] = []
    for row in rows:
        typed = typed_row(row)
        if extra:
            typed[extra[0]] = extra[2](typed)
        batch.append(typed)
        if len(batch) >= batch_size:
            yield pa.RecordBatch.from_pylist(batch, schema=sch)
            batch = []
    if batch:
        yield pa.RecordBatch.from_pylist(batch, schema=sch)


# ---- the demo's report ----------------------------------------------------------------------
# A query the demo prints for the user to try (shell advice, never executed here).
EXAMPLE_QUERY = "select section, count(*) from articles group by section"


def article_listing(db) -> list[dict[str, Any]]:
    """Every article, newest update first, with how many image credits and related links it has."""
    return list(
        db.query(
            """select a.id, a.section, a.headline, a.updated_at,
                      (select count(*) from image_credits c where c.article_id = a.id) as credits,
                      (select count(*) from related_links r where r.article_id = a.id) as related
               from articles a order by a.updated_at desc"""
        )
    )


def article_by_url_ending(db, ending: str) -> tuple[int, str] | None:
    """(id, headline) of an article whose canonical URL ends with `ending`, or None."""
    return db.execute("select id, headline from articles where canonical_url like ? ", ["%" + ending]).fetchone()
