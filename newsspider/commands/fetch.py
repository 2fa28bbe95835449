"""Fetching one page outside a crawl (for `newsspider save-fixture`), with the standard library.

The crawler fetches through Scrapy; this is for a person saving a single page, so it
is deliberately plain: one GET, redirects followed, a timeout and a size cap, the
same User-Agent as the crawler.
"""

from __future__ import annotations

import io
import sys
import types
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from .pagefile import inflate
from ..spiders.user_agent import user_agent

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # as DOWNLOAD_MAXSIZE in settings.py


class FetchError(Exception):
    pass


@dataclass(frozen=True)
class FetchedPage:
    requested_url: str
    url: str  # after redirects
    status: int
    content_type: str | None
    charset: str | None  # from the Content-Type header, if it names one
    body: bytes


def _decode_content(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    # We ask for no compression, but some servers send it anyway; the fixture keeps the page itself.
    # Inflated up to one byte past the cap, never further: a gzip bomb stops there.
    encoding = (encoding or "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        try:
            return inflate(io.BytesIO(body), max_bytes)
        except ValueError as exc:
            raise FetchError(f"page too large once decompressed: over {max_bytes} bytes" if "larger" in str(exc) else str(exc)) from exc
    if encoding == "deflate":
        try:
            return zlib.decompressobj().decompress(body, max_bytes + 1)
        except zlib.error:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, max_bytes + 1)
    if encoding in ("", "identity"):
        return body
    raise FetchError(f"unsupported Content-Encoding: {encoding}")


def fetch_page(url: str, *, user_agent: str, timeout: float = DEFAULT_TIMEOUT,
               max_bytes: int = DEFAULT_MAX_BYTES) -> FetchedPage:
    """GET `url`, following redirects. Raises FetchError on a non-2xx answer, a network
    failure, a non-HTTP URL or a body larger than `max_bytes`."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={
        "User-Agent": user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "identity",
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            final_url = response.geturl()
            if urlsplit(final_url).scheme not in ("http", "https"):
                raise FetchError(f"redirected to a non-HTTP URL: {final_url}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"page too large: {length} bytes (limit {max_bytes})")
            # One byte over the cap tells a page that is exactly at the cap from a larger one.
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"page too large: over {max_bytes} bytes")
            headers: Message = response.headers
            body = _decode_content(body, headers.get("Content-Encoding"), max_bytes)
            if len(body) > max_bytes:
                raise FetchError(f"page too large once decompressed: over {max_bytes} bytes")
            return FetchedPage(
                requested_url=url,
                url=final_url,
                status=response.status,
                content_type=headers.get_content_type() if headers.get("Content-Type") else None,
                charset=headers.get_content_charset(),
                body=body,
            )
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason} for {exc.url or url}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot fetch {url}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:  # a read that times out after the headers
        raise FetchError(f"cannot fetch {url}: {exc}") from exc


class RobotsDisallowed(FetchError):
    pass


def robots_allow(url: str, *, user_agent: str, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Whether the site's robots.txt lets `user_agent` fetch `url`, read as the crawler reads it (Protego).
    A robots.txt that is missing or cannot be fetched allows everything, as in Scrapy."""
    from protego import Protego

    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        page = fetch_page(robots_url, user_agent=user_agent, timeout=timeout, max_bytes=512 * 1024)
    except FetchError:
        return True
    return Protego.parse(page.body.decode("utf-8", "replace")).can_fetch(url, user_agent)


def fetch_article(url: str, *, contact: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                  max_bytes: int = DEFAULT_MAX_BYTES, agent: str | None = None, now=None):
    """`newsspider.fetch(url)`: one page fetched politely and parsed, for a person at a prompt.

    Politely: with the crawler's User-Agent (NEWSSPIDER_CONTACT, or `contact`, in it; `agent`
    replaces it whole), after asking the site's robots.txt, one request (redirects followed), a
    timeout and a size cap. `now` bounds the page's dates (default: the fetch time).
    Raises FetchError (RobotsDisallowed when robots.txt forbids the page) or ParseError."""
    return fetch_and_parse(url, contact=contact, timeout=timeout, max_bytes=max_bytes, agent=agent, now=now)[1]


def fetch_and_parse(url: str, *, contact: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                    max_bytes: int = DEFAULT_MAX_BYTES, agent: str | None = None, now=None):
    """fetch_article, with the page it read: (FetchedPage, Article). `extract URL` judges the page's
    bytes by the soft-error rule, as `extract FILE` does."""
    from datetime import datetime, timezone

    from ..runs.crawl import project_settings
    from ..parsing import parse

    agent = agent or user_agent(project_settings({"NEWSSPIDER_CONTACT": contact} if contact else None))
    if not robots_allow(url, user_agent=agent, timeout=timeout):
        raise RobotsDisallowed(f"robots.txt of {urlsplit(url).netloc} disallows {url}")
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    page = fetch_page(url, user_agent=agent, timeout=timeout, max_bytes=max_bytes)
    return page, parse(page.body, page.url, now=now, encoding=page.charset)


class _CallableModule(types.ModuleType):
    """`newsspider.fetch(url)` is the API's call, and `newsspider.fetch` is this module (the package's lazy
    attribute, so that `newsspider.fetch.FetchError` is there too): so calling the module fetches."""

    def __call__(self, url: str, **kwargs):
        return fetch_article(url, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
