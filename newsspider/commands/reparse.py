"""`newsspider reparse`: run the current parsers over the stored responses, without fetching anything.

Each page is parsed exactly as the crawl parsed it (its bytes, the crawler's
encoding, `now` = its fetch time) and cleaned by the same validation; an
article whose fields come out different is updated, its previous state kept
in article_versions (cause "reparse"). Work is committed batch by batch with
the position reached, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from ..archive import reparse_store
from ..archive.db import Archive, content_hash, utcnow, write_transaction
from ..runs.crawl import project_settings
from ..items import CrawledArticle
from ..parsing import parse, parser_for
from ..parsing.budget import ParseTimeout, time_limit
from ..parsers import ParseError
from ..parsers.normalize import normalize
from ..settings import PARSE_TIME_LIMIT_SECONDS

# Identity, not content: a re-parse that finds another canonical URL is counted, not applied.
NOT_APPLIED = frozenset({"canonical_url"})


@dataclass
class ReparseResult:
    run_id: int
    resumed: bool
    pages: int = 0  # pages re-parsed by this run, all sessions together
    changed: int = 0  # articles whose stored fields changed
    field_counts: Counter = field(default_factory=Counter)  # field -> articles where it changed
    outcomes: Counter = field(default_factory=Counter)  # this session: unchanged, changed, recovered, parse_error, invalid, other_site
    # This session: "Parser version" -> articles it changed (or recovered): which parser did it.
    by_parser: Counter = field(default_factory=Counter)


def reparse(archive: Archive, *, site: str | None = None, since: str | None = None, batch_size: int = 200,
            restart: bool = False, on_start: Callable[[int], None] | None = None,
            on_batch: Callable[[int], None] | None = None) -> ReparseResult:
    """Re-parse the stored pages; on_start(total pages left), on_batch(pages done in the batch)."""
    db = archive.db
    run = reparse_store.start(db, site=site, since=since, restart=restart, now=utcnow())
    result = ReparseResult(run_id=run["id"], resumed=run["pages"] > 0, pages=run["pages"], changed=run["changed"],
                           field_counts=Counter(json.loads(run["field_counts"] or "{}")))
    required = tuple(project_settings().getlist("NEWSSPIDER_REQUIRED_FIELDS"))
    after = run["last_raw_id"]
    if on_start:
        on_start(reparse_store.count_pages(db, after=after, since=since, site=site))
    while True:
        pages = reparse_store.next_pages(db, after=after, since=since, site=site, limit=batch_size)
        if not pages:
            break
        with write_transaction(db):
            for page in pages:
                outcome = _reparse_page(archive, required, page, site, result)
                result.outcomes[outcome] += 1
            after = pages[-1]["id"]
            result.pages += len(pages)
            reparse_store.save_progress(db, run["id"], last_raw_id=after, pages=result.pages, changed=result.changed,
                                        field_counts=result.field_counts)
        if on_batch:
            on_batch(len(pages))
    with write_transaction(db):
        reparse_store.finish(db, run["id"], utcnow())
    return result


def _reparse_page(archive: Archive, required: tuple[str, ...], page: dict, site: str | None, result: ReparseResult) -> str:
    fetched_at = page["fetched_at"]
    try:
        with time_limit(PARSE_TIME_LIMIT_SECONDS):
            article = parse(page["body"], page["final_url"], now=datetime.fromisoformat(fetched_at), encoding=page["encoding"])
    except ParseTimeout:
        return "parse_timeout"
    except ParseError:
        return "parse_error"
    # The version parse() chose for the fetch day (parsing.parse_page picks it the same way).
    chosen = parser_for(page["final_url"], at=datetime.fromisoformat(fetched_at))
    by = f"{chosen.__name__} {chosen.version()}"
    verdict = normalize(article, fetched_at, html=page["body"], required=required)
    if verdict.soft_error is not None:
        return "soft_error"  # an error page served with 200: never an article, nor a change to one
    if not verdict.ok:
        # A parser that now misses a required field must not erase what an older one found.
        return "invalid"
    item = CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=page["final_url"],
                          parser=chosen.__name__, parser_version=chosen.version())
    if page["article_id"] is None:
        if site and article.site != site:
            return "other_site"
        # The archive's write dedupes it against what the archive holds now, re-parses of earlier pages included.
        _, article_id = archive.write_article(item)
        reparse_store.attach(archive.db, page["id"], article_id)
        result.by_parser[by] += 1
        return "recovered"
    old = archive.load_article(page["article_id"])
    changed = archive.changed_fields(old, article)
    if not changed:
        return "unchanged"
    result.changed += 1
    result.field_counts.update(changed)
    result.by_parser[by] += 1
    applied = [name for name in changed if name not in NOT_APPLIED]
    if applied:
        reparse_store.apply(archive.db, page["article_id"], old, article, changed=applied, fetched_at=fetched_at, now=utcnow(),
                    content_hash=content_hash(article.body), parser=(chosen.__name__, chosen.version()))
    return "changed"
