"""What every newsspider spider shares: its User-Agent, its arguments, and handing pages to parsers."""

from __future__ import annotations

from datetime import datetime, timezone

import scrapy
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from .user_agent import templated_user_agent
from ..items import CrawledArticle, PendingParse, RawFetch, SeenAgain, UnparsedPage
from ..parsing.pool import DEFAULT_PARSE_FUNCTION, parse_for_crawl, parse_workers
from ..runs.counts import LIMITS_PREFIX


_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain")


# A file's first bytes name its type more surely than the server does: a PDF sent as text/html is a PDF.
_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"PK\x03\x04", "application/zip"))


# Types that say nothing of the content: a plain static server sends an extension-less
# article as application/octet-stream. The bytes decide, as they do for browsers.
_GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/unknown", "unknown/unknown", "application/x-unknown")
# The HTML signatures of the WHATWG MIME sniffing standard, each followed by a space or ">".
_HTML_TAGS = (b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font", b"<table",
              b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<meta", b"<!--")


def looks_like_html(body: bytes) -> bool:
    """True when the first bytes are an HTML tag (after a BOM and whitespace), as browsers sniff an untyped response."""
    head = body[:1024].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if head.startswith(b"<?xml"):
        return b"<html" in body[:4096].lower()
    for tag in _HTML_TAGS:
        if head.startswith(tag) and (tag == b"<!--" or head[len(tag):len(tag) + 1] in (b" ", b">", b"\t", b"\n", b"\r", b"\x0c")):
            return True
    return False


def content_kind(response) -> str:
    """'html', or what the response is instead (its media type, or 'binary')."""
    for signature, media_type in _SIGNATURES:
        if response.body.startswith(signature):
            return media_type
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
    if ctype in _HTML_TYPES:
        return "html"
    if ctype in _GENERIC_TYPES:
        return "html" if looks_like_html(response.body) else (ctype or "binary")
    return ctype


def declared_encoding(response) -> str | None:
    """The charset the Content-Type header or the page's <meta> declares, or None: never a guess.

    An undeclared page is left to the parser, which reads it better than Scrapy's guess
    (charset_normalizer takes windows-1252 French for cp1250).
    """
    header = http_content_type_encoding((response.headers.get(b"Content-Type") or b"").decode("latin-1"))
    return header or html_body_declared_encoding(response.body)


class ArchiveSpider(scrapy.Spider):
    """Base class: yields CrawledArticle items for the validate/dedupe/store pipelines."""

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        from .revisits import Revisits

        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.revisits = Revisits.from_crawler(crawler)
        return spider

    def closed(self, reason):
        # Scrapy calls this on spider_closed; subclasses overriding it must call super().
        self.revisits.close()

    def seen_again(self, public_url: str, reason: str = "listed") -> SeenAgain:
        return SeenAgain(url=public_url, seen_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(), reason=reason)

    def not_modified(self, response, public_url: str) -> SeenAgain | None:
        """The item for a 304 answer to a conditional re-check, or None for any other response."""
        if response.status != 304:
            return None
        self.crawler.stats.inc_value("newsspider/incremental/not_modified")
        return self.seen_again(response.meta.get("known_url") or public_url, "not_modified")

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # The contact may come from -s on the command line, so the User-Agent is built here.
        ua = templated_user_agent(settings)
        if ua is not None:
            settings.set("USER_AGENT", ua, priority=settings.getpriority("NEWSSPIDER_USER_AGENT"))

    @classmethod
    def arguments(cls) -> list[str]:
        """The `-a NAME=VALUE` names the spider takes: its __init__'s named parameters."""
        import inspect

        params = inspect.signature(cls.__init__).parameters.values()
        return [p.name for p in params if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Kept for the crawl_runs table: what this run was asked to do.
        self.args = {k: v for k, v in kwargs.items() if not k.startswith("_")}

    def article_item(self, response, public_url: str):
        """Parse an article response into a CrawledArticle, or an UnparsedPage (counted) when it cannot be read.

        The parser gets the bytes and the declared charset, and `now` is the
        fetch time: `newsspider reparse` calls it the same way on the stored
        response, so a re-parse with unchanged parsers gives the same article.
        """
        fetched = datetime.now(timezone.utc).replace(microsecond=0)
        fetched_at = fetched.isoformat()
        raw = self.raw_fetch(response, public_url)
        if "dataloss" in response.flags:
            # Shorter than its Content-Length (DOWNLOAD_FAIL_ON_DATALOSS off; counted by FailureStatsMiddleware):
            # half an article is not one.
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error="body shorter than its Content-Length", outcome="dataloss")
        kind = content_kind(response)
        if kind != "html":
            # A PDF or an image behind an article link is kept as fetched, never parsed as text.
            self.crawler.stats.inc_value("newsspider/not_html")
            self.crawler.stats.inc_value(f"newsspider/not_html/{kind}")
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error=f"not an HTML page ({kind})", outcome="not_html")
        pending = PendingParse(raw=raw, public_url=public_url, fetched_at=fetched_at, fetch_url=response.url,
                               status=response.status)
        if parse_workers(self.settings):
            # The parse pipeline hands it to the pool of parser processes (newsspider/parsing/pool.py).
            return pending
        outcome = parse_for_crawl(self.settings.get("NEWSSPIDER_PARSE_FUNCTION") or DEFAULT_PARSE_FUNCTION,
                                  response.body, public_url, fetched, raw.encoding,
                                  self.settings.getfloat("PARSE_TIME_LIMIT_SECONDS", 0))
        return self.parsed_item(pending, outcome)

    def parsed_item(self, pending: PendingParse, outcome) -> CrawledArticle | UnparsedPage:
        """The item for parse_for_crawl's outcome, counted: the same whether the page was parsed here or in the pool."""
        kind, value, field_errors = outcome
        public_url, raw, fetched_at = pending.public_url, pending.raw, pending.fetched_at
        if kind == "parse_timeout":
            # Kept raw: `newsspider reparse` can try it again, under a larger limit.
            self.crawler.stats.inc_value(f"{LIMITS_PREFIX}parse_time")
            self.logger.warning("not parsed, kept raw: %s: %s (PARSE_TIME_LIMIT_SECONDS)", public_url, value)
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error=value, outcome="parse_timeout")
        if kind == "parse_error":
            self.crawler.stats.inc_value("newsspider/parse_errors")
            self.logger.warning("cannot parse %s: %s", public_url, value)
            return UnparsedPage(raw=raw, fetched_at=fetched_at, error=value)
        for name, error in field_errors.items():
            self.crawler.stats.inc_value(f"newsspider/field_errors/{name}")
            self.logger.warning("field %s left empty on %s: %s", name, public_url, error)
        self.crawler.stats.inc_value("newsspider/articles_parsed")
        article, parser, parser_version, precomputed = value
        return CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=pending.fetch_url, status=pending.status,
                              raw=raw, parser=parser, parser_version=parser_version, precomputed=precomputed)

    def unparsed(self, response, public_url: str, *, outcome: str, error: str) -> UnparsedPage:
        """A response kept raw without an article (a listing, say), for a later parser or reparse to try again."""
        fetched_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return UnparsedPage(raw=self.raw_fetch(response, public_url), fetched_at=fetched_at, error=error, outcome=outcome)

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
            encoding=declared_encoding(response),
        )
