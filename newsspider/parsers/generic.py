"""The parser for any news page, and the base class every site parser overrides."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property

from ..items import ImageCredit, RelatedLink
from .base import BaseParser
from .blocks import Content, split_content
from .text import clean, clean_markup_text, or_none, strip_title_suffix, tag_of, text_of
from .urls import absolute, same_site, strip_tracking

ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                 "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "WebPage")
_BOILERPLATE = re.compile(r"comment|share|social|footer|header|nav|menu|sidebar|related|promo|advert|newsletter|cookie|banner", re.I)


class GenericParser(BaseParser):
    site = "generic"

    # ---- shared precomputations -------------------------------------------------
    @cached_property
    def ld_article(self) -> dict:
        objs = self.page.jsonld_of_type(*ARTICLE_TYPES)
        # Prefer a real article type over a WebPage wrapper.
        objs.sort(key=lambda o: "WebPage" in str(o.get("@type")))
        return objs[0] if objs else {}

    @cached_property
    def content_container(self):
        """The element holding the article text: the one with the most paragraph text."""
        best, best_score = None, 0
        for el in self.page.body.iter("div", "article", "section", "main", "td"):
            if _BOILERPLATE.search(f"{el.get('class', '')} {el.get('id', '')}"):
                continue
            score = sum(len(text_of(p)) for p in el if tag_of(p) == "p")
            if score > best_score:
                best, best_score = el, score
        return best

    @cached_property
    def content(self) -> Content:
        if self.content_container is None:
            return Content()
        return split_content(self.content_container)

    # ---- fields ------------------------------------------------------------------
    def url(self) -> str:
        return self.page.url

    def canonical_url(self) -> str | None:
        for el in self.page.tree.iter("link"):
            if "canonical" in (el.get("rel") or "").lower().split():
                href = absolute(el.get("href"), self.page.url)
                if href and same_site(href, self.page.url):
                    return strip_tracking(href)
        og = absolute(self.page.meta_first("og:url"), self.page.url)
        if og and same_site(og, self.page.url):
            return strip_tracking(og)
        return strip_tracking(self.page.url)

    def site(self) -> str | None:
        return self.site_name_from_host(self.page.host)

    @staticmethod
    def site_name_from_host(host: str) -> str | None:
        return host.removeprefix("www.") or None

    def section(self) -> str | None:
        return or_none(self.page.meta_first("article:section")) or or_none(_ld_text(self.ld_article.get("articleSection")))

    def language(self) -> str | None:
        lang = self.page.lang or self.page.meta_first("content-language", "og:locale", "language", "dc.language")
        lang = lang or _ld_text(self.ld_article.get("inLanguage"))
        if not lang:
            return None
        return clean(lang).replace("_", "-").split("-")[0].lower() or None

    def headline(self) -> str | None:
        for candidate in (
            _ld_text(self.ld_article.get("headline")),
            self.page.meta_first("og:title", "twitter:title"),
        ):
            if candidate:
                return clean_markup_text(candidate)
        h1 = self.page.body.find(".//h1")
        if h1 is not None and text_of(h1):
            return text_of(h1)
        return or_none(strip_title_suffix(self.page.title))

    def body(self) -> str | None:
        return "\n\n".join(self.content.paragraphs) or None

    def published_at(self) -> str | None:
        return _iso(_ld_text(self.ld_article.get("datePublished")) or self.page.meta_first(
            "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued", "dc.date"
        ), self.page.now)

    def updated_at(self) -> str | None:
        return _iso(_ld_text(self.ld_article.get("dateModified")) or self.page.meta_first(
            "article:modified_time", "og:updated_time", "datemodified", "last-modified"
        ), self.page.now)

    def updated_at_raw(self) -> str | None:
        return None

    def authors(self) -> list[str]:
        names: list[str] = []
        raw = self.ld_article.get("author")
        for item in raw if isinstance(raw, list) else [raw]:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and clean_markup_text(name):
                names.append(clean_markup_text(name))
        if not names and (meta := self.page.meta_first("author", "article:author", "dc.creator")):
            if not meta.startswith("http"):
                names.append(meta)
        return list(dict.fromkeys(names))

    def image_credits(self) -> list[ImageCredit]:
        return self.content.credits

    def related_links(self) -> list[RelatedLink]:
        return []


def _ld_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return value if isinstance(value, str) else None


def _iso(value: str | None, now: datetime) -> str | None:
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
    if aware > now:
        return None
    return moment.isoformat()
