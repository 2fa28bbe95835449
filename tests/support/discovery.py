"""A 127.0.0.1 site whose sitemaps are as large, as many and as deep as a test asks, made on the fly.

    with DiscoveryServer() as server:
        server.url + "/sitemap-200000.xml"    # a <urlset> of 200,000 article URLs (about 14 MB)
        server.url + "/index-10-200000.xml"   # a <sitemapindex> of 10 such sitemaps
        server.url + "/tree/0.xml"            # an index of 10 indexes of 10 indexes ... never ending
        server.url + "/redirect/<path>"       # 301 to http://<server.redirect_host><path>
        server.url + "/big/50000.html"        # one article of 50,000 paragraphs

Article URLs (/a/<sitemap>/<i>.html) answer with a small article page, and robots.txt allows
everything, so a crawl of these sitemaps is limited by nothing but its own settings. What the
server received is counted in `hits` by kind (robots, sitemap, index, tree, article, redirect):
a test reads how far a crawl went from it. Documents are written in chunks, never built whole,
so the server itself stays small whatever it serves.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

TREE_FANOUT = 10
_NS = b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
ARTICLE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story {n}</title></head><body>"
           "<article><h1>Story {n} of the day</h1><p>{text}</p><p>{text}</p></article></body></html>")


class _Handler(BaseHTTPRequestHandler):
    server_version = "newsspider-discovery"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        self.server.paths.append(path) if len(self.server.paths) < 100_000 else None
        if path == "/robots.txt":
            return self._send("robots", "text/plain", [b"User-agent: *\nAllow: /\n"])
        if m := re.fullmatch(r"/sitemap-(\d+)(?:-(\w+))?\.xml", path):
            n, tag = int(m[1]), m[2] or "0"
            return self._send("sitemap", "application/xml", self._urlset(n, tag))
        if m := re.fullmatch(r"/index-(\d+)-(\d+)\.xml", path):
            k, n = int(m[1]), int(m[2])
            return self._send("index", "application/xml", self._index([f"/sitemap-{n}-{j}.xml" for j in range(k)]))
        if m := re.fullmatch(r"/tree/([\d-]+)\.xml", path):
            return self._send("tree", "application/xml", self._index([f"/tree/{m[1]}-{i}.xml" for i in range(TREE_FANOUT)]))
        if m := re.fullmatch(r"/a/(\w+)/(\d+)\.html", path):
            text = f"Paragraph of story {m[2]} in sitemap {m[1]}, long enough to be read as the body of an article. " * 3
            body = ARTICLE.format(n=f"{m[1]}-{m[2]}", text=text).encode()
            return self._send("article", "text/html; charset=utf-8", [body])
        if m := re.fullmatch(r"/big/(\d+)\.html", path):
            return self._send("big", "text/html; charset=utf-8", self._big(int(m[1])))
        if path.startswith("/redirect/"):
            self.server.hits["redirect"] += 1
            self.send_response(301)
            self.send_header("Location", f"http://{self.server.redirect_host}{path.removeprefix('/redirect')}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.server.hits["other"] += 1
        self.send_error(404)
        return None

    def _send(self, kind: str, ctype: str, chunks) -> None:
        self.server.hits[kind] += 1
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up (a size cap, a stop): its business

    def _urlset(self, n: int, tag: str):
        base = self.server.public_base
        yield b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset ' + _NS + b'>\n'
        for start in range(0, n, 1000):
            yield "".join(f"<url><loc>{base}/a/{tag}/{i}.html</loc></url>\n"
                          for i in range(start, min(n, start + 1000))).encode()
        yield b"</urlset>\n"

    def _big(self, n: int):
        yield from _big_chunks(n)

    def _index(self, paths: list[str]):
        base = self.server.public_base
        yield b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ' + _NS + b'>\n'
        yield "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>\n" for p in paths).encode()
        yield b"</sitemapindex>\n"


def _big_chunks(n: int):
    yield b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A long one</title></head><body><article><h1>A long one</h1>'
    for start in range(0, n, 1000):
        yield "".join(f"<p>Paragraph {i} of the longest report ever written about the council budget.</p>"
                      for i in range(start, min(n, start + 1000))).encode()
    yield b"</article></body></html>"


def big_page(n: int) -> bytes:
    """The article of n paragraphs that /big/<n>.html serves."""
    return b"".join(_big_chunks(n))


class DiscoveryServer:
    """`public_base` is the origin the documents' URLs name (the public host a NEWS_HOST_MAP maps here)."""

    def __init__(self, public_base: str | None = None, redirect_host: str = "www.example.org"):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hits = Counter()
        self.httpd.paths = []
        self.httpd.public_base = public_base or self.url
        self.httpd.redirect_host = redirect_host
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="discovery", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hits(self) -> Counter:
        return self.httpd.hits

    @property
    def paths(self) -> list[str]:
        return self.httpd.paths

    def __enter__(self) -> DiscoveryServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_LAUNCHER = """
import os, signal, subprocess, sys
child = subprocess.Popen([sys.executable, "-m", "newsspider", *sys.argv[2:]])
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda signum, frame: child.send_signal(signum))
while True:
    try:
        pid, status, usage = os.wait4(child.pid, 0)
        break
    except InterruptedError:
        continue
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_measured(args: list[str], *, timeout: float = 600, stop_after: float | None = None, stop_signal: int = 15,
                 cwd=None) -> dict:
    """Run `python -m newsspider ARGS` and return its exit code, output, peak RSS (MiB) and timings.

    Peak RSS is the run's own: a small launcher process starts it and reads it from os.wait4. The
    run is not forked from this process, whose own size a forked child's peak would include
    (Linux keeps the high-water mark across exec), so a run from a large pytest process is
    measured as one from a shell. Signals sent to the launcher are passed on to the run. With `stop_after`, the run is sent
    `stop_signal` that many seconds after it started, and `stop_seconds` is how long it then took to exit.
    """
    import os
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        rss_file = tempfile.NamedTemporaryFile(delete=False)
        rss_file.close()
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, rss_file.name, *args], stdout=out, stderr=err, cwd=cwd)
        stopped_at = None
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if stop_after is not None and stopped_at is None and now - started >= stop_after:
                proc.send_signal(stop_signal)
                stopped_at = now
            if now > deadline:
                proc.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        ended = time.monotonic()
        proc.returncode = os.waitstatus_to_exitcode(status)
        with open(rss_file.name) as f:
            peak_kib = float(f.read() or usage.ru_maxrss)
        os.unlink(rss_file.name)
        out.seek(0)
        err.seek(0)
        return {
            "returncode": proc.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "peak_rss_mib": peak_kib / 1024,  # Linux: KiB
            "seconds": ended - started,
            "stop_seconds": (ended - stopped_at) if stopped_at is not None else None,
            "killed": ended > deadline,
        }


PUBLIC = "https://www.example.org"


def discovery_crawl(tmp: Path, document: str, *settings: str, spider_args: tuple[str, ...] = (),
                    redirect_host: str = "www.example.org", **measure) -> dict:
    """`newsspider crawl news -a sitemap=<document>` against a DiscoveryServer, measured (run_measured).

    The document's URLs name PUBLIC, mapped onto the server; every host name resolves to 127.0.0.1.
    Adds to run_measured's answer: the server's `hits`, the run's `stats` from crawl_runs, and
    `queues_left`, what remains in the run's NEWSSPIDER_QUEUE_DIR (nothing, when it cleaned up).
    """
    import json

    from newsspider.archive.db import Archive

    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    queues = tmp / "queues"
    queues.mkdir()
    with DiscoveryServer(public_base=PUBLIC, redirect_host=redirect_host) as server:
        host_map = json.dumps({"www.example.org": server.url})
        args = ["crawl", "news", "--db", str(tmp / "archive.db"), "-a", f"sitemap={PUBLIC}/{document}",
                "-s", f"NEWS_HOST_MAP={host_map}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                "-s", "NEWSSPIDER_CONTACT=tests@example.org", "-s", "TWISTED_DNS_RESOLVER=tests.support.loopback.LoopbackResolver",
                "-s", f"NEWSSPIDER_QUEUE_DIR={queues}"]
        for setting in settings:
            args += ["-s", setting]
        for arg in spider_args:
            args += ["-a", arg]
        run = run_measured(args, **{"timeout": 180, **measure})
        run["hits"] = dict(server.hits)
    with Archive(tmp / "archive.db") as archive:
        row = list(archive.db.query("select stats from crawl_runs order by id desc limit 1"))[0]
    run["stats"] = json.loads(row["stats"])
    run["queues_left"] = [p.name for p in queues.iterdir()]
    return run
