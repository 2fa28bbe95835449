"""The archive's schema, as sqlite-utils migrations applied idempotently on open.

Add a migration at the end; never edit one that has shipped: archives made by
older versions are upgraded by running the ones they have not seen.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("newsspider")


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


def apply(db: Database) -> None:
    migrations.apply(db)
