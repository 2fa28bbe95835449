"""Sitemaps and RSS/Atom feeds read into (url, date) entries. No network, no crawler.

One reader for every kind, chosen by the root element rather than by the URL or
the Content-Type (both lie often enough): <urlset> and <sitemapindex> (with
Google News `news:publication_date`), RSS 2.0 <rss>, RSS 1.0 <rdf:RDF> and Atom
<feed>. Elements are matched by local name, so namespace prefixes and missing
namespace declarations do not matter.

Scrapy's own `Sitemap` class is not used: it flattens each <url> to its direct
children's text and so loses <news:publication_date>, and it knows no feeds.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.gz import gunzip

GZIP_MAGIC = b"\x1f\x8b"

# Sitemap and feed dates worth comparing with `since`: the newest one wins, because an
# entry modified after `since` is news for an archive that records updates.
_SITEMAP_DATES = ("lastmod", "publication_date")
_FEED_DATES = ("pubDate", "date", "updated", "published", "modified", "issued")


@dataclass(frozen=True)
class Entry:
    url: str
    date: datetime | None = None  # timezone-aware; None when the entry states no readable date


@dataclass
class Listing:
    kind: str  # "sitemapindex", "urlset", "rss", "atom" or "unknown"
    entries: list[Entry] = field(default_factory=list)


class Reader:
    """Entries of one sitemap or feed, read as they come: the document is never held as a whole tree.

        reader = Reader(body, url, max_size=DOWNLOAD_MAXSIZE)
        reader.kind          # read from the root element; "unknown" for anything else
        for entry in reader: ...

    A 14 MB sitemap of 200,000 URLs parsed whole took some 200 MB of lxml tree; iterparse
    clears each entry once it is read, so memory stays at the body and one entry. A gzipped
    body is inflated as it is read, up to `max_size` bytes (0: no limit); past that, or on
    corrupt gzip, iteration stops and `error` says why (the entries read until then stand).
    """

    def __init__(self, body: bytes, base_url: str, max_size: int = 0):
        self.base_url = base_url
        self.error: str | None = None
        self._events = None
        self.kind = "unknown"
        self._first = None
        source = _source(body, max_size)
        # recover: real sitemaps and feeds are often not well-formed; entities and network
        # access are off because the document comes from the network.
        events = etree.iterparse(source, events=("start", "end"), recover=True, resolve_entities=False,
                                 no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
        try:
            for event, el in events:
                if event == "start":
                    self.kind = _KINDS.get(_local(el), "unknown")
                    self._root, self._root_name = el, _local(el)
                    break
        except (etree.XMLSyntaxError, OSError, EOFError, ValueError) as exc:
            self._fail(exc)
            return
        if self.kind != "unknown":
            self._events = events

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, ValueError) and not isinstance(exc, etree.XMLSyntaxError):
            self.error = str(exc)
        elif isinstance(exc, (OSError, EOFError)):
            self.error = f"corrupt gzip: {exc}"
        # An XML syntax error past what recover mends ends the document where it broke.

    def _is_entry(self, el) -> bool:
        # A child of the root, or of an RSS 2.0 <channel>: an <item> or <url> nested deeper is not an entry.
        parent = el.getparent()
        return parent is self._root or (parent is not None and _local(parent) == "channel" and parent.getparent() is self._root)

    def __iter__(self):
        if self._events is None:
            return
        entry_name, read_one = _ENTRY[self._root_name]
        try:
            for event, el in self._events:
                if event != "end" or _local(el) != entry_name or not self._is_entry(el):
                    continue
                url, dates = read_one(el)
                _forget(el)
                url = urljoin(self.base_url, url) if url else None
                if url and url.split(":", 1)[0].lower() in ("http", "https"):
                    known = [d for d in (parse_date(t) for t in dates) if d is not None]
                    yield Entry(url, max(known) if known else None)
        except (etree.XMLSyntaxError, OSError, EOFError, ValueError) as exc:
            self._fail(exc)


def ungzip(body: bytes, max_size: int = 0) -> bytes:
    """The body, decompressed if it is gzip; ValueError when it is corrupt or larger than max_size.

    .xml.gz files are gzip on the wire with no Content-Encoding, so nothing
    upstream has decompressed them; the magic bytes decide, not the name.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        return gunzip(body, max_size=max_size)  # raises a ValueError past max_size
    except (OSError, EOFError) as exc:
        raise ValueError(f"corrupt gzip: {exc}") from exc


