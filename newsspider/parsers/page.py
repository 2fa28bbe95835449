"""The page, parsed once and shared by every field method (Fundus' `Precomputed`)."""

from __future__ import annotations

import bisect
import json
import re
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Iterator
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from ..items import MAX_PAGE_BYTES
from .charset import is_utf8, legacy_text
from .text import clean, clean_markup_text, text_of


class ParseError(ValueError):
    """The input cannot be read as an HTML page. The only exception `parse()` lets out."""


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Control characters that libxml2 rejects; real pages contain them surprisingly often.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# What the crawl downloads at most (DOWNLOAD_MAXSIZE bytes decode to at most as many
# characters): so `extract` and `reparse` accept exactly the pages a crawl could have stored.
MAX_HTML_CHARS = MAX_PAGE_BYTES


def decode_html(html: bytes | str, *, encoding: str | None = None) -> str:
    """Bytes to text: BOM, then a declared charset (caller's header or <meta>), then detection.

    Bytes that are valid UTF-8 (and not plain ASCII) are read as UTF-8 whatever the
    page declares: CMSs often keep a legacy "gb2312" or "iso-8859-1" <meta> after
    moving to UTF-8, and legacy text is almost never valid UTF-8 by accident. Bytes that
    say UTF-8 (or nothing) and are not are read by charset.legacy_text.
    """
    if isinstance(html, str):
        return html
    if not html.isascii():
        # A response cut in the middle of a character (a dropped connection, a size cap) is still
        # UTF-8: its last, incomplete character is dropped, not read as windows-1252 ("annÃ").
        # (Only with other UTF-8 before it: one high byte at the end of ASCII may be windows-1252.)
        whole = html[: -cut_character(html)] if cut_character(html) else html
        if whole.isascii():
            whole = html
        try:
            text = whole.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return text.removeprefix("\ufeff")
    content_type = f"text/html; charset={encoding}" if encoding else None
    used, text = html_to_unicode(content_type, html)
    if html.isascii() or not is_utf8(used):
        return text  # a BOM, or a legacy charset that was declared
    # Said UTF-8, or nothing, and is not: legacy bytes. U+FFFD text when nothing reads them.
    return legacy_text(html) or text


def cut_character(html: bytes) -> int:
    """How many bytes of an incomplete UTF-8 character end `html` (0 if none)."""
    start = len(html) - 1
    while start >= 0 and len(html) - start < 4 and 0x80 <= html[start] < 0xC0:
        start -= 1
    if start < 0 or html[start] < 0xC0:
        return 0
    lead = html[start]
    need = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return len(html) - start if len(html) - start < need else 0


_CLOSED = re.compile(r"</(?:html|body)\s*>", re.I)


