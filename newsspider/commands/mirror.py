"""A static mirror served on 127.0.0.1, for the demo and the tests.

Folders are mounted at URL prefixes ("/" for the site, "/alias/<host>" for an
alias host), on a free port, from a background thread.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import posixpath
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server_version = "newsspider-mirror"
    mounts: list[tuple[str, Path]] = []
    delay = 0.0  # seconds before each answer: a slow site, for tests that interrupt a crawl

    def log_message(self, format, *args):  # the tests read stdout; keep it quiet
        pass

    def _resolve(self) -> Path | None:
        path = posixpath.normpath(unquote(urlsplit(self.path).path))
        for prefix, root in self.mounts:
            if prefix != "/" and not (path == prefix or path.startswith(prefix + "/")):
                continue
            rel = path[len(prefix):] if prefix != "/" else path
            target = (root / rel.lstrip("/")).resolve()
            if root not in target.parents and target != root:
                return None  # no escaping the mounted folder
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                return target
            # Not in this folder: an overlay mounted at the same prefix falls through to the next.
        return None

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def _serve(self, send_body: bool):
        self.server.requests.append((self.path, dict(self.headers)))
        if self.delay:
            time.sleep(self.delay)
        target = self._resolve()
        if target is None:
            self.send_error(404)
            return
        body = target.read_bytes()
        ctype, encoding = mimetypes.guess_type(target.name)
        if encoding == "gzip":
            # A sitemap.xml.gz is a gzip file, as web servers send it: no Content-Encoding,
            # which would have the client unpack it and so hide the gzip handling under test.
            ctype = "application/gzip"
        ctype = ctype or "application/octet-stream"
        # Validators, as a real server sends them, so incremental crawls can ask "changed?".
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        modified = email.utils.formatdate(int(target.stat().st_mtime), usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == modified
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        # No charset on purpose: pages declare theirs in <meta>, as on the real site.
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class MirrorServer:
    """`with MirrorServer({"/": site_dir}) as server: server.url` -> http://127.0.0.1:PORT

    `overlays` are folders mounted over the mirror: a file found in one is
    served instead of the mirror's, e.g. the same article after an update.
    """

    def __init__(self, mounts: dict[str, str | Path], host: str = "127.0.0.1", port: int = 0,
                 overlays: dict[str, str | Path] | None = None, delay: float = 0.0):
        pairs = [*(overlays or {}).items(), *mounts.items()]
        # Longest prefix first; sorted() is stable, so an overlay stays before the folder it covers.
        ordered = sorted(((p.rstrip("/") or "/", Path(d).resolve()) for p, d in pairs), key=lambda m: -len(m[0]))
        handler = type("MirrorHandler", (_Handler,), {"mounts": ordered, "delay": delay})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []  # (path, headers) of every request, for tests to inspect
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="mirror", daemon=True)

    @property
    def requests(self) -> list[tuple[str, dict]]:
        return self.httpd.requests

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> MirrorServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def people_fr_mounts(fixture_dir: str | Path) -> dict[str, Path]:
    """The people_fr mirror: site/ at "/", and each alias/<host>/ at "/alias/<host>"."""
    root = Path(fixture_dir)
    mounts: dict[str, Path] = {"/": root / "site"}
    alias_root = root / "alias"
    if alias_root.is_dir():
        for host_dir in sorted(alias_root.iterdir()):
            mounts[f"/alias/{host_dir.name}"] = host_dir
    return mounts