def read(body: bytes, base_url: str) -> Listing:
    """Entries of a sitemap, sitemap index or feed; kind "unknown" for anything else (an HTML error page, say)."""
    reader = Reader(body, base_url)
    return Listing(reader.kind, list(reader))


def parse_date(text: str | None) -> datetime | None:
    """W3C/ISO 8601 (sitemaps, Atom) or RFC 822 (RSS) to an aware datetime; naive times are taken as UTC."""
    text = (text or "").strip()
    if not text:
        return None
    moment = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        # W3C also allows a bare year or year-month.
        if m := re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text):
            try:
                moment = datetime(int(m[1]), int(m[2] or 1), 1)
            except ValueError:
                return None
        else:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---- internals ---------------------------------------------------------------------------

class _Capped:
    """A file object that refuses to give more than `limit` bytes (0: no limit): a gzip bomb stops here."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.given = raw, limit, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n and n > 0 else 1 << 16)
        self.given += len(data)
        if self.limit and self.given > self.limit:
            raise ValueError(f"larger than {self.limit} bytes once decompressed")
        return data


def _source(body: bytes, max_size: int):
    body = body.lstrip()
    if body.startswith(GZIP_MAGIC):
        return _Capped(gzip.GzipFile(fileobj=io.BytesIO(body)), max_size)
    return io.BytesIO(body)


def _forget(el) -> None:
    """Drop an entry read, and the ones before it, so the tree iterparse builds never grows."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _local(el) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(el, name: str):
    return next((c for c in el if _local(c) == name), None)


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _sitemap_entry(el) -> tuple[str, list[str]]:
    loc = _text(_child(el, "loc"))
    dates = [_text(_child(el, "lastmod"))]
    news = _child(el, "news")  # Google News: <news:news><news:publication_date>
    if news is not None:
        dates.append(_text(_child(news, "publication_date")))
    return loc, dates


def _rss_entry(el) -> tuple[str, list[str]]:
    url = ""
    for c in el:
        # <link> text in RSS; an <atom:link href> inside an item is Atom's way.
        if _local(c) == "link" and not url:
            url = _text(c) or (c.get("href") if c.get("rel") in (None, "alternate") else "") or ""
    if not url:
        guid = _child(el, "guid")
        if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true" and _text(guid).startswith("http"):
            url = _text(guid)
    return url, [_text(c) for c in el if _local(c) in _FEED_DATES]


def _atom_entry(el) -> tuple[str, list[str]]:
    links = [c for c in el if _local(c) == "link" and (c.get("rel") or "alternate") == "alternate" and c.get("href")]
    # Several alternates (other languages, formats): the HTML one is the article.
    links.sort(key=lambda c: (c.get("type") or "text/html") not in ("text/html", "application/xhtml+xml"))
    url = links[0].get("href") if links else ""
    base = el.get("{http://www.w3.org/XML/1998/namespace}base")
    if url and base:
        url = urljoin(base, url)
    return url, [_text(c) for c in el if _local(c) in _FEED_DATES]


# Root element -> kind, and the element each entry is (RSS 1.0's items are the root's
# children, beside its channel; RSS 2.0's are the channel's: iterparse finds both).
_KINDS = {"urlset": "urlset", "sitemapindex": "sitemapindex", "rss": "rss", "RDF": "rss", "feed": "atom"}
_ENTRY = {"urlset": ("url", _sitemap_entry), "sitemapindex": ("sitemap", _sitemap_entry), "rss": ("item", _rss_entry),
          "RDF": ("item", _rss_entry), "feed": ("entry", _atom_entry)}
