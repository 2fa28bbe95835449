"""What every newsspider spider shares: its User-Agent, its arguments, and handing pages to parsers."""

from __future__ import annotations

from datetime import datetime, timezone

import scrapy

from .. import __version__
from ..items import CrawledArticle, RawFetch, UnparsedPage
from ..parsers import ParseError, parse


_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain")


def content_kind(response) -> str:
    """'html', or what the response says it is instead (its media type, or 'binary')."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
    if ctype in _HTML_TYPES:
        return "html"
    if ctype:
        return ctype
    # No Content-Type: look at the bytes, as browsers do.
    head = response.body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--", b"<meta", b"<div", b"<p")):
        return "html"
    return "binary"


class ArchiveSpider(scrapy.Spider):
    """Base class: yields CrawledArticle items for the validate/dedupe/store pipelines."""

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # The contact may come from -s on the command line, so the User-Agent is built here.
        template = settings.get("NEWSSPIDER_USER_AGENT")
        if template and (settings.getpriority("USER_AGENT") or 0) <= settings.getpriority("NEWSSPIDER_USER_AGENT"):
            contact = settings.get("NEWSSPIDER_CONTACT") or "unset"
            ua = template.format(version=__version__, contact=contact)
            settings.set("USER_AGENT", ua, priority=settings.getpriority("NEWSSPIDER_USER_AGENT"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Kept for the crawl_runs table: what this run was asked to do.
        self.args = {k: v for k, v in kwargs.items() if not k.startswith("_")}

    def article_item(self, response, public_url: str):
        """Parse an article response into a CrawledArticle, or an UnparsedPage (counted) when it cannot be read.

        The parser gets the bytes and the crawler's encoding, and `now` is the
        fetch time: `newsspider reparse` calls it the same way on the stored
        response, so a re-parse with unchanged parsers gives the same article.
        """
        fetched = datetime.now(timezone.utc).replace(microsecond=0)
        fetched_at = fetched.isoformat()
        raw = self.raw_fetch(response, public_url)
        kind = content_kind(response)
        if kind != "html":
            # A PDF or an image behind an article link is kept as fetched, never parsed as text.
            self.crawler.stats.inc_value("newsspider/not_html")
            self.crawler.stats.inc_value(f"newsspider/not_html/{kind}")
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error=f"not an HTML page ({kind})", outcome="not_html")
        try:
            article = parse(response.body, public_url, now=fetched, encoding=raw.encoding)
        except ParseError as exc:
            self.crawler.stats.inc_value("newsspider/parse_errors")
            self.logger.warning("cannot parse %s: %s", public_url, exc)
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error=str(exc))
        self.crawler.stats.inc_value("newsspider/articles_parsed")
        return CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=response.url, status=response.status, raw=raw)

    def raw_fetch(self, response, public_url: str) -> RawFetch:
        first = (response.meta.get("redirect_urls") or [None])[0]
        hostmap = getattr(self, "hostmap", None)
        requested = hostmap.to_public(first) if first and hostmap else (first or public_url)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            for value in values
        ]
        return RawFetch(
            url=requested,
            final_url=public_url,
            status=response.status,
            headers=headers,
            body=response.body,
            encoding=getattr(response, "encoding", None),  # a non-text response has none
        )
