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
    root = _root(body)
    if root is None:
        return Listing("unknown")
    kind = _local(root)
    if kind in ("urlset", "sitemapindex"):
        child = "url" if kind == "urlset" else "sitemap"
        return Listing(kind, _entries(root, child, base_url, _sitemap_entry))
    if kind == "rss":
        channel = _child(root, "channel")
        return Listing("rss", _entries(channel if channel is not None else root, "item", base_url, _rss_entry))
    if kind == "RDF":  # RSS 1.0: items are siblings of the channel
        return Listing("rss", _entries(root, "item", base_url, _rss_entry))
    if kind == "feed":
        return Listing("atom", _entries(root, "entry", base_url, _atom_entry))
    return Listing("unknown")


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

def _root(body: bytes):
    # recover: real sitemaps and feeds are often not well-formed; entities and
    # network access are off because the document comes from the network.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        return etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


def _local(el) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(el, name: str):
    return next((c for c in el if _local(c) == name), None)


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _entries(parent, name: str, base_url: str, read_one) -> list[Entry]:
    out = []
    for el in parent:
        if _local(el) != name:
            continue
        url, dates = read_one(el)
        url = urljoin(base_url, url) if url else None
        if url and url.split(":", 1)[0].lower() in ("http", "https"):
            known = [d for d in (parse_date(t) for t in dates) if d is not None]
            out.append(Entry(url, max(known) if known else None))
    return out


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
