"""The records every part of newsspider speaks.

`Article` is what a parser returns; its field names are the archive's column
names, so `extract`, the pipelines and the database agree without mapping.
`CrawledArticle` is what a spider yields: the article plus how it was fetched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypedDict


class ImageCredit(TypedDict):
    raw: str | None
    agency: str | None
    photographer: str | None
    caption: str | None


class RelatedLink(TypedDict):
    title: str
    url: str


@dataclass
class Article:
    url: str
    canonical_url: str | None = None
    site: str | None = None
    section: str | None = None
    language: str | None = None
    headline: str | None = None
    body: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    updated_at_raw: str | None = None
    authors: list[str] = field(default_factory=list)
    # News agencies credited as authors ("dpa", "Deutsche Presse-Agentur"): not people, kept apart.
    agencies: list[str] = field(default_factory=list)
    image_credits: list[ImageCredit] = field(default_factory=list)
    related_links: list[RelatedLink] = field(default_factory=list)
    # The fields the site's parser found nothing for, whose value is the generic extractor's answer.
    fallback_fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))
# The fields a parser answers, one method each (fallback_fields says where the answers came from).
PARSED_FIELDS: tuple[str, ...] = tuple(name for name in ARTICLE_FIELDS if name != "fallback_fields")
# The fields stored as columns of the articles table (credits and links have tables of their own).
COLUMN_FIELDS: tuple[str, ...] = tuple(name for name in ARTICLE_FIELDS if name not in ("image_credits", "related_links"))
# Stored as JSON text in the articles table.
JSON_COLUMNS: tuple[str, ...] = ("authors", "agencies", "fallback_fields")
# The fields an article must have to be stored: NEWSSPIDER_REQUIRED_FIELDS' default, and parsers/normalize.py's.
REQUIRED_FIELDS: tuple[str, ...] = ("url", "canonical_url", "site", "headline", "body")
# The largest page read, in bytes: the crawl's DOWNLOAD_MAXSIZE, and so the cap of the parsers, extract and eval.
# Here, not in settings.py, so that parsers/ need not load the settings (which load the site packages).
MAX_PAGE_BYTES = 16 * 1024 * 1024


@dataclass
class RawFetch:
    """The response an article was parsed from, as the archive keeps it for re-parsing and WARC export.

    URLs are public (a mirror's address is folded back onto the site's); the
    body is what the parser read (after Content-Encoding was undone).
    """

    url: str  # the URL first requested, before redirects
    final_url: str  # the URL the body came from, after redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    encoding: str | None  # the charset the response declared (header or <meta>; None if none), handed to the parser again


@dataclass
class CrawledArticle:
    """A parsed article with the facts of its fetch, as it travels the pipelines."""

    article: Article
    fetched_at: str
    fetch_url: str
    status: int = 200
    raw: RawFetch | None = None
    # The parser class and version that read the page (parsing.Parsed), for the archive's columns.
    parser: str | None = None
    parser_version: str | None = None
    # Set by the archive's write (archive/dedupe.py), what it found, for the caller to count; never read back.
    content_hash: str | None = None
    duplicate_of: str | None = None
    known: bool = False
    # What the write would compute, made by the parser process (parsing/precompute.py); the write
    # checks it is of what it stores. Not part of the item's value.
    precomputed: Any = field(default=None, repr=False, compare=False)


@dataclass
class PendingParse:
    """An article page on its way to the parse pool (NEWSSPIDER_PARSE_WORKERS): the parse pipeline
    turns it into a CrawledArticle or an UnparsedPage before any other pipeline sees it."""

    raw: RawFetch
    public_url: str
    fetched_at: str
    fetch_url: str
    status: int = 200


@dataclass
class UnparsedPage:
    """An article response that gave no article: stored raw, so a later parser can try again."""

    raw: RawFetch
    fetched_at: str
    error: str
    outcome: str = "parse_error"  # or "dropped": parsed, but refused by validation

    @classmethod
    def dropped(cls, item: Any, exception: BaseException | None) -> UnparsedPage | None:
        """The page to keep for an item Scrapy dropped (item_dropped signal); None if it has no response to keep."""
        # Scrapy signals the spider's own item: a PendingParse when the parse pool read the page.
        if isinstance(item, (CrawledArticle, PendingParse)) and item.raw is not None:
            return cls(raw=item.raw, fetched_at=item.fetched_at, error=str(exception or ""), outcome="dropped")
        return None


@dataclass
class SeenAgain:
    """A known article seen again without a new copy: listed but not refetched, or 304 Not Modified."""

    url: str  # the public URL it was seen under (canonical or alias)
    seen_at: str
    reason: str = "listed"  # or "not_modified"
