"""Saving one fetched page as a parser fixture: <site>/<case>.html.gz and a draft <case>.json.

The layout is the one tests/test_site_fixtures.py collects (tests/fixtures/sites/README.md).

The JSON is what the current parser extracts, marked as a draft: a fixture's expected
values must be checked by a person against the page, or the tests would only pin down
today's mistakes.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..archive.db import make_dirs
from .fetch import FetchedPage, fetch_page
from ..items import Article
from ..names import check_name
from ..parsing import parse, parser_for

MAX_SLUG = 80
# The draft's keys besides the article's fields: what a case is parsed with (kept once
# checked), and the markers a person removes after checking.
CASE_KEYS = ("fetched_at", "requested_url", "encoding", "_source")
DRAFT_KEYS = ("_draft", "_note", "_parse_error")
DRAFT_NOTE = ("Draft made by `newsspider save-fixture` from the parser's output at fetch time. "
              "Check every field against the page, correct it, then delete _draft and _note.")


def case_slug(url: str) -> str:
    """A file name from the URL path: /Economie/n3/2016/0619/c31355-9074390.html ->
    economie-n3-2016-0619-c31355-9074390."""
    path = unquote(urlsplit(url).path)
    path = re.sub(r"\.(s?html?|php\d?|aspx?|jsp|cms)$", "", path, flags=re.I)
    ascii_path = unicodedata.normalize("NFKD", path).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_path.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        # The end of a news URL (its id and title words) tells pages apart; the start is sections.
        tail = slug[-MAX_SLUG:]
        # Cut at a word boundary: no half word at the start.
        if slug[-MAX_SLUG - 1] != "-" and "-" in tail:
            tail = tail.split("-", 1)[1]
        slug = tail.strip("-")
    return slug or "index"


@dataclass(frozen=True)
class FixturePaths:
    html: Path
    expected: Path

    def existing(self) -> list[Path]:
        return [p for p in (self.html, self.expected) if p.exists()]


def fixture_paths(fixtures_dir: str | Path, site: str, case: str) -> FixturePaths:
    folder = Path(fixtures_dir) / check_name(site, "--site", "file name")
    case = check_name(case, "--case", "file name")
    return FixturePaths(folder / f"{case}.html.gz", folder / f"{case}.json")


def draft_expected(page: FetchedPage, article: Article | None, *, fetched_at: datetime,
                   parse_error: str | None = None) -> dict:
    draft: dict = {"_draft": True, "_note": DRAFT_NOTE}
    if parse_error:
        draft["_parse_error"] = parse_error
    draft["fetched_at"] = fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds")
    if page.requested_url != page.url:
        draft["requested_url"] = page.requested_url
    if page.charset:
        # A page may depend on its HTTP charset; a test parsing the fixture needs it (parse(..., encoding=)).
        draft["encoding"] = page.charset
    draft.update((article or Article(url=page.url)).to_dict())
    draft["url"] = page.url
    return draft


def write_fixture(paths: FixturePaths, page: FetchedPage, draft: dict, *, force: bool = False) -> None:
    existing = paths.existing()
    if existing and not force:
        raise FileExistsError(", ".join(map(str, existing)))
    make_dirs(paths.html.parent)
    # mtime=0: the same page always gives the same bytes, so git sees no change on a re-save.
    paths.html.write_bytes(gzip.compress(page.body, mtime=0))
    paths.expected.write_text(json.dumps(draft, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Saved:
    paths: FixturePaths
    page: FetchedPage
    parser: str  # the class name of the parser that made the draft
    parse_error: str | None


def _draft_article(page: FetchedPage, now: datetime) -> tuple[Article | None, str | None]:
    # An unknown charset needs no retry here: the parser falls back to the page's <meta> itself.
    try:
        return parse(page.body, page.url, now=now, encoding=page.charset), None
    except Exception as exc:  # the page is fetched already: keep it, with an empty draft to fill in
        return None, f"{type(exc).__name__}: {exc}"


def save_fixture(url: str, paths: FixturePaths, *, user_agent: str, timeout: float, max_bytes: int,
                 force: bool = False) -> Saved:
    """Fetch `url` and write the fixture. Raises FileExistsError (before any request) unless
    `force`, and FetchError when the page cannot be had."""
    # Checked before fetching: no request for a page we would refuse to write.
    if not force and (existing := paths.existing()):
        raise FileExistsError(", ".join(map(str, existing)))
    page = fetch_page(url, user_agent=user_agent, timeout=timeout, max_bytes=max_bytes)
    fetched_at = datetime.now(timezone.utc)
    article, error = _draft_article(page, fetched_at)
    write_fixture(paths, page, draft_expected(page, article, fetched_at=fetched_at, parse_error=error), force=force)
    return Saved(paths, page, parser_for(page.url).__name__, error)
