"""The parser for any news page, and the base class every site parser overrides.

The page is parsed once (Page: lxml tree, JSON-LD, meta tags); each field is one
method, so a site parser overrides exactly the fields its site gets wrong.
"""

from __future__ import annotations

from functools import cached_property

from ..items import ImageCredit, RelatedLink
from . import authors as bylines
from . import figures, headline, jsonld, language, related
from .base import BaseParser
from .blocks import Content, reads_as_prose, split_content
from .body import article_body, cluster_container
from .text import or_none, text_of
from .timestamps import PageDates, ensure_order, to_iso
from .urls import absolute, same_site, strip_tracking


class GenericParser(BaseParser):
    """The parser for any site. A site parser overrides only what its site gets wrong:

    - a field method (items.PARSED_FIELDS: headline, body, published_at, ...), or
    - one of HOOKS, the named precomputations every field builds on:
      `content_container` (the element holding the article's paragraphs: body, captions and
      related links are told apart by it), `content` (that element split into paragraphs and
      credits), `wants_fallback` (whether an empty field takes the generic answer).

    Anything else here is an internal of the generic parser and may change under a site.
    """

    # Named hooks a site parser may override besides the field methods (tests/test_parser_versions.py checks).
    HOOKS: tuple[str, ...] = ("content_container", "content", "wants_fallback")

    # ---- the per-field fallback of site parsers --------------------------------------------
    @cached_property
    def generic(self) -> GenericParser:
        """The generic extractor on the same page (parsed once, shared), free of the site's overrides."""
        return GenericParser(self.page)

    def fallback(self, name: str):
        """A site parser's empty field gets the generic answer; the generic parser itself has no second opinion."""
        if getattr(type(self), name) is getattr(GenericParser, name):
            return None
        value = getattr(self.generic, name)()
        if name == "body" and value and not any(reads_as_prose(p) for p in value.split("\n\n")):
            # On a page with no text in its markup (written by a script) the generic extractor returns
            # the page's chrome, menu words and link titles: no article is better than that one.
            return None
        return value

    # ---- shared precomputations ------------------------------------------------------
    @cached_property
    def ld_objects(self) -> list[dict]:
        return self.page.jsonld_of_type(*jsonld.ARTICLE_TYPES)

    @cached_property
    def ld_article(self) -> dict:
        objs = [o for o in self.ld_objects if not {"VideoObject", "MediaObject"} & jsonld.types_of(o)] or self.ld_objects
        # The object with a headline and a date is the article; a bare one may be a teaser.
        objs = sorted(objs, key=lambda o: (not o.get("headline"), not o.get("datePublished")))
        return objs[0] if objs else {}

    @cached_property
    def site_names(self) -> list[str]:
        names = [self.page.meta_first("og:site_name"), self.page.meta_first("application-name"), self.page.meta_first("twitter:site")]
        publisher = self.ld_article.get("publisher")
        names.extend(jsonld.names(publisher))
        for obj in self.page.jsonld_of_type("WebSite", "Organization", "NewsMediaOrganization"):
            names.extend(jsonld.names(obj))
        return [n.lstrip("@") for n in names if n]

    @cached_property
    def title_candidates(self) -> dict[str, str | None]:
        sections = [self.page.meta_first("article:section"), jsonld.text(self.ld_article.get("articleSection"))]
        strip = lambda t: headline.strip_site_name(t, self.page.url, self.site_names, [s for s in sections if s])  # noqa: E731
        h1 = next((t for t in (text_of(h) for h in self.page.body.iter("h1")) if t), None)
        return {
            "ld": strip(jsonld.text(self.ld_article.get("headline")) or jsonld.text(self.ld_article.get("name"))),
            "og": strip(self.page.meta_first("og:title")),
            "h1": h1,
            "twitter": strip(self.page.meta_first("twitter:title")),
            "title": strip(self.page.title),
        }

    @cached_property
    def content_container(self):
        """The element holding the article's paragraphs (for captions and to tell related links apart)."""
        return cluster_container(self.page)

    @cached_property
    def content(self) -> Content:
        if self.content_container is None:
            return Content()
        return split_content(self.content_container)

    @cached_property
    def dates(self) -> PageDates:
        return PageDates(self.page, self.ld_article, languages=[self.language()] if self.language() else None)

    @cached_property
    def _published_updated(self):
        published, updated = self.dates.published(), self.dates.updated()
        return ensure_order(published.moment if published else None, updated.moment if updated else None)

    # ---- fields ----------------------------------------------------------------------
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
        return self.name or self.page.host.removeprefix("www.") or None

    def section(self) -> str | None:
        return or_none(self.page.meta_first("article:section")) or or_none(jsonld.text(self.ld_article.get("articleSection")))

    def language(self) -> str | None:
        return self._language

    @cached_property
    def _language(self) -> str | None:
        declared = (
            self.page.lang
            or self.page.meta_first("og:locale", "content-language", "language", "dc.language")
            or jsonld.text(self.ld_article.get("inLanguage"))
        )
        return language.normalise(declared) or language.detect(self.page.text)

    def headline(self) -> str | None:
        return headline.choose(self.title_candidates)

    def body(self) -> str | None:
        leads = [
            self.page.meta_first("og:description"),
            jsonld.text(self.ld_article.get("description")),
            self.page.meta_first("description"),
        ]
        return article_body(
            self.page,
            titles=[t for t in self.title_candidates.values() if t],
            leads=[x for x in leads if x],
            container=self.content_container,
            captions=self._caption_texts,
        )

    @cached_property
    def _caption_texts(self) -> list[str]:
        """What the page shows under its images: captions and credit lines, which are not body text."""
        texts = [text_of(el) for el in self.page.body.iter("figcaption")]
        for credit in self.image_credits():
            texts.extend(credit.get(k) or "" for k in ("caption", "raw"))
            if credit.get("caption") and credit.get("raw"):
                texts.append(f"{credit['caption']} {credit['raw']}")
        return [t for t in texts if t]

    def published_at(self) -> str | None:
        published, _ = self._published_updated
        return to_iso(published) if published else None

    def updated_at(self) -> str | None:
        _, updated = self._published_updated
        return to_iso(updated) if updated else None

    def updated_at_raw(self) -> str | None:
        return self.dates.updated_line()

    def authors(self) -> list[str]:
        return self._credited[0]

    def agencies(self) -> list[str]:
        """The news agencies credited where the authors are (the people are in `authors`)."""
        return self._credited[1]

    @cached_property
    def _credited(self) -> tuple[list[str], list[str]]:
        """JSON-LD, then meta tags, then the visible byline; a publisher named as author defers to a byline."""
        is_site = lambda name: headline.names_site(name, self.page.url, self.site_names)  # noqa: E731
        declared = [n for raw in (jsonld.names(self.ld_article.get("author")) or jsonld.names(self.ld_article.get("creator")))
                    for n in bylines.split_names(raw)]
        declared = declared or [n for raw in self._meta_authors() for n in bylines.split_names(raw)]
        if declared and not all(is_site(n) for n in declared):
            return bylines.credited([n for n in declared if not is_site(n)])
        if declared:
            # The publisher named as author ("LTO", "Deutsche Welle") is kept: preferring a byline
            # person over it helped one fold of publishers only (docs/EVALUATION.md).
            return bylines.credited(declared)
        return bylines.credited(bylines.from_bylines(self.article_scope))

    def _meta_authors(self) -> list[str]:
        meta = self.page.meta_first("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
        return [meta] if meta and not meta.startswith("http") else []

    @cached_property
    def article_scope(self):
        """The smallest element holding both the headline and the text: where bylines live."""
        h1 = next(self.page.body.iter("h1"), None)
        container = self.content_container
        if h1 is None or container is None:
            return self.page.body
        h1_line = set(h1.iterancestors())
        for ancestor in container.iterancestors():
            if ancestor in h1_line:
                return ancestor
        return self.page.body

    def image_credits(self) -> list[ImageCredit]:
        return list(self._image_credits)

    @cached_property
    def _image_credits(self) -> list[ImageCredit]:
        # Asked twice per page (the body leaves the captions out): the figures are walked once.
        found = figures.merge(figures.figure_credits(self.page), [c for c in self.content.credits if c.get("raw")])
        known = " | ".join(
            " ".join(str(c.get(k) or "") for k in ("raw", "agency", "photographer")) for c in found
        ).casefold()
        extra = [c for c in figures.jsonld_credits(self.ld_objects) if (c.get("raw") or "").casefold() not in known]
        return figures.merge(found, extra)

    def related_links(self) -> list[RelatedLink]:
        return related.related_links(self.page, exclude=self.content_container)
