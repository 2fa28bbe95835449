"""Parsers: pure functions of (html, url). No Scrapy, no network, no database.

    >>> from newsspider.parsers import parse
    >>> article = parse(open("page.html", "rb").read(), "http://french.peopledaily.com.cn/...")

`parse` picks the parser registered for the URL's host (see newsspider/sites/) and
falls back to GenericParser. It returns an Article or raises ParseError.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..items import Article
from .base import BaseParser, parser_for_host, registered_hosts
from .generic import GenericParser
from .page import Page, ParseError

__all__ = ["parse", "parse_page", "Parsed", "parser_for", "Page", "ParseError", "GenericParser", "BaseParser", "registered_hosts"]


def _load_sites() -> None:
    # The site packages build on GenericParser, imported above: load them once it exists.
    from ..sites import load_parsers

    load_parsers()


_load_sites()


def parser_for(url: str) -> type[BaseParser]:
    return parser_for_host(urlsplit(url).hostname or "") or GenericParser


@dataclass
class Parsed:
    article: Article
    field_errors: dict[str, str]  # field -> the error that left it empty


def parse_page(html: bytes | str, url: str, *, now: datetime | None = None, encoding: str | None = None) -> Parsed:
    """parse(), with the fields whose extraction raised (they are empty in the article)."""
    if not isinstance(url, str) or not url:
        raise ParseError("a page URL is required")
    page = Page(html, url, now=now, encoding=encoding)
    parser = parser_for(url)(page)
    article = parser.article()
    return Parsed(article, parser.field_errors)


def parse(html: bytes | str, url: str, *, now: datetime | None = None, encoding: str | None = None) -> Article:
    """Parse one page. `now` bounds every date (nothing after it is believed); default: the clock."""
    return parse_page(html, url, now=now, encoding=encoding).article
