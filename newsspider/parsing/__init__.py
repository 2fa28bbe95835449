"""Running the parsers: which one reads a page, within a time budget (budget.py), in a pool of processes (pool.py).

    >>> from newsspider.parsing import parse
    >>> article = parse(open("page.html", "rb").read(), "http://french.peopledaily.com.cn/...")

`parse` picks the parser registered for the URL's host, in its version for the fetch day, and
falls back to GenericParser. It returns an Article or raises ParseError. The registry is filled
here, by loading the site packages (newsspider/sites/): their parser.py files build on
parsers/generic.py and register themselves in parsers/base.py on import. This room sits above
both, so parsers/ never reaches up to the sites that build on it (tests/test_architecture.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from ..items import Article
from ..parsers.base import BaseParser, parser_for_host, registered_hosts, registered_versions
from ..parsers.generic import GenericParser
from ..parsers.page import Page, ParseError
from ..sites import load_parsers

__all__ = ["parse", "parse_page", "Parsed", "parser_for", "registered_hosts", "registered_versions"]

load_parsers()


def parser_for(url: str, *, at: date | datetime | None = None) -> type[BaseParser]:
    """The parser for `url`, in its version for a page fetched `at` (default: the current one)."""
    return parser_for_host(urlsplit(url).hostname or "", at) or GenericParser


@dataclass
class Parsed:
    article: Article
    field_errors: dict[str, str]  # field -> the error that left it empty
    parser: str = "GenericParser"  # the class that read the page
    parser_version: str = "current"  # its version (BaseParser.version: "current" or its VALID_UNTIL)


def parse_page(html: bytes | str, url: str, *, now: datetime | None = None, encoding: str | None = None,
               parser: type[BaseParser] | None = None) -> Parsed:
    """parse(), with the fields whose extraction raised (they are empty in the article).

    `parser`: read with this class instead of the host's (eval reads with GenericParser only)."""
    if not isinstance(url, str) or not url:
        raise ParseError("a page URL is required")
    page = Page(html, url, now=now, encoding=encoding)
    # `now` is when the page was fetched: it picks the site's parser version for that day.
    parser = (parser or parser_for(url, at=now))(page)
    article = parser.article()
    return Parsed(article, parser.field_errors, type(parser).__name__, type(parser).version())


def parse(html: bytes | str, url: str, *, now: datetime | None = None, encoding: str | None = None,
          parser: type[BaseParser] | None = None) -> Article:
    """Parse one page. `now` bounds every date (nothing after it is believed); default: the clock."""
    return parse_page(html, url, now=now, encoding=encoding, parser=parser).article
