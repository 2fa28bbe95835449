"""The archive's side of `newsspider reparse`: which stored pages to re-read, progress, and applying changes.

The page re-read for an article is its latest response (not one recorded as
an exact copy of it); a response that gave no article (a parse error, or
dropped by validation) is re-read too, once per URL, while no article is
known under that URL. Pages kept as a listing or a soft error page are not: a parse of a
listing often "succeeds", and would store it as an article.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlite_utils import Database

from ..items import Article
from . import neardup, raw, versions
from .db import article_row, write_children, write_transaction

# raw_bodies is there for next_pages, which reads each page's body; a left join on its key counts the same pages.
_PAGES = """
    from raw_responses r left join articles a on a.id = r.article_id left join raw_bodies b on b.sha256 = r.body_sha256
    where r.id > :after
      and ((r.article_id is not null and r.outcome != 'duplicate'
            and r.id = (select max(x.id) from raw_responses x where x.article_id = r.article_id and x.outcome != 'duplicate'))
        or (r.article_id is null and r.outcome not in ('listing', 'soft_error')
            and r.id = (select max(x.id) from raw_responses x where x.final_url = r.final_url and x.article_id is null)
            and not exists (select 1 from article_urls u where u.url = r.final_url)))
      and (:since is null or r.fetched_at >= :since)
      and (:site is null or a.site = :site or r.article_id is null)
"""


def count_pages(db: Database, *, after: int, since: str | None, site: str | None) -> int:
    return db.execute(f"select count(*) {_PAGES}", {"after": after, "since": since, "site": site}).fetchone()[0]


def next_pages(db: Database, *, after: int, since: str | None, site: str | None, limit: int) -> list[dict[str, Any]]:
    rows = list(db.query(
        f"select r.id, r.article_id, r.final_url, r.encoding, r.fetched_at, b.data, b.compression {_PAGES} order by r.id limit :limit",
        {"after": after, "since": since, "site": site, "limit": limit},
    ))
    for row in rows:
        row["body"] = raw.decompress(row.pop("data"), row.pop("compression"))
    return rows


def start(db: Database, *, site: str | None, since: str | None, restart: bool, now: str) -> dict[str, Any]:
    """The unfinished run for the same --site and --since, to resume; else a new run."""
    found = next(db.query(
        "select * from reparse_runs where status = 'running' and site is ? and since is ? order by id desc limit 1", [site, since]
    ), None)
    if found and not restart:
        return found
    with write_transaction(db):
        if found:
            db["reparse_runs"].update(found["id"], {"status": "abandoned", "finished_at": now})
        run_id = db["reparse_runs"].insert(
            {"started_at": now, "status": "running", "site": site, "since": since, "last_raw_id": 0, "pages": 0, "changed": 0, "field_counts": "{}"}
        ).last_pk
    return db["reparse_runs"].get(run_id)


def save_progress(db: Database, run_id: int, *, last_raw_id: int, pages: int, changed: int, field_counts: Counter) -> None:
    db["reparse_runs"].update(run_id, {"last_raw_id": last_raw_id, "pages": pages, "changed": changed,
                                       "field_counts": json.dumps(dict(sorted(field_counts.items())))})


def finish(db: Database, run_id: int, now: str) -> None:
    db["reparse_runs"].update(run_id, {"status": "finished", "finished_at": now})


def apply(db: Database, article_id: int, old: Article, article: Article, *, changed: list[str], fetched_at: str, now: str,
          content_hash: str | None, parser: tuple[str, str] | None = None) -> None:
    """Overwrite the article's extracted fields with a re-parse, keeping the old ones (`old`, as loaded) as a version.

    The article keeps its URLs (its identity) and its first_seen/last_seen
    (they describe crawls, not parsing).
    """
    versions.record(db, article_id, old, changed_fields=changed, changed_at=now, cause="reparse")
    row = article_row(article, digest=content_hash, fetched_at=fetched_at)
    del row["url"], row["canonical_url"]
    if parser is not None:
        row["parser"], row["parser_version"] = parser
    db["articles"].update(article_id, row)
    if "image_credits" in changed:
        db.execute("delete from image_credits where article_id = ?", [article_id])
    if "related_links" in changed:
        db.execute("delete from related_links where article_id = ?", [article_id])
    write_children(db, article_id, article, tables=changed)
    if "body" in changed:
        neardup.index_and_link(db, article_id, article.body, now)


def attach(db: Database, raw_id: int, article_id: int) -> None:
    """A page that gave no article when fetched gave one when re-parsed."""
    db.execute("update raw_responses set article_id = ? where id = ?", [article_id, raw_id])
