"""Public URLs <-> the URLs actually fetched, so a local mirror is crawled exactly like the site.

A spider thinks and stores in public URLs (http://french.peopledaily.com.cn/...);
only the request goes to the base URL configured for that host (a mirror on
127.0.0.1 in the demo and the tests).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class HostMap:
    def __init__(self, bases: dict[str, str]):
        # public host -> base URL (scheme://host[:port][/prefix]) to fetch it from
        self.bases = {host.lower(): base.rstrip("/") for host, base in bases.items() if base}

    def to_fetch(self, url: str) -> str:
        parts = urlsplit(url)
        base = self.bases.get((parts.hostname or "").lower())
        if base is None:
            return url
        b = urlsplit(base)
        return urlunsplit((b.scheme, b.netloc, b.path + (parts.path or "/"), parts.query, ""))

    def to_public(self, fetched: str) -> str:
        f = urlsplit(fetched)
        best_host, best_prefix = None, ""
        # Longest mount prefix wins; on a tie the first host listed (the canonical one).
        for host, base in self.bases.items():
            b = urlsplit(base)
            prefix = b.path
            if b.netloc.lower() != f.netloc.lower():
                continue
            if not (f.path == prefix or f.path.startswith(prefix + "/") or not prefix):
                continue
            if best_host is None or len(prefix) > len(best_prefix):
                best_host, best_prefix = host, prefix
        if best_host is None:
            return fetched
        scheme = f.scheme if not self.is_mirrored(best_host) else "http"
        path = f.path[len(best_prefix):] or "/"
        return urlunsplit((scheme, best_host, path, f.query, ""))

    def is_mirrored(self, host: str) -> bool:
        base = self.bases.get(host.lower())
        return base is not None and (urlsplit(base).hostname or "").lower() != host.lower()

    def fetch_domains(self) -> list[str]:
        return sorted({(urlsplit(base).hostname or "").lower() for base in self.bases.values()})
