"""Dedupe: one article per canonical URL, and an exact copy under another URL linked to the first copy.

The rule is asked by Archive's writes, inside their transaction, so every writer (a crawl's store,
`newsspider ingest`, `reparse`) applies it and no caller can forget it. The archive answers for
this run's earlier articles too: a batch's earlier items are written in the same transaction before
a later one is judged, so no memory of the run is needed beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from ..items import Article

# Bodies shorter than this are too generic ("Vidéo", "Lire la suite") to call two pages copies.
MIN_DUPLICATE_BODY_CHARS = 200


def content_hash(body: str | None) -> str | None:
    if not body:
        return None
    return hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    content_hash: str | None
    article_id: int | None  # the article stored under the canonical URL: it is updated
    copy_of: tuple[int, str] | None  # else (id, canonical URL) of the stored article this one copies exactly
    known: bool  # the canonical URL was in the archive already, an article's or a copy's


def judge(db: Database, article: Article) -> Verdict:
    """The verdict on `article`, given what the archive holds (this transaction's writes included)."""
    digest = content_hash(article.body)
    canonical = article.canonical_url
    row = db.execute("select id from articles where canonical_url = ?", [canonical]).fetchone()
    if row is not None:
        # A canonical URL with an article of its own updates it, even when its body is another's.
        return Verdict(digest, row[0], None, True)
    recorded = db.execute("select article_id, reason from article_urls where url = ?", [canonical]).fetchone()
    copy_of = None
    if digest is not None:
        if len(article.body or "") >= MIN_DUPLICATE_BODY_CHARS:
            first = db.execute("select id, canonical_url from articles where content_hash = ? order by id limit 1", [digest]).fetchone()
            if first is not None:
                copy_of = (first[0], first[1])
        if copy_of is None and recorded is not None and recorded[1] == "same_body":
            # Recorded as a copy before, and still one: the article it copied has not changed since.
            found = db.execute("select id, canonical_url, content_hash from articles where id = ?", [recorded[0]]).fetchone()
            if found is not None and found[2] == digest:
                copy_of = (found[0], found[1])
    return Verdict(digest, None, copy_of, recorded is not None)
