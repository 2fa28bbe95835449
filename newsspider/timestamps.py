"""The one rule that turns a page's stated times into UTC columns a program can trust.

A page states its times as it likes: with an offset (`2016-06-19T13:34:00+08:00`),
or without one (`2026-05-13T15:44:00`, a wall-clock time in a zone the page never
names). The archive keeps the stated value as it is (`published_at`) and adds, for
each of published_at and updated_at:

- `<name>_utc`: the same instant in UTC, `YYYY-MM-DDTHH:MM:SSZ`, when the page stated
  an offset; null when it did not. A naive time is never taken as UTC: a People's
  Daily time read so would be 8 hours off, and a researcher could not tell which
  rows are true. These strings sort as they read and parse in pandas for any mix of
  sites (`pd.to_datetime(..., utc=True)`).
- `<name>_offset_stated`: 1 when the page stated an offset, 0 when it stated a time
  without one (or nothing readable), null when it stated no time at all.

Crawl, ingest and reparse store what `utc_columns` returns (archive/db.py `article_row`);
`newsspider extract` and `newsspider eval --per-case` print it; the archive's
migration `m011_timestamps_in_utc` applies a frozen copy of the same rule to archives
made before it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

DATETIME_FIELDS = ("published_at", "updated_at")
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_utc(value: str | None) -> tuple[str | None, int | None]:
    """(the instant in UTC, whether an offset was stated) for one stated time."""
    if value is None or not str(value).strip():
        return None, None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None, 0
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, 0
    return moment.astimezone(timezone.utc).strftime(UTC_FORMAT), 1


def utc_columns(article: Any) -> dict[str, Any]:
    """The derived columns of an Article (or any object with published_at and updated_at)."""
    out: dict[str, Any] = {}
    for name in DATETIME_FIELDS:
        out[f"{name}_utc"], out[f"{name}_offset_stated"] = to_utc(getattr(article, name, None))
    return out


UTC_COLUMNS: tuple[str, ...] = tuple(c for name in DATETIME_FIELDS for c in (f"{name}_utc", f"{name}_offset_stated"))
