"""Article history: before an article's stored content changes, its previous state goes to article_versions."""

from __future__ import annotations

import json

from sqlite_utils import Database

# What is copied from articles as it was; first_seen and last_seen describe the article, not a version.
SNAPSHOT_COLUMNS = (
    "url", "canonical_url", "site", "section", "language", "headline", "body", "published_at",
    "updated_at", "updated_at_raw", "authors", "content_hash", "fetched_at",
)


def record(db: Database, article_id: int, *, changed_fields: list[str], changed_at: str, cause: str) -> int:
    """Keep the article's current state as a version; call it before overwriting the article. Returns the version id."""
    row = db.execute(f"select {', '.join(SNAPSHOT_COLUMNS)} from articles where id = ?", [article_id]).fetchone()
    snapshot = dict(zip(SNAPSHOT_COLUMNS, row))
    snapshot["image_credits"] = json.dumps(
        [dict(zip(("raw", "agency", "photographer", "caption"), r)) for r in db.execute(
            "select raw, agency, photographer, caption from image_credits where article_id = ? order by position", [article_id])],
        ensure_ascii=False,
    )
    snapshot["related_links"] = json.dumps(
        [dict(zip(("title", "url"), r)) for r in db.execute(
            "select title, url from related_links where article_id = ? order by position", [article_id])],
        ensure_ascii=False,
    )
    return db["article_versions"].insert(
        {"article_id": article_id, "changed_at": changed_at, "cause": cause,
         "changed_fields": json.dumps(changed_fields), **snapshot}
    ).last_pk


def history(db: Database, article_id: int) -> list[dict]:
    return list(db.query("select * from article_versions where article_id = ? order by id", [article_id]))
