"""Reading schema.org JSON-LD values, which come as strings, lists, or nested objects."""

from __future__ import annotations

from typing import Any, Iterator

from .text import clean_markup_text

ARTICLE_TYPES = (
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "OpinionNewsArticle",
    "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "TechArticle", "ScholarlyArticle",
    "SatiricalArticle", "Report", "AdvertiserContentArticle", "MediaObject", "VideoObject",
)


def text(value: Any) -> str | None:
    """The first string in a value that may be a list or a {"name"/"@value"} object."""
    if isinstance(value, list):
        for item in value:
            found = text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return clean_markup_text(value) or None
    return None


def items(value: Any) -> Iterator[Any]:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            if item is not None:
                yield item
    else:
        yield value


def types_of(obj: dict) -> set[str]:
    kinds = obj.get("@type")
    return {k for k in items(kinds) if isinstance(k, str)}


def names(value: Any) -> list[str]:
    """Names of people or organisations: "A", ["A", "B"], {"name": "A"}, [{"@type": "Person", "name": ...}]."""
    out: list[str] = []
    for item in items(value):
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(n for n in name if isinstance(n, str))
            if not isinstance(name, str) and (item.get("givenName") or item.get("familyName")):
                name = f"{item.get('givenName') or ''} {item.get('familyName') or ''}"
            if isinstance(name, str) and clean_markup_text(name):
                out.append(clean_markup_text(name))
        elif isinstance(item, str) and clean_markup_text(item):
            out.append(clean_markup_text(item))
    return out
