"""A static server fast enough not to be the benchmark's bottleneck: Twisted, pages in memory.

    python bench/serve_static.py DIR PORT

Every file under DIR is read into memory at start; requests are answered from a dict, over
keep-alive connections, by Twisted's HTTP server (a C-accelerated parser is not needed at a
few thousand pages per second). Prints "ready" once listening.
"""

from __future__ import annotations

import sys
from pathlib import Path

from twisted.internet import reactor
from twisted.web import resource, server


class Pages(resource.Resource):
    isLeaf = True

    def __init__(self, root: Path):
        super().__init__()
        self.pages = {"/" + p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    def render_GET(self, request):
        body = self.pages.get(request.path.decode("utf-8", "replace"))
        if body is None:
            request.setResponseCode(404)
            return b"not found"
        request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
        return body


def main() -> None:
    root, port = Path(sys.argv[1]), int(sys.argv[2])
    site = server.Site(Pages(root))
    site.displayTracebacks = False
    reactor.listenTCP(port, site, interface="127.0.0.1", backlog=1024)
    print("ready", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
