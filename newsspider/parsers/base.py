"""The parser protocol: one method per Article field, a registry keyed by host."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from ..items import PARSED_FIELDS, Article
from .page import Page, ParseError
from .text import section_name

# Host -> the site's parser versions, oldest first; the current one (VALID_UNTIL None) last.
_REGISTRY: dict[str, list[type[BaseParser]]] = {}


class BaseParser:
    """Subclass it (usually through GenericParser) and override the fields that differ.

    A subclass that sets `hosts` is registered for them on import: adding a site
    is one new package in newsspider/sites/ (its parser.py), with no list to edit.
    """

    # The archive's `site` value for pages this parser handles; None: named after the host.
    name: ClassVar[str | None] = None
    hosts: ClassVar[tuple[str, ...]] = ()
    # Dated versions, as Fundus' VALID_UNTIL: a version reads pages fetched before this day; the
    # current one has None. When a site changes its template, the old parser stays as it was
    # (a subclass or sibling with VALID_UNTIL set) and the current one reads only the new layout.
    VALID_UNTIL: ClassVar[date | None] = None

    # Fields that, when this parser finds nothing, take the generic extractor's answer instead
    # (see GenericParser.fallback): a redesign then degrades a site to generic quality, not to null.
    FALLBACK_FIELDS: ClassVar[tuple[str, ...]] = (
        "headline", "body", "published_at", "updated_at", "updated_at_raw", "image_credits", "related_links",
    )

    def __init__(self, page: Page):
        self.page = page
        # Field name -> the error that cost it, for the caller to count (parse_page's field_errors).
        self.field_errors: dict[str, str] = {}

    def fallback(self, name: str):
        """Another parser's answer for a field this one found empty; None: no other opinion."""
        return None

    def wants_fallback(self, name: str) -> bool:
        """False when an empty answer is a decision (a line seen and refused), not a miss."""
        return True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A version names its hosts, or inherits them when it only sets its own VALID_UNTIL.
        if "hosts" not in cls.__dict__ and "VALID_UNTIL" not in cls.__dict__:
            return
        for host in cls.hosts:
            host = host.lower()
            versions = [v for v in _REGISTRY.get(host, []) if v.__qualname__ != cls.__qualname__ or v.__module__ != cls.__module__]
            for other in versions:
                if other.VALID_UNTIL == cls.VALID_UNTIL:
                    raise RuntimeError(f"host {host} claimed by both {other.__name__} and {cls.__name__}"
                                       f" (valid until {cls.VALID_UNTIL or 'now'})")
            versions.append(cls)
            versions.sort(key=lambda v: (v.VALID_UNTIL is None, v.VALID_UNTIL or date.min))
            _REGISTRY[host] = versions

    @classmethod
    def version(cls) -> str:
        """The version's name for the archive: "current", or the last day it was valid for."""
        return cls.VALID_UNTIL.isoformat() if cls.VALID_UNTIL else "current"

    def article(self) -> Article:
        """The article, each field from its method; a method that raises costs that field only.

        A failed field takes its empty value (None, or []) and is named in `field_errors`, which
        the crawl counts (newsspider/field_errors/<field>) and logs: a bug in one field is seen,
        and the page's other fields, its body above all, are kept. The page itself failing
        (ParseError from Page) is still the whole parse failing.
        """
        values, fell_back = {}, []
        for name in PARSED_FIELDS:
            try:
                values[name] = getattr(self, name)()
                if not values[name] and name in self.FALLBACK_FIELDS and self.wants_fallback(name):
                    other = self.fallback(name)
                    if other:
                        values[name] = other
                        fell_back.append(name)
            except ParseError:
                raise
            except Exception as exc:
                self.field_errors[name] = f"{type(self).__name__}.{name}: {exc!r}"[:300]
        if values.get("section"):
            values["section"] = section_name(values["section"])
        if "url" in self.field_errors:
            raise ParseError(f"no URL: {self.field_errors['url']}")
        return Article(**values, fallback_fields=fell_back)


def registered_hosts() -> dict[str, type[BaseParser]]:
    """Host -> its current parser version."""
    return {host: versions[-1] for host, versions in _REGISTRY.items()}


def registered_versions() -> dict[str, list[type[BaseParser]]]:
    """Host -> every parser version, oldest first."""
    return {host: list(versions) for host, versions in _REGISTRY.items()}


def parser_for_host(host: str, at: date | datetime | None = None) -> type[BaseParser] | None:
    """The host's parser version for a page fetched `at` (default: the current version)."""
    host = (host or "").lower().rstrip(".")
    while host:
        if host in _REGISTRY:
            return _pick(_REGISTRY[host], at)
        # www.example.com falls back to example.com.
        _, _, host = host.partition(".")
    return None


def _pick(versions: list[type[BaseParser]], at: date | datetime | None) -> type[BaseParser]:
    if at is None:
        return versions[-1]
    day = at.date() if isinstance(at, datetime) else at
    for version in versions:
        if version.VALID_UNTIL is None or day < version.VALID_UNTIL:
            return version
    # Only dated versions and a fetch after all of them: the newest one is the best guess.
    return versions[-1]