class Page:
    """One fetched page: its text, lxml tree, JSON-LD objects, meta tags and URL parts."""

    def __init__(self, html: bytes | str, url: str, *, now: datetime | None = None, encoding: str | None = None):
        if not isinstance(html, (bytes, str)):
            raise ParseError(f"expected bytes or str, got {type(html).__name__}")
        self.url = url
        self.now = now or datetime.now(timezone.utc)
        try:
            self.html = decode_html(html, encoding=encoding)
        except Exception as exc:  # a broken codec name in <meta>, for one
            raise ParseError(f"cannot decode page: {exc}") from exc
        # Cut short in transfer: the last text on the page may be a paragraph cut in two.
        self.truncated = (isinstance(html, bytes) and cut_character(html) > 0) or not _CLOSED.search(self.html[-4096:])
        if len(self.html) > MAX_HTML_CHARS:
            raise ParseError(f"page too large: {len(self.html)} characters")
        self.tree  # noqa: B018 - fail early, with ParseError, on what lxml cannot read

    @cached_property
    def urlparts(self):
        return urlsplit(self.url)

    @cached_property
    def host(self) -> str:
        return (self.urlparts.hostname or "").lower()

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        text = _CONTROL.sub("", _XML_DECL.sub("", self.html, count=1))
        if not text.strip():
            raise ParseError("empty page")
        try:
            parser = lxml.html.HTMLParser(remove_comments=False, huge_tree=False)
            tree = lxml.html.document_fromstring(text, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise ParseError(f"not an HTML document: {exc}") from exc
        if tree is None:
            raise ParseError("not an HTML document")
        return tree

    @cached_property
    def body(self):
        body = self.tree.find("body")
        return body if body is not None else self.tree

    @cached_property
    def elements(self) -> list:
        """Every element of the body in document order. Holding them keeps lxml's proxies
        alive, so the several passes over the page do not rebuild them each time."""
        return list(self.body.iter(etree.Element))

    @cached_property
    def position(self) -> dict:
        """Element -> index in document order, for sorting what several passes found."""
        return {el: i for i, el in enumerate(self.elements)}

    @cached_property
    def classed(self) -> list[tuple[object, str]]:
        """(element, "class id") for the elements that have either: what class hints look at."""
        out = []
        # XPath picks them in C; the proxies exist already (self.elements holds them).
        self.elements  # noqa: B018
        for el in self.body.xpath("descendant-or-self::*[@class or @id]"):
            cls, ident = el.get("class"), el.get("id")
            if cls or ident:
                out.append((el, f"{cls or ''} {ident or ''}"))
        return out

    @cached_property
    def _classed_index(self) -> tuple[str, list[int]]:
        starts, parts, pos = [], [], 0
        for _, sig in self.classed:
            starts.append(pos)
            parts.append(sig.lower())
            pos += len(sig) + 1
        return "\n".join(parts), starts

    def classed_matching(self, pattern: re.Pattern, keywords: tuple[str, ...]) -> list:
        """Elements whose "class id" matches `pattern`, in document order.

        `keywords` are lowercase substrings one of which any match contains: str.find
        over all class strings at once picks the few candidates the regex then checks.
        A regex per element was the largest cost of parsing a page.
        """
        joined, starts = self._classed_index
        candidates = set()
        for word in keywords:
            at = joined.find(word)
            while at != -1:
                candidates.add(bisect.bisect_right(starts, at) - 1)
                at = joined.find(word, at + 1)
        return [self.classed[i][0] for i in sorted(candidates) if pattern.search(self.classed[i][1])]

    @cached_property
    def text(self) -> str:
        """The visible text of the whole body, once (dates, language and lead checks share it)."""
        return text_of(self.body)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """Meta tag contents by lowercased name, property, itemprop or http-equiv, in page order."""
        found: dict[str, list[str]] = {}
        for el in self.tree.iter("meta"):
            content = el.get("content")
            if content is None:
                continue
            for attr in ("name", "property", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key:
                    found.setdefault(key.strip().lower(), []).append(clean_markup_text(content))
        return found

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name.lower(), ()):
                if value:
                    return value
        return None

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, with @graph members flattened out."""
        objects: list[dict[str, Any]] = []
        for script in self.tree.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            raw = (script.text or "").strip()
            if not raw:
                continue
            data = _loads_lenient(raw)
            if data is not None:
                objects.extend(_flatten_ld(data))
        return objects

    def jsonld_of_type(self, *types: str) -> list[dict[str, Any]]:
        wanted = {t.lower() for t in types}
        out = []
        for obj in self.jsonld:
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in wanted for k in kinds):
                out.append(obj)
        return out

    @cached_property
    def title(self) -> str:
        el = self.tree.find(".//title")
        return clean(el.text_content()) if el is not None else ""

    @cached_property
    def lang(self) -> str | None:
        value = self.tree.get("lang") or self.tree.get("xml:lang") or self.tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        return clean(value) or None

    @cached_property
    def comments(self) -> list[str]:
        return [c.text or "" for c in self.tree.iter(etree.Comment)]


# JSON-LD nested deeper than this is cut there (schema.org objects nest a few levels; a
# 1,000-level document raised RecursionError in whatever field walked it).
MAX_JSONLD_DEPTH = 32


def _loads_lenient(raw: str) -> Any:
    raw = raw.removeprefix("<!--").removesuffix("-->").strip()
    raw = raw.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        return _prune(json.loads(raw))
    except RecursionError:
        return None  # nested past what the decoder can even read: no usable object in it
    except ValueError:
        pass
    # Control characters inside strings and trailing commas are the usual breakage.
    try:
        return _prune(json.loads(re.sub(r",\s*([}\]])", r"\1", _CONTROL.sub(" ", raw)), strict=False))
    except (ValueError, RecursionError):
        return None


def _prune(data: Any, depth: int = 0) -> Any:
    """The data with whatever lies deeper than MAX_JSONLD_DEPTH replaced by None."""
    if depth >= MAX_JSONLD_DEPTH:
        return None if isinstance(data, (dict, list)) else data
    if isinstance(data, dict):
        return {k: _prune(v, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [_prune(v, depth + 1) for v in data]
    return data


def _flatten_ld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten_ld(graph, depth + 1)
        if "@type" in data:
            yield data
