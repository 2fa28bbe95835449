"""The people_fr mirror on 127.0.0.1 plus a section of article URLs that each break in one way.

    with FaultServer(people_fr_mounts(PEOPLE_FR), offsite_base="http://offsite.example:8001") as server:
        # crawl with -a sections=<mirror sections>,Pannes -s PEOPLE_FR_BASE_URL=server.url
        timeout = next(f for f in server.faults if f.name == "timeout")
        server.httpd.hits[timeout.path]  # 3: the first try and RETRY_TIMES retries (any query string)

Every fault is an article URL in the site's pattern (/Pannes/n3/2024/0301/c31999-<id>.html)
listed on the section pages /Pannes/index.html and index2.html, so the real spider finds and
fetches it like any article; /Securite/index.html lists the few that test where the crawler
may go and what it stores. FAULTS says, for each, what the server does, what a correct crawl
makes of it and the stat that records it: tests/test_faults.py checks that table against a
crawl and docs/RELIABILITY.md prints it. Everything else is served by MirrorServer unchanged.
"""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from newsspider.commands.mirror import MirrorServer
from newsspider.sites.people_fr import ALIAS_HOSTS
from .synthetic import article_html, article_path, paragraphs_for, section_html

SECTION = "Pannes"
# A short listing of the faults that test the crawler's boundaries, for a quick crawl of its own.
SECURITY_SECTION = "Securite"
SECURITY_FAULTS = ("offsite_link", "redirect_offsite", "redirect_offsite_after_retry", "robots_disallowed", "hostile_text", "js_only")
FIRST_ID = 10_000_001
# The caps a fault crawl must run with for the size and time faults to mean what they say.
CRAWL_SETTINGS = {
    "DOWNLOAD_TIMEOUT": 2,
    "DOWNLOAD_MAXSIZE": 256 * 1024,
    "DOWNLOAD_WARNSIZE": 64 * 1024,
}
HANG_SECONDS = 2 * CRAWL_SETTINGS["DOWNLOAD_TIMEOUT"] + 1
TOO_LARGE_BYTES = 4 * CRAWL_SETTINGS["DOWNLOAD_MAXSIZE"]
BOMB_INFLATED_BYTES = 64 * 1024 * 1024
CJK_TEXT = "北京今日举行会议，讨论经济发展与改革的问题，与会代表就下一步工作提出了建议。" * 4


@dataclass
class Fault:
    name: str
    what: str  # what the server does
    expect: str  # what a correct crawl makes of it
    stat: str  # the stat key that records it
    stored: bool  # whether the article must end up in the archive
    respond: Callable = field(repr=False, default=None)
    headline: str | None = None  # the text the stored article must have, when stored
    path: str = ""
    extra_paths: tuple[str, ...] = ()  # other URLs the fault answers on (a redirect's target)


def _article_id(path: str) -> int:
    return int(path.rsplit("-", 1)[1].removesuffix(".html"))


def _article(path: str, headline: str) -> bytes:
    return article_html(path, headline, paragraphs_for(_article_id(path))).encode("utf-8")


# ---- responses ------------------------------------------------------------------------------
def _send(h, body: bytes, *, status: int = 200, ctype: str = "text/html", headers: dict | None = None, length: int | None = None):
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def _good(f, h, hit):
    # The article at the path asked for (a redirect target serves its fault's article too).
    _send(h, _article(urlsplit(h.path).path, f.headline))


def _fail_first(status: int, headers: dict | None = None) -> Callable:
    def respond(f, h, hit):
        if hit == 1:
            _send(h, b"<html><body>try again</body></html>", status=status, headers=headers)
        else:
            _send(h, _article(f.path, f.headline))
    return respond


def _always(status: int, headers: dict | None = None) -> Callable:
    return lambda f, h, hit: _send(h, b"<html><body>no</body></html>", status=status, headers=headers)


def _hang(f, h, hit):
    # Read the request, answer nothing: the client's DOWNLOAD_TIMEOUT has to end it.
    h.server.stopping.wait(HANG_SECONDS)
    h.close_connection = True


