"""Archives built straight from Article objects through the archive's write path, for tests and benches.

No crawl, no parser: what a crawl would have stored for articles of several sites
that state their times in several ways (offsets east and west of UTC, `Z`, no
offset at all, no time).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsspider.archive.db import Archive
from newsspider.items import Article, CrawledArticle, RawFetch
from .synthetic import paragraphs_for

# (site, host, language, utc offset in hours or None for times stated without one)
SITES = (
    ("people_fr", "french.peopledaily.com.cn", "fr", 8),
    ("lemonde", "www.lemonde.fr", "fr", 2),
    ("nytimes", "www.nytimes.com", "en", -4),
    ("bbc", "www.bbc.com", "en", 0),
    ("asahi", "www.asahi.com", "ja", 9),
    ("naive_times", "news.example.org", "de", None),
)
SECTIONS = ("politics", "economy", "culture")


def stated(moment_utc: datetime, offset_hours: int | None) -> str:
    """The time as such a page states it: in its own offset, or a wall clock without one."""
    if offset_hours is None:
        return moment_utc.replace(tzinfo=None).isoformat()
    if offset_hours == 0:
        return moment_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment_utc.astimezone(timezone(timedelta(hours=offset_hours))).isoformat()


def article(n: int, *, sites=SITES, start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc), step_hours: int = 7,
            with_raw: bool = False) -> CrawledArticle:
    """The n-th article of a multi-site archive: sites in turn, one every `step_hours`, every 10th without a time."""
    site, host, language, offset = sites[n % len(sites)]
    moment = start + timedelta(hours=step_hours * n)
    published = None if n % 10 == 9 else stated(moment, offset)
    updated = stated(moment + timedelta(hours=2), offset) if n % 3 == 0 else None
    url = f"https://{host}/{SECTIONS[n % 3]}/{moment:%Y/%m/%d}/story-{n}.html"
    art = Article(
        url=url, canonical_url=url, site=site, section=SECTIONS[n % 3], language=language,
        headline=f"Story {n} from {site}", body="\n\n".join(paragraphs_for(n)), published_at=published,
        updated_at=updated, authors=[f"Author {n % 7}", f"Writer {n % 5}"][: 1 + n % 2],
        image_credits=[{"raw": f"(Agency {n % 4}/Photographer {n})", "agency": f"Agency {n % 4}", "photographer": f"Photographer {n}",
                        "caption": f"Caption {n}"}] if n % 2 == 0 else [],
        related_links=[{"title": f"Related {n}-{i}", "url": f"https://{host}/related/{n}-{i}.html"} for i in range(n % 3)],
    )
    fetched = (moment + timedelta(days=1)).isoformat(timespec="seconds")
    raw = None
    if with_raw:
        page = f"<html><head><title>{art.headline}</title></head><body><h1>{art.headline}</h1><p>{art.body}</p></body></html>".encode()
        raw = RawFetch(url=url, final_url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")], body=page, encoding="utf-8")
    return CrawledArticle(article=art, fetched_at=fetched, fetch_url=url, raw=raw)


def build(path: str | Path, n: int, *, batch: int = 500, with_raw: bool = False, **kwargs) -> Path:
    """An archive of `n` such articles at `path`, written as a crawl writes (Archive.write, in batches)."""
    path = Path(path)
    with Archive(path) as archive:
        for first in range(0, n, batch):
            archive.write([article(i, with_raw=with_raw, **kwargs) for i in range(first, min(n, first + batch))])
    return path
