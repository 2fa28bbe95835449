"""The downloader middlewares that classify failures, end redirect loops, refuse off-site redirects and
count decompression bombs, and the spider's reading of what a response is."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost

from newsspider.middlewares.compression import CountingHttpCompressionMiddleware
from newsspider.middlewares.failures import FailureStatsMiddleware, failure_kind
from newsspider.middlewares.redirects import OffsiteRedirectMiddleware, on_domains
from newsspider.spiders.base import content_kind, declared_encoding


@pytest.mark.parametrize("exception, kind", [
    (DownloadTimeoutError("t"), "timeout"),
    (ResponseDataLossError(), "dataloss"),
    (DownloadCancelledError(), "too_large"),
    (DownloadConnectionRefusedError(), "connection_refused"),
    (CannotResolveHostError(), "dns"),
    (DownloadFailedError("reset"), "connection_lost"),
    (ConnectionLost(), "connection_lost"),
    (ValueError("?"), "other"),
])
def test_failure_kinds(exception, kind):
    assert failure_kind(exception) == kind


def stats_middleware():
    stats = MemoryStatsCollector(get_crawler())
    return FailureStatsMiddleware(stats), stats


def test_every_failed_try_is_counted_and_policy_refusals_are_not():
    mw, stats = stats_middleware()
    request = Request("http://127.0.0.1:8000/a.html")
    for status in (500, 503, 404, 410, 403, 200, 304):
        mw.process_response(request, Response(request.url, status=status))
    mw.process_exception(request, DownloadTimeoutError("t"))
    mw.process_exception(request, IgnoreRequest("robots.txt"))
    mw.process_response(request, Response(request.url, flags=["dataloss"]))
    counted = {k.rsplit("/", 1)[1]: v for k, v in stats.get_stats().items() if k.startswith("newsspider/failures/")}
    assert counted == {"server_error": 2, "not_found": 2, "client_error": 1, "timeout": 1, "dataloss": 1}


def test_a_redirect_back_into_its_own_chain_is_stopped_and_counted():
    mw, stats = stats_middleware()
    first = Request("http://127.0.0.1:8000/a.html")
    mw.process_response(first, Response(first.url, status=302, headers={"Location": "/b.html"}))  # fine: new URL
    second = Request("http://127.0.0.1:8000/b.html", meta={"redirect_urls": [first.url]})
    with pytest.raises(IgnoreRequest):
        mw.process_response(second, Response(second.url, status=301, headers={"Location": "http://127.0.0.1:8000/a.html#top"}))
    with pytest.raises(IgnoreRequest):
        mw.process_response(first, Response(first.url, status=307, headers={"Location": "a.html"}))
    assert stats.get_value("newsspider/failures/redirect_loop") == 2


class _Spider:
    allowed_domains = ["french.peopledaily.com.cn", "127.0.0.1"]


def test_a_redirect_off_the_site_is_refused_even_for_a_retried_request():
    crawler = get_crawler()
    crawler.spider = _Spider()
    crawler.stats = MemoryStatsCollector(crawler)
    mw = OffsiteRedirectMiddleware(crawler)
    home = "http://french.peopledaily.com.cn/a.html"
    assert mw.process_request(Request("http://offsite.example/x", dont_filter=True)) is None  # not reached by a redirect
    assert mw.process_request(Request("http://127.0.0.1:8000/b", meta={"redirect_urls": [home]})) is None
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request("http://offsite.example:8000/b", dont_filter=True, meta={"redirect_urls": [home]}))
    assert crawler.stats.get_value("newsspider/failures/redirect_offsite") == 1


@pytest.mark.parametrize("url, allowed", [
    ("http://127.0.0.1:8123/a", True),
    ("http://www.french.peopledaily.com.cn/a", True),
    ("http://french.peopledaily.com.cn.evil.org/a", False),
    ("http://evilfrench.peopledaily.com.cn/a", False),
    ("http://127.0.0.2/a", False),
])
def test_on_domains(url, allowed):
    assert on_domains(url, ["french.peopledaily.com.cn", "127.0.0.1"]) is allowed


def test_a_gzip_bomb_is_dropped_and_counted():
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 64 * 1024})
    mw = CountingHttpCompressionMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:8000/a.html")
    bomb = Response(request.url, body=gzip.compress(bytes(1024 * 1024)), headers={"Content-Encoding": "gzip"})
    with pytest.raises(IgnoreRequest):
        mw.process_response(request, bomb)
    small = Response(request.url, body=gzip.compress(b"<html>ok</html>"), headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
    assert mw.process_response(request, small).body == b"<html>ok</html>"
    assert crawler.stats.get_value("newsspider/failures/too_large_decompressed") == 1


@pytest.mark.parametrize("body, ctype, kind", [
    (b"%PDF-1.4 ...", "text/html", "application/pdf"),  # the bytes win over a lying header
    (b"\xff\xd8\xff\xe0 ...", "text/html; charset=utf-8", "image/jpeg"),
    (b"<!DOCTYPE html><html></html>", "text/html", "html"),
    (b"<html></html>", None, "html"),
    (b"\x00\x01binary", None, "binary"),
    (b"GIF89a...", "image/gif", "image/gif"),
])
def test_content_kind(body, ctype, kind):
    headers = {"Content-Type": ctype} if ctype else {}
    assert content_kind(Response("http://x.test/a", body=body, headers=headers)) == kind


def test_the_parser_gets_only_a_declared_encoding_never_a_guess():
    url = "http://x.test/a"
    cp1252 = "<html><body><p>Réunion à Genève, l'ambiguïté levée</p></body></html>".encode("cp1252")
    assert declared_encoding(HtmlResponse(url, body=cp1252)) is None  # Scrapy itself would guess cp1250
    assert declared_encoding(HtmlResponse(url, body=cp1252, headers={"Content-Type": "text/html; charset=utf-8"})) == "utf-8"
    # w3lib reads a Latin-1 label as windows-1252, as browsers do.
    assert declared_encoding(HtmlResponse(url, body=b'<meta charset="iso-8859-1"><p>x</p>')) == "cp1252"
