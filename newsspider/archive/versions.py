"""Article history: before an article's stored content changes, its previous state goes to article_versions."""

from __future__ import annotations

import json

from sqlite_utils import Database

from ..items import COLUMN_FIELDS, Article
from ..timestamps import UTC_COLUMNS

# What is copied from articles as it was; first_seen and last_seen describe the article, not a version.
_STORED = ("content_hash", "fetched_at", "fallback_fields")
SNAPSHOT_COLUMNS = (*(name for name in COLUMN_FIELDS if name not in _STORED), *_STORED, *UTC_COLUMNS)


def record(db: Database, article_id: int, stored: Article, *, changed_fields: list[str], changed_at: str, cause: str) -> int:
    """Keep the article's current state as a version; call it before overwriting the article. Returns the version id.

    `stored` is the article as Archive.load_article read it: its credits and links are not read again.
    """
    row = db.execute(f"select {', '.join(SNAPSHOT_COLUMNS)} from articles where id = ?", [article_id]).fetchone()
    snapshot = dict(zip(SNAPSHOT_COLUMNS, row))
    snapshot["image_credits"] = json.dumps(stored.image_credits, ensure_ascii=False)
    snapshot["related_links"] = json.dumps(stored.related_links, ensure_ascii=False)
    return db["article_versions"].insert(
        {"article_id": article_id, "changed_at": changed_at, "cause": cause,
         "changed_fields": json.dumps(changed_fields), **snapshot}
    ).last_pk
