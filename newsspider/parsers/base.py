"""The parser protocol: one method per Article field, a registry keyed by host."""

from __future__ import annotations

from typing import ClassVar

from ..items import PARSED_FIELDS, Article
from .page import Page, ParseError
from .text import section_name

_REGISTRY: dict[str, type[BaseParser]] = {}


class BaseParser:
    """Subclass it (usually through GenericParser) and override the fields that differ.

    A subclass that sets `hosts` is registered for them on import: adding a site
    is one new module in newsspider/parsers/sites/, with no list to edit.
    """

    # The archive's `site` value for pages this parser handles; None: named after the host.
    name: ClassVar[str | None] = None
    hosts: ClassVar[tuple[str, ...]] = ()

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
        for host in cls.__dict__.get("hosts", ()):
            host = host.lower()
            other = _REGISTRY.get(host)
            if other is not None and other.__qualname__ != cls.__qualname__:
                raise RuntimeError(f"host {host} claimed by both {other.__name__} and {cls.__name__}")
            _REGISTRY[host] = cls

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
    return dict(_REGISTRY)


def parser_for_host(host: str) -> type[BaseParser] | None:
    host = (host or "").lower().rstrip(".")
    while host:
        if host in _REGISTRY:
            return _REGISTRY[host]
        # www.example.com falls back to example.com.
        _, _, host = host.partition(".")
    return None
