"""Counts every failed fetch by what went wrong, and ends redirect loops at their first repeat.

Scrapy's own counters name exception classes (downloader/exception_type_count/...), which change
between Scrapy versions and mean little to someone reading crawl_runs.stats. This middleware
adds one counter per failed attempt under newsspider/failures/<kind>:

    server_error        5xx answer                    not_found      404 or 410
    client_error        other 4xx answer              timeout        no complete answer within DOWNLOAD_TIMEOUT
    connection_lost     reset or closed mid-answer    connection_refused, dns
    dataloss            body shorter than its Content-Length
    too_large           download cancelled at DOWNLOAD_MAXSIZE (the only reason Scrapy cancels one)
    redirect_loop       a redirect back to a URL of the same chain
    other               anything else (logged)

It sits between the downloader and RetryMiddleware, so a retried request counts once per try.
A redirect loop would otherwise go round until the dupefilter drops it silently, or, for a
retried request (dont_filter), REDIRECT_MAX_TIMES times.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error
from twisted.web.client import ResponseFailed
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)
PREFIX = "newsspider/failures"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

_KINDS: tuple[tuple[tuple[type, ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError), "timeout"),
    ((ResponseDataLossError,), "dataloss"),
    ((DownloadCancelledError,), "too_large"),
    ((DownloadConnectionRefusedError, tx_error.ConnectionRefusedError), "connection_refused"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
    ((DownloadFailedError, ResponseFailed, tx_error.ConnectionLost, tx_error.ConnectionDone, tx_error.ConnectError), "connection_lost"),
)


def failure_kind(exception: BaseException) -> str:
    for types, kind in _KINDS:
        if isinstance(exception, types):
            return kind
    return "other"


def status_kind(status: int) -> str | None:
    if status in (404, 410):
        return "not_found"
    if 500 <= status < 600:
        return "server_error"
    if 400 <= status < 500:
        return "client_error"
    return None


class FailureStatsMiddleware:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def count(self, kind: str) -> None:
        self.stats.inc_value(f"{PREFIX}/{kind}")

    def process_response(self, request, response, spider=None):
        if "dataloss" in response.flags:
            self.count("dataloss")  # only with DOWNLOAD_FAIL_ON_DATALOSS off; otherwise it is an exception
        kind = status_kind(response.status)
        if kind:
            self.count(kind)
        elif response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            target = urljoin(request.url, safe_url_string(response.headers[b"Location"]))
            chain = {*(request.meta.get("redirect_urls") or ()), request.url}
            if target.split("#")[0] in chain:
                self.count("redirect_loop")
                raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, IgnoreRequest):
            return None  # robots.txt, off-site, Retry-After policy: decisions, counted where they are made
        kind = failure_kind(exception)
        self.count(kind)
        if kind == "other":
            logger.warning("unclassified download failure on %s: %r", request.url, exception)
        return None
