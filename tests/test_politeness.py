"""Politeness: Retry-After is honoured; the identifying User-Agent is sent."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.paths import PEOPLE_FR, people_fr_crawl_args, run_cli
from newsspider.archive import Archive
from newsspider.middlewares.retry_after import retry_after_seconds

ARTICLE = "/Economie/n3/2016/0619/c31355-9074390.html"


class Busy(BaseHTTPRequestHandler):
    """A site that answers 503 with Retry-After to the first request for the article."""

    hits: list[tuple[float, str, int]] = []
    retry_after = "1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            self._send(404, b"")
        elif self.path == "/Economie/index.html":
            self._send(200, f'<html><body><a href="{ARTICLE}">x</a></body></html>'.encode())
        elif self.path == ARTICLE:
            first = not any(p == ARTICLE for _, p, _ in self.hits)
            status = 503 if first else 200
            self.hits.append((time.monotonic(), self.path, status))
            if first:
                self._send(503, b"busy", {"Retry-After": self.retry_after})
            else:
                self._send(200, (PEOPLE_FR / "site" / ARTICLE.lstrip("/")).read_bytes())
        else:
            self._send(404, b"")

    def _send(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def busy_site():
    Busy.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def crawl(base, db, *extra):
    return run_cli(*people_fr_crawl_args(base, db, *extra, alias=False, sections="Economie", max_pages=1))


def test_503_with_retry_after_is_retried_after_the_wait(busy_site, tmp_path):
    run = crawl(busy_site, tmp_path / "a.db")
    assert run.returncode == 0, run.stderr[-2000:]
    (t503, _, s1), (t200, _, s2) = Busy.hits
    assert (s1, s2) == (503, 200)
    assert t200 - t503 >= 1.0  # not sooner than asked
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 1
        stats = json.loads(next(archive.db["crawl_runs"].rows)["stats"])
    assert stats["newsspider/retry_after/waited"] == 1


def test_a_wait_longer_than_the_cap_gives_the_page_up(busy_site, tmp_path):
    Busy.retry_after = "3600"
    try:
        run = crawl(busy_site, tmp_path / "a.db", "-s", "RETRY_AFTER_MAX_SECONDS=5")
    finally:
        Busy.retry_after = "1"
    assert run.returncode == 3  # nothing stored
    assert [s for _, _, s in Busy.hits] == [503]
    with Archive(tmp_path / "a.db") as archive:
        stats = json.loads(next(archive.db["crawl_runs"].rows)["stats"])
    assert stats["newsspider/retry_after/gave_up"] == 1


@pytest.mark.parametrize("value,seconds", [("120", 120.0), ("0", 0.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), ("", None)])
def test_retry_after_values(value, seconds):
    assert retry_after_seconds(value) == seconds
