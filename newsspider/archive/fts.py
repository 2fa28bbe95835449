"""The full-text index: FTS5 over articles.headline and articles.body, kept in sync by triggers.

unicode61 with remove_diacritics 2 folds case and strips accents from every
Latin letter, composed or not: "elysee" finds "Élysée", "developpement" finds
"développement". No stemmer: SQLite's porter is English-only, and a French
"Chinois" should not be cut to "chin". Use a trailing * for prefixes (chin*).
"""

from __future__ import annotations

from sqlite_utils import Database

# The index itself (tokenizer, columns, triggers) is made by migration m005 in schema.py.


def search(db: Database, query: str, limit: int = 20) -> list[dict]:
    """Article ids, headlines and a snippet with **marks**, best match first."""
    return list(
        db.query(
            """select a.id, a.headline, snippet(articles_fts, 1, '**', '**', ' … ', 24) as snippet
               from articles_fts join articles a on a.id = articles_fts.rowid
               where articles_fts match :q order by rank limit :limit""",
            {"q": query, "limit": limit},
        )
    )