def _drip(total_seconds: float | None):
    """The headers at once, then the body a few bytes at a time: in total_seconds, or never finishing."""
    def respond(f, h, hit):
        body = _article(f.path, f.headline)
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if total_seconds is None:
            for i in range(0, len(body), 16):
                h.wfile.write(body[i:i + 16])
                h.wfile.flush()
                if h.server.stopping.wait(0.2):
                    return
            return
        chunks = 10
        step = len(body) // chunks + 1
        for i in range(0, len(body), step):
            h.wfile.write(body[i:i + step])
            h.wfile.flush()
            h.server.stopping.wait(total_seconds / chunks)
    return respond


def _reset(f, h, hit):
    # SO_LINGER with a zero timeout makes close() send RST: the client sees its connection reset.
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def _truncated(f, h, hit):
    body = _article(f.path, f.headline)
    _send(h, body[: len(body) // 2], length=len(body))
    h.close_connection = True


def _charset(header: str | None, encoding: str, meta: str | None):
    """The article encoded as `encoding`, its Content-Type charset `header` and its <meta> charset `meta`."""
    def respond(f, h, hit):
        page = _article(f.path, f.headline).decode("utf-8")
        page = page.replace('<meta http-equiv="content-type" content="text/html;charset=UTF-8"/>',
                            f'<meta http-equiv="content-type" content="text/html;charset={meta}"/>' if meta else "")
        _send(h, page.encode(encoding, "xmlcharrefreplace"), ctype="text/html" + (f"; charset={header}" if header else ""))
    return respond


def _cjk_as_utf8(f, h, hit):
    # A Chinese page in GB18030 whose server says UTF-8.
    page = article_html(f.path, f.headline, [CJK_TEXT] * 3).replace("charset=UTF-8", "charset=utf-8")
    _send(h, page.encode("gb18030"), ctype="text/html; charset=utf-8")


def _garbage_bytes(f, h, hit):
    # Headline and body of bytes that are text in no encoding, under a UTF-8 declaration.
    noise = bytes((i * 151 + 7) % 128 + 128 for i in range(600))
    page = article_html(f.path, "@@HEADLINE@@", ["@@BODY@@"] * 3).encode("utf-8")
    _send(h, page.replace(b"@@HEADLINE@@", noise[:60]).replace(b"@@BODY@@", noise), ctype="text/html; charset=utf-8")


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(64) + bytes.fromhex("ffd9")


def _static(body: bytes, ctype: str, h, hit):
    _send(h, body, ctype=ctype)


def _binary(body: bytes, ctype: str):
    return lambda f, h, hit: _send(h, body, ctype=ctype)


def _too_large(announced: bool):
    def respond(f, h, hit):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if announced:
            h.send_header("Content-Length", str(TOO_LARGE_BYTES))
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        try:
            for _ in range(TOO_LARGE_BYTES // len(chunk) + 1):
                h.wfile.write(chunk)
        except OSError:
            pass  # the client hung up at its size cap, as it should
        h.close_connection = True
    return respond


_BOMB: bytes | None = None
_BOMB_LOCK = threading.Lock()


def gzip_bomb() -> bytes:
    """BOMB_INFLATED_BYTES of zeros, gzipped to about a thousandth of that (made once)."""
    global _BOMB
    with _BOMB_LOCK:
        if _BOMB is None:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
            block = bytes(1024 * 1024)
            _BOMB = b"".join(packer.compress(block) for _ in range(BOMB_INFLATED_BYTES // len(block))) + packer.flush()
    return _BOMB


def _bomb(f, h, hit):
    _send(h, gzip_bomb(), headers={"Content-Encoding": "gzip"})


def _redirect_to(target: Callable[[Fault, object], str], status: int = 302):
    def respond(f, h, hit):
        h.send_response(status)
        h.send_header("Location", target(f, h))
        h.send_header("Content-Length", "0")
        h.end_headers()
    return respond


def _moved(f, h, hit):
    if urlsplit(h.path).path == f.path:
        _redirect_to(lambda f_, h_: f.extra_paths[0], 301)(f, h, hit)
    else:
        _good(f, h, hit)


def _loop(f, h, hit):
    # path -> extra path -> path -> ...
    here = urlsplit(h.path).path
    _redirect_to(lambda f_, h_: f.extra_paths[0] if here == f.path else f.path)(f, h, hit)


def _malformed(f, h, hit):
    page = _article(f.path, f.headline).decode("utf-8")
    # Closing tags lost, a stray one, attributes unquoted, the document never closed.
    page = page.replace("</p>", "").replace("</li>", "").replace('class="d2_time"', "class=d2_time")
    page = page.replace("<h1>", "</div></span><h1>").replace("</body>\n</html>", "<div><table><tr><td>")
    _send(h, page.encode("utf-8"))


def _deep(f, h, hit):
    page = _article(f.path, f.headline).decode("utf-8")
    page = page.replace("<body>", "<body>" + "<div>" * 5000 + "<span>" * 5000, 1)
    _send(h, page.encode("utf-8"))


def _js_only(f, h, hit):
    page = _article(f.path, f.headline).decode("utf-8")
    start, end = page.index("<!--enpcontent-->"), page.index("<!--/enpcontent-->")
    # The body exists only once a script runs; the crawler runs none, so it has no body.
    script = "<script>document.getElementById('p_content').innerHTML = '<p>' + 'Texte rendu par JavaScript seulement. '.repeat(40) + '</p>';</script>"
    _send(h, (page[:start] + script + page[end:]).encode("utf-8"))


HOSTILE_HEADLINE = "Alerte <script>alert('titre')</script> au port"
HOSTILE_BODY = "<img src=x onerror=alert('corps')> Le port de Canton a rouvert ses quais lundi matin."


def _hostile(f, h, hit):
    page = article_html(f.path, HOSTILE_HEADLINE, [HOSTILE_BODY, *paragraphs_for(_article_id(f.path))])
    _send(h, page.encode("utf-8"))


def faults() -> list[Fault]:
    """The fault table, with paths assigned. A fresh list each call: a Fault's path is set here."""
    table = [
        Fault("server_error", "500 Internal Server Error, every time", "retried RETRY_TIMES (2), then given up; not stored",
              "newsspider/failures/server_error", False, _always(500)),
        Fault("server_error_once", "500 once, then the article", "retried once, stored", "retry/count", True, _fail_first(500),
              headline="Une panne passagère du serveur"),
        Fault("retry_after", "503 with Retry-After: 1 once, then the article", "waits 1 s (RetryAfterMiddleware), stored",
              "newsspider/retry_after/waited", True, _fail_first(503, {"Retry-After": "1"}), headline="Le serveur demande une pause"),
        Fault("retry_after_always", "503 with Retry-After: 1, every time", "waits RETRY_AFTER_MAX_TIMES (3) times, gives up; not stored",
              "newsspider/retry_after/gave_up", False, _always(503, {"Retry-After": "1"})),
        Fault("not_found", "404 Not Found", "not retried, not stored", "newsspider/failures/not_found", False, _always(404)),
        Fault("gone", "410 Gone", "not retried, not stored", "newsspider/failures/not_found", False, _always(410)),
        Fault("timeout", f"reads the request, answers nothing for {HANG_SECONDS} s", "DOWNLOAD_TIMEOUT (2 s), retried twice; not stored",
              "newsspider/failures/timeout", False, _hang),
        Fault("slow_drip", "the body 16 bytes every 0.2 s: longer than DOWNLOAD_TIMEOUT", "timed out, retried twice; not stored",
              "newsspider/failures/timeout", False, _drip(None), headline="Une page interminable"),
        Fault("slow_but_complete", "the body in 10 pieces over 0.5 s", "stored", "newsspider/stored/new", True, _drip(0.5),
              headline="Une page lente mais complète"),
        Fault("connection_reset", "the connection reset (RST) before any answer", "retried twice; not stored",
              "newsspider/failures/connection_lost", False, _reset),
        Fault("truncated", "Content-Length of the whole page, half of it sent, connection closed",
              "data loss, retried twice; not stored", "newsspider/failures/dataloss", False, _truncated, headline="Une page coupée"),
        Fault("charset_header_latin1", "UTF-8 bytes, Content-Type says charset=iso-8859-1", "stored with the right text (valid UTF-8 wins)",
              "newsspider/stored/new", True, _charset("iso-8859-1", "utf-8", "UTF-8"), headline="L'été à Noël : les élèves déçus"),
        Fault("charset_header_utf8", "windows-1252 bytes, Content-Type and <meta> say utf-8",
              "stored with the right text (invalid UTF-8 read as windows-1252)",
              "newsspider/stored/new", True, _charset("utf-8", "cp1252", "utf-8"), headline="Les œuvres « prêtées » au musée"),
        Fault("charset_meta_utf8", "windows-1252 bytes, no charset header, <meta> says utf-8", "stored with the right text",
              "newsspider/stored/new", True, _charset(None, "cp1252", "utf-8"), headline="Un déjeuner à Pékin façon crêpe"),
        Fault("charset_missing", "windows-1252 bytes, no charset anywhere",
              "stored with the right text (read as windows-1252: its accented letters stand alone)",
              "newsspider/stored/new", True, _charset(None, "cp1252", None), headline="Réunion à Genève : l'ambiguïté levée"),
        Fault("charset_cjk_as_utf8", "GB18030 Chinese text, Content-Type says utf-8", "stored with the right text (detected as GB18030)",
              "newsspider/stored/new", True, _cjk_as_utf8, headline="北京举行经济发展会议"),
        Fault("charset_garbage", "headline and body bytes that are text in no encoding, Content-Type says utf-8",
              "dropped (raw response kept), not stored as garbage", "newsspider/dropped/garbled_headline", False, _garbage_bytes),
        Fault("pdf", "a PDF (application/pdf)", "kept raw as not_html, not parsed", "newsspider/not_html/application/pdf", False,
              _binary(PDF, "application/pdf")),
        Fault("jpeg", "a JPEG (image/jpeg)", "kept raw as not_html, not parsed", "newsspider/not_html/image/jpeg", False,
              _binary(JPEG, "image/jpeg")),
        Fault("pdf_as_html", "a PDF sent as text/html", "recognised by its bytes, kept raw as not_html", "newsspider/not_html/application/pdf",
              False, _binary(PDF, "text/html")),
        Fault("too_large", f"Content-Length {TOO_LARGE_BYTES} (over DOWNLOAD_MAXSIZE)", "cancelled before the body; not stored",
              "newsspider/failures/too_large", False, _too_large(True)),
        Fault("too_large_unannounced", f"{TOO_LARGE_BYTES} bytes without Content-Length", "cancelled at DOWNLOAD_MAXSIZE; not stored",
              "newsspider/failures/too_large", False, _too_large(False)),
        Fault("gzip_bomb", f"Content-Encoding: gzip, about 64 kB inflating to {BOMB_INFLATED_BYTES // 2**20} MiB of zeros",
              "decompression stopped at DOWNLOAD_MAXSIZE; not stored", "newsspider/failures/too_large_decompressed", False, _bomb),
        Fault("redirect_loop", "302 to a second URL, which 302s back", "stopped at the first repeat; not stored",
              "newsspider/failures/redirect_loop", False, _loop),
        Fault("redirect_offsite", "302 to an article URL on another host", "not followed: the other host is never asked; not stored",
              "offsite/filtered", False),
        Fault("redirect_offsite_after_retry", "500 once, then 302 to an article URL on another host",
              "not followed, although the retried request skips Scrapy's off-site filter (dont_filter); not stored",
              "newsspider/failures/redirect_offsite", False),
        Fault("redirect_onsite", "301 to another article URL of the site", "followed, stored once under the target URL",
              "downloader/response_status_count/301", True, headline="Un article qui a déménagé"),
        Fault("malformed", "closing tags missing, stray closing tags, unquoted attributes, document never closed",
              "stored with the right text", "newsspider/stored/new", True, _malformed, headline="Un balisage en ruine"),
        Fault("deep_nesting", "the article inside 10,000 unclosed elements", "stored with the right text", "newsspider/stored/new",
              True, _deep, headline="Dix mille boîtes imbriquées"),
        Fault("js_only", "the body only written by a script", "no JavaScript runs: no body, dropped", "newsspider/dropped/missing_body",
              False, _js_only, headline="Une page qui exige JavaScript"),
        Fault("hostile_text", "headline and body text containing <script> and <img onerror>", "stored as text; shown escaped by datasette",
              "newsspider/stored/new", True, _hostile, headline=HOSTILE_HEADLINE),
        Fault("query_variants", "one article linked as ?from=rss, ?utm_source=…, on the alias host and plain, and given with ?page=2 in -a urls",
              "one request from the listing, one article; the -a urls variant recorded as an alias", "newsspider/stored/unchanged", True,
              headline="Un article sous plusieurs adresses"),
        Fault("robots_disallowed", "an article that robots.txt disallows", "never requested", "robotstxt/forbidden", False,
              headline="Une page interdite aux robots"),
        Fault("offsite_link", "a listing link to an article URL on another host", "never requested: the other host is never asked",
              "(none: not a request)", False),
    ]
    for i, f in enumerate(table):
        f.path = article_path(SECTION, FIRST_ID + i)
    by_name = {f.name: f for f in table}
    by_name["redirect_loop"].extra_paths = (article_path(SECTION, FIRST_ID + 100),)
    by_name["redirect_onsite"].extra_paths = (article_path(SECTION, FIRST_ID + 101),)
    by_name["redirect_onsite"].respond = _moved
    for f in table:
        f.respond = f.respond or _good
    return table


def query_variant_links(f: Fault) -> list[str]:
    return [f.path + "?from=rss", f.path + "?utm_source=newsletter&utm_medium=email", f"http://{ALIAS_HOSTS[0]}{f.path}?x=1", f.path]


class FaultServer(MirrorServer):
    """MirrorServer with the fault section mounted over it. `offsite_base` is where the off-site
    faults point: give it another local server, so a crawler that follows them shows in that
    server's request log instead of leaving the machine."""

    def __init__(self, mounts: dict[str, str | Path], *, offsite_base: str, **kwargs):
        super().__init__(mounts, **kwargs)
        self.faults = faults()
        self.offsite_base = offsite_base.rstrip("/")
        by_name = {f.name: f for f in self.faults}
        by_name["redirect_offsite"].respond = _redirect_to(lambda f, h: self.offsite_base + f.path)
        by_name["redirect_offsite_after_retry"].respond = lambda f, h, hit: (
            _always(500) if hit == 1 else _redirect_to(lambda f_, h_: self.offsite_base + f.path))(f, h, hit)
        routes: dict[str, Callable] = {}
        for f in self.faults:
            for path in (f.path, *f.extra_paths):
                routes[path] = partial(f.respond, f)
        for name, body in self.section_pages().items():
            routes[f"/{SECTION}/{name}"] = partial(_static, body.encode("utf-8"), "text/html")
        security = section_html(SECURITY_SECTION, [(self.offsite_base + by_name["offsite_link"].path, "Un lien vers un autre site")]
                                + [(by_name[n].path, by_name[n].what) for n in SECURITY_FAULTS if n != "offsite_link"])
        routes[f"/{SECURITY_SECTION}/index.html"] = partial(_static, security.encode("utf-8"), "text/html")
        robots = f"User-agent: *\nDisallow: {by_name['robots_disallowed'].path}\n".encode()
        routes["/robots.txt"] = partial(_static, robots, "text/plain")
        gzip_bomb()  # made now, not while a crawler waits for it
        self.httpd.stopping = threading.Event()
        self.httpd.hits = Counter()
        self.httpd.RequestHandlerClass = type("FaultHandler", (_FaultMixin, self.httpd.RequestHandlerClass), {"routes": routes})

    def section_pages(self) -> dict[str, str]:
        links: list[tuple[str, str]] = []
        for f in self.faults:
            if f.name == "query_variants":
                links += [(href, f.headline) for href in query_variant_links(f)]
            elif f.name == "offsite_link":
                links.append((self.offsite_base + f.path, "Un lien vers un autre site"))
            else:
                links.append((f.path, f.headline or f.what))
        half = len(links) // 2
        return {"index.html": section_html(SECTION, links[:half]), "index2.html": section_html(SECTION, links[half:])}

    def stop(self) -> None:
        self.httpd.stopping.set()
        super().stop()


class _FaultMixin:
    routes: dict[str, Callable] = {}

    def _serve(self, send_body: bool):
        path = urlsplit(self.path).path
        self.server.hits[path] += 1
        respond = self.routes.get(path)
        try:
            if respond is None:
                return super()._serve(send_body)
            self.server.requests.append((self.path, dict(self.headers)))
            respond(self, self.server.hits[path])
        except ConnectionError:
            self.close_connection = True  # the crawler hung up (timeout, size cap): what the fault is for

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass  # the fault closed or reset the connection itself
