"""People's Daily Online in French: french.peopledaily.com.cn (alias french.people.com.cn).

Anchored on what the text says as much as on class names, which change between
templates: the "Dernière mise à jour à 13h34 le 19/06" line, the credit
parenthesis at the end of captions, the <!--enpcontent--> markers of the CMS,
and the WeChat block that sits beside the related-articles list.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from functools import cached_property
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from ...items import RelatedLink
from ...parsers.blocks import Block, Content, prose_container, split_content
from ...parsers import vocab
from ...parsers.dates import url_date
from ...parsers.generic import GenericParser
from ...parsers.text import BLOCK, clean, strip_title_suffix, tag_of, text_of
from ...parsers.urls import absolute
from . import ARTICLE_LINK, ARTICLE_PATH, CANONICAL_HOST, HOSTS, NAME, canonical
from .dates import find_fr_update_line, parse_cms_timestamp, resolve_update_line

WECHAT = re.compile(r"wechat|weixin|code\s+QR|微信", re.I)
SITE_NAMES = ("peopledaily.com.cn", "people.com.cn", "Quotidien du Peuple")

_ENPCONTENT = re.compile(r"<!--\s*enpcontent\s*-->(?P<html>.*?)<!--\s*/\s*enpcontent\s*-->", re.S | re.I)
_ENPPROPERTY = re.compile(r"<(?P<key>\w+)>(?P<value>[^<]*)</(?P=key)>")
_CONTENT_HINT = ("p_content", "rwb_zw", "d2txt", "rm_txt_con", "txt_con", "box_con", "show_text", "article")
_CHROME = re.compile(r"zdfy|share|wechat|weixin|editor|\bad[_-]|pagination|page_n", re.I)
_RELATED_HINT = re.compile(r"related|xgxw|relevant|lire|same|liens|connexe", re.I)
_RELATED_HEADINGS = (*vocab.RELATED_HEADINGS_FR, r"dans\s+la\s+m[êe]me\s+rubrique")
_RELATED_HEADING = re.compile(rf"^(?:{'|'.join(_RELATED_HEADINGS)})\b", re.I)
# Lines the site writes around its articles, in its own words.
# The WeChat block's own lines, not a related title that mentions WeChat.
_WECHAT_BLOCK = re.compile(r"nous\s+suivre\s+sur|scannez|code\s+QR|rejoindre\s+sur\s+la\s+messagerie|微信", re.I)
_READ_ALSO = re.compile(r"^(?:[àa]\s+)?(?:lire|voir)\s+(?:aussi|[ée]galement)\s*[:：-]", re.I)
_READ_ALSO_WORDS = re.compile(r"^(?:[àa]\s+)?(?:lire|voir)\s+(?:aussi|[ée]galement)\b", re.I)
_AD_LABEL = re.compile(r"^(?:publicit[ée]|annonce|advertisement|sponsoris[ée])$", re.I)
_SHARE_WORDS = (r"(?:partager|partagez|share|facebook|twitter|x|weibo|wechat|linkedin|whatsapp|telegram|imprimer|e-?mail|envoyer|"
                r"copier\s+le\s+lien|sur|a\+|a-)")
_SHARE_LINE = re.compile(rf"^(?:{_SHARE_WORDS}\s*[:|,/·]?\s*)+$", re.I)
_NEWSLETTER = re.compile(r"newsletter|lettre\s+d['’]information|abonnez-vous|inscrivez-vous", re.I)
# The footer's rights line; "© Xinhua/Li Bo" under an image is a credit, not the footer.
_COPYRIGHT = re.compile(r"^copyright\b|^©\s*(?:\d{4}|people|le\s+quotidien)|tous\s+droits\s+r[ée]serv[ée]s|all\s+rights\s+reserved", re.I)
_SIDEBAR_HEADING = re.compile(r"les\s+plus\s+lus|en\s+images|les\s+plus\s+populaires|derni[èe]res?\s+(?:nouvelles|infos)|"
                              r"[àa]\s+la\s+une|vid[ée]os?", re.I)
_HEADING_LINE = re.compile(rf"^(?:{_RELATED_HEADING.pattern.lstrip('^')}|{_SIDEBAR_HEADING.pattern})\s*[:：]?$", re.I)
_RELATED_LINE = re.compile(rf"^(?:{_RELATED_HEADING.pattern.lstrip('^')})\s*[:：]?$", re.I)


class PeopleFrParser(GenericParser):
    name = NAME
    hosts = HOSTS

    @cached_property
    def canonical(self) -> str:
        return canonical(self.page.url)

    @cached_property
    def enpproperty(self) -> dict[str, str]:
        for comment in self.page.comments:
            if comment.lstrip().startswith("enpproperty"):
                return {m["key"].lower(): clean(m["value"]) for m in _ENPPROPERTY.finditer(comment)}
        return {}

    @cached_property
    def content_container(self):
        match = _ENPCONTENT.search(self.page.html)
        if match and clean(match["html"]):
            fragment = lxml.html.fragment_fromstring(match["html"], create_parent="div")
            if text_of(fragment):
                return fragment
        for hint in _CONTENT_HINT:
            for el in self.page.body.iter():
                if not isinstance(el.tag, str):
                    continue
                if el.get("id") == hint or hint in (el.get("class") or "").split():
                    if text_of(el):
                        return el
        # No marker and no known class: the element with the most prose, however it is marked up.
        prose = prose_container(self.page.body)
        return prose if prose is not None else super().content_container

    @cached_property
    def content(self) -> Content:
        if self.content_container is None:
            return Content()
        return split_content(self.content_container, skip=_is_chrome, select=self._article_blocks)

    def _article_blocks(self, blocks: list[Block]) -> list[Block]:
        """The blocks of the container that are the article, told by what they say.

        A container found by its prose may also hold the headline, the update line, share
        buttons, a newsletter box, an inline "Lire aussi : …" line and, after the related
        heading, the related list and the footer.
        """
        headline = self.headline()
        out: list[Block] = []
        prose_seen = False
        for block in blocks:
            if block.kind != "text":
                out.append(block)
                continue
            text = block.text
            if _HEADING_LINE.match(text) or _COPYRIGHT.match(text):
                if prose_seen:
                    break  # the text is over: what follows is the related list, a sidebar or the footer
                continue
            if (
                text == headline
                or (len(text) < 200 and block.link_chars >= 0.7 * len(text))
                or (len(text) < 300 and _READ_ALSO.match(text))
                or (len(text) < 300 and _READ_ALSO_WORDS.match(text) and block.link_chars >= 0.5 * len(text))
                or _AD_LABEL.match(text)
                or _SHARE_LINE.match(text)
                or (len(text) < 250 and _NEWSLETTER.search(text))
                or _is_update_line(text)
            ):
                continue
            prose_seen = prose_seen or len(text.split()) >= 8
            out.append(block)
        if self.page.truncated:
            # A page cut short ends in the middle of its last paragraph: keep only the complete ones.
            last = next((i for i in range(len(out) - 1, -1, -1) if out[i].kind == "text"), None)
            if last is not None and self.page.text.endswith(out[last].text):
                del out[last]
        return out

    def canonical_url(self) -> str:
        return self.canonical

    def body(self) -> str | None:
        return "\n\n".join(self.content.paragraphs) or None

    def image_credits(self):
        return self.content.credits

    def language(self) -> str:
        return super().language() or "fr"

    def section(self) -> str | None:
        match = ARTICLE_PATH.match(urlsplit(self.page.url).path)
        if match:
            return match["section"]
        return self.enpproperty.get("nodename") or super().section()

    def headline(self) -> str | None:
        return self._headline

    @cached_property
    def _headline(self) -> str | None:
        title = _strip_print_suffix(strip_title_suffix(self.page.title, site_names=SITE_NAMES))
        told = [t for t in (title, self.enpproperty.get("title"), self.page.meta_first("og:title")) if t]
        # The article's heading, whatever its tag (<h1>, an <h2> in a print view): the one the
        # <title> or the CMS agrees with. A logo may sit in an <h1> too.
        headings = [(tag_of(h), t) for h in self.page.body.iter("h1", "h2", "h3") if (t := text_of(h))]
        for _, text in headings:
            if any(text == t or (len(text) > 15 and (text in t or t in text)) for t in told):
                return text
        h1s = [t for tag, t in headings if tag == "h1"]
        if h1s and not told:
            return h1s[0]
        return self.enpproperty.get("title") or self.page.meta_first("og:title") or title or (h1s[0] if h1s else None)

    @cached_property
    def update_line(self):
        return find_fr_update_line(self.page.text)

    def wants_fallback(self, name: str) -> bool:
        # The site's own update line, seen but refused (a date after the fetch, an impossible
        # day), is an answer: a date from elsewhere would contradict the line the page prints.
        if name in ("updated_at", "updated_at_raw") and self.update_line is not None:
            return False
        return True

    def updated_at_raw(self) -> str | None:
        return self.update_line.raw if self.update_line else None

    def updated_at(self) -> str | None:
        if not self.update_line:
            return None
        published = self.published_at()
        return resolve_update_line(self.update_line, url_date(self.page.url), now=self.page.now,
                                   published=datetime.fromisoformat(published) if published else None)

    def published_at(self) -> str | None:
        stamp = parse_cms_timestamp(self.enpproperty.get("date", "")) or parse_cms_timestamp(
            self.page.meta_first("publishdate") or ""
        )
        if stamp and datetime.fromisoformat(stamp) <= self.page.now:
            return stamp
        return None

    def authors(self) -> list[str]:
        author = self.enpproperty.get("author", "")
        # The <meta name="author"> holds an internal code such as "F_233", not a name.
        return [author] if author and not re.fullmatch(r"[A-Z]_\d+", author) else []

    # ---- related articles ----------------------------------------------------------
    @cached_property
    def related_container(self):
        content = self.content_container
        body = self.page.body
        in_content = _descendants_of(content) if content is not None and content.getroottree() is body.getroottree() else set()

        def usable(el) -> bool:
            return el not in in_content and _article_links(el) and not _is_sidebar(el)

        for el in body.iter():
            if (isinstance(el.tag, str) and tag_of(el) not in ("body", "html")
                    and _RELATED_HINT.search(f"{el.get('class', '')} {el.get('id', '')}") and usable(el)):
                return el
        # The heading's wording, whatever tag carries it ("<b>A lire aussi</b>" before a plain list).
        # The whole line must be the heading: "Lire aussi : <a>…</a>" inside the text is not one.
        for el in body.iter("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong", "b", "font", "em", "td", "li"):
            if len(el) > 3 or not _RELATED_LINE.match(text_of(el)):
                continue
            heading = el
            # A heading wrapped alone in a <p> or <div>: the list follows the wrapper.
            while heading.getnext() is None and heading.getparent() is not None and len(text_of(heading.getparent())) == len(text_of(el)):
                heading = heading.getparent()
            following = _links_after(heading)
            # "<strong>A lire aussi</strong> <a>…</a>" inside a paragraph is one link in the text, not the
            # list: a heading that shares its line with what follows must introduce several links.
            if following is not None and (_alone_on_its_line(heading) or sum(1 for a in following.iter("a") if _article_links(a)) >= 2):
                return following
        # The WeChat tip sits next to the related list: climb from it to the list.
        for el in body.iter():
            if isinstance(el.tag, str) and el.text and WECHAT.search(el.text):
                node = el.getparent()
                for _ in range(4):
                    if node is None or tag_of(node) == "body":
                        break
                    if usable(node):
                        return node
                    node = node.getparent()
        # Last resort: the first list of article links after the body, outside the sidebar.
        anchor = self.content_anchor
        if anchor is None:
            return None
        inside = _descendants_of(anchor)
        passed = False
        for el in body.iter():
            if el is anchor:
                passed = True
                continue
            if not passed or el in inside or tag_of(el) not in ("ul", "ol"):
                continue
            if usable(el) and not any(_is_sidebar(a) for a in el.iterancestors()):
                return el
        return None

    @cached_property
    def content_anchor(self):
        """The element of the page that holds the article text (the fragment is a copy)."""
        content = self.content_container
        if content is not None and content.getroottree() is self.page.body.getroottree():
            return content
        for comment in self.page.tree.iter(etree.Comment):
            if re.match(r"\s*enpcontent\s*$", comment.text or "", re.I):
                return comment.getparent()
        return None

    def related_links(self) -> list[RelatedLink]:
        if self.related_container is None:
            return []
        links: list[RelatedLink] = []
        seen = set()
        for a in self.related_container.iter("a"):
            title = _card_title(a) or clean(a.get("title"))
            url = absolute(a.get("href"), self.canonical)
            # Only the site's articles: section pages, share and social links are not related articles.
            if not title or not url or _WECHAT_BLOCK.search(title):
                continue
            url = canonical(url)
            if urlsplit(url).hostname != CANONICAL_HOST or not ARTICLE_LINK.search(urlsplit(url).path) or url in seen:
                continue
            seen.add(url)
            links.append(RelatedLink(title=title, url=url))
        return links


def _alone_on_its_line(el) -> bool:
    """Is `el` a line of its own (a heading), not words inside a line of text ("<b>A lire aussi</b> <a>…</a>")?"""
    def edge(node) -> bool:
        return node is None or tag_of(node) == "br" or tag_of(node) in BLOCK

    if clean(el.tail) or not edge(el.getnext()):
        return False
    prev, parent = el.getprevious(), el.getparent()
    before = clean(prev.tail) if prev is not None else clean(parent.text if parent is not None else "")
    return not before and edge(prev)


def _links_after(heading):
    """The element holding the links the heading introduces: a sibling list, or the links that follow it plainly."""
    plain = lxml.html.Element("div")
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if _HEADING_LINE.match(text_of(sibling)) and not _RELATED_LINE.match(text_of(sibling)):
            break  # the next box ("Les plus lus") begins
        if tag_of(sibling) == "a":
            plain.append(copy.copy(sibling))
            continue
        if _article_links(sibling):
            if len(plain):
                break
            return sibling
        if len(text_of(sibling)) > 300:
            break
    if len(plain):
        return plain
    parent = heading.getparent()
    if parent is not None and tag_of(parent) not in ("body", "html") and _article_links(parent) and len(text_of(parent)) < 3000:
        return parent
    return None


_DATE_TAIL = re.compile(r"\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})(?:\s+\d{1,2}[:h]\d{2})?\s*$")
_DATE_ONLY = re.compile(r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})(?:\s+\d{1,2}[:h]\d{2})?\s*$")


def _card_title(a) -> str:
    """A link's title, a card reduced to it: its heading or first text piece, without the date glued after it or the summary."""
    pieces = []
    if a.text and clean(a.text):
        pieces.append((None, clean(a.text)))
    for child in a:
        if isinstance(child.tag, str) and (text := text_of(child)):
            pieces.append((child, text))
        if child.tail and clean(child.tail):
            pieces.append((None, clean(child.tail)))
    for child, text in pieces:
        if child is not None and (tag_of(child) in ("h2", "h3", "h4", "h5", "strong") or re.search(r"tit", child.get("class") or "", re.I)):
            return _DATE_TAIL.sub("", text)
    for _, text in pieces:
        if not _DATE_ONLY.match(text):
            return _DATE_TAIL.sub("", text) or text
    return ""


