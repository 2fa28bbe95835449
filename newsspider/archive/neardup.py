"""Near-duplicates: an article whose body is the same story as an earlier one is linked to the first copy.

minhash_bands holds each article's LSH band keys (see archive/minhash.py);
articles sharing a band key are candidates, and a candidate is a match when
the exact Jaccard similarity of the two bodies' shingles reaches
minhash.THRESHOLD. Only earlier articles (smaller id) are looked at, so the
first copy never points at a later one.
"""

from __future__ import annotations

from typing import Callable

from sqlite_utils import Database

from . import minhash

# Short bodies ("Vidéo", a caption) share most of their few shingles by chance.
MIN_BODY_CHARS = 200


def keys(body: str | None, mine: set[str] | None = None) -> list[int]:
    """The body's band keys, sorted (none for a short body). `mine`: its shingles, if the caller has them."""
    if not body or len(body) < MIN_BODY_CHARS:
        return []
    if mine is None:
        mine = minhash.shingles(body)
    return sorted(set(minhash.band_keys(minhash.signature(mine))))


def index(db: Database, article_id: int, body: str | None, mine: set[str] | None = None, *, fresh: bool = False,
          precomputed: list[int] | None = None) -> list[int]:
    """(Re)write the article's band keys; returns them. `mine`: the body's shingles, if the caller has them;
    `fresh`: the article was inserted in this transaction, so it has no keys to delete;
    `precomputed`: keys(body), made elsewhere (a parser process: parsing/precompute.py)."""
    if not fresh:
        db.execute("delete from minhash_bands where article_id = ?", [article_id])
    keys_ = keys(body, mine) if precomputed is None else precomputed
    if not keys_:
        return []
    db.conn.executemany("insert or ignore into minhash_bands (band_key, article_id) values (?, ?)", [(k, article_id) for k in keys_])
    return keys_


def link(db: Database, article_id: int, mine: set[str] | Callable[[], set[str]], keys: list[int], detected_at: str, *,
         fresh: bool = False) -> dict | None:
    """Link the article (`mine`: its body's shingles, or a function that makes them) to the first copy of its
    story, if an earlier article matches. Returns the link."""
    if not fresh:
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
    if candidates and callable(mine):
        mine = mine()  # most articles have no candidate: their shingles are never needed
    for candidate, other, first in candidates:
        score = minhash.jaccard(mine, minhash.shingles(other))
        if score < minhash.THRESHOLD:
            continue
        if first is None:
            first = candidate
        # The oldest story wins; between copies of it, the closest one is the match.
        if best is None or (first, -score) < (best["first_id"], -best["similarity"]):
            best = {"article_id": article_id, "first_id": first, "matched_id": candidate, "similarity": round(score, 4), "detected_at": detected_at}
    if best:
        db["near_duplicates"].insert(best)
    return best


def index_and_link(db: Database, article_id: int, body: str | None, detected_at: str, *, fresh: bool = False,
                   precomputed: list[int] | None = None) -> dict | None:
    if precomputed is not None:
        return link(db, article_id, lambda: minhash.shingles(body), index(db, article_id, body, fresh=fresh, precomputed=precomputed),
                    detected_at, fresh=fresh)
    # Shingling is the costly step of both: done once.
    mine = minhash.shingles(body)
    return link(db, article_id, mine, index(db, article_id, body, mine, fresh=fresh), detected_at, fresh=fresh)

