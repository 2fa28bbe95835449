"""What the archive already knows about a URL, for incremental crawls (read-only lookups)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .db import connect


@dataclass(frozen=True)
class Known:
    article_id: int
    canonical_url: str
    newest: datetime | None  # the later of published_at and updated_at, as the page stated them


class Frontier:
    """Lookups on the archive for spiders deciding what to fetch. An archive not yet created knows nothing."""

    def __init__(self, db_path: str | os.PathLike):
        self.db = connect(db_path, readonly=True) if Path(db_path).exists() else None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    def lookup(self, url: str) -> Known | None:
        if self.db is None:
            return None
        row = self.db.execute(
            """select a.id, a.canonical_url, a.published_at, a.updated_at
               from article_urls u join articles a on a.id = u.article_id
               where u.url = ?""",
            [url],
        ).fetchone()
        if row is None:
            return None
        article_id, canonical_url, published, updated = row
        return Known(article_id, canonical_url, _newest(published, updated))

    def validators(self, article_id: int) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the article's last 200 answer, for a conditional re-check.

        Apart from lookup(): most known links are not re-checked, and need no second query."""
        headers = self.db.execute(
            """select headers from raw_responses
               where article_id = ? and status = 200 order by id desc limit 1""",
            [article_id],
        ).fetchone()
        etag = last_modified = None
        if headers and headers[0]:
            for name, value in json.loads(headers[0]):
                if name.lower() == "etag":
                    etag = value
                elif name.lower() == "last-modified":
                    last_modified = value
        return etag, last_modified


def _newest(*values: str | None) -> datetime | None:
    moments = []
    for value in values:
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        moments.append(moment)
    aware = [m for m in moments if m.tzinfo is not None]
    # Mixed naive and aware dates: compare what the pages say, wall clock to wall clock.
    return max(aware or moments, key=lambda m: m.replace(tzinfo=None)) if moments else None