_PRINT_SUFFIX = re.compile(r"\s*[-|–—]\s*(?:version\s+imprimable|imprimer|print(?:able)?\s+version)\b.*$", re.I)


def _strip_print_suffix(title: str) -> str:
    """"Titre - Version imprimable - French.peopledaily.com.cn" -> "Titre"."""
    return _PRINT_SUFFIX.sub("", title or "").strip()


def _is_update_line(text: str) -> bool:
    line = find_fr_update_line(text)
    return line is not None and len(text) <= len(line.raw) + 60


def _is_chrome(el) -> bool:
    return bool(_CHROME.search(f"{el.get('class', '')} {el.get('id', '')}"))


def _descendants_of(el) -> set:
    return set(el.iter())


def _article_links(el) -> bool:
    return any(ARTICLE_LINK.search(urlsplit(a.get("href") or "").path) for a in el.iter("a"))


def _is_sidebar(el) -> bool:
    if re.search(r"right|side|hot|footer|nav|menu", f"{el.get('class', '')} {el.get('id', '')}", re.I):
        return True
    # A box is a sidebar when its own title (one of its first children) says so.
    for child in [c for c in el if isinstance(c.tag, str)][:2]:
        if tag_of(child) in ("h2", "h3", "h4", "h5", "strong", "b", "span", "p", "div") and next(child.iter("ul", "ol", "li"), None) is None:
            if len(text_of(child)) < 40 and _SIDEBAR_HEADING.search(text_of(child)):
                return True
    return False
