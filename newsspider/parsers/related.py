"""Related-article links: blocks marked as related or recommended, not the global navigation.

A block qualifies by its class or id ("related", "read-more", "more-from", ...) or by
a short heading ("À lire aussi", "Sur le même sujet", "Related", "Read more",
"Mehr zum Thema", ...). Its links count when they point to other pages of the same
site. Navigation, header, footer and menus never count.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..items import RelatedLink
from . import vocab
from .text import clean, tag_of, text_of
from .urls import absolute, same_site, strip_tracking

_HINT = re.compile(
    r"related|recommend|read-?more|readmore|more-?(?:from|on|stories|articles|news)|also-?read|lire-?aussi|a-?lire|"
    r"same-?topic|meme-?sujet|weiterlesen|mehr-?zum|auch-?interessant|leer-?mas|te-?puede|leggi-?anche|lees-?ook|"
    r"les-?ogsa|las-?ocksa|czytaj|xgxw|see-?also|further-?reading|siehe-?auch",
    re.I,
)
HEADING = re.compile(
    rf"^(?:{'|'.join(vocab.RELATED_HEADINGS_FR)}|"
    r"related(?:\s+(?:articles?|stories|news|content|coverage|topics))?|read\s+(?:more|also|next)|more\s+(?:from|on|about|stories|news)\b.*|"
    r"see\s+also|further\s+reading|you\s+(?:may|might)\s+also\s+like|recommended(?:\s+for\s+you)?|"
    r"mehr\s+zum\s+thema|auch\s+interessant|das\s+k[öo]nnte\s+sie\s+(?:auch\s+)?interessieren|weitere\s+artikel|lesen\s+sie\s+auch|"
    r"leer\s+m[áa]s|te\s+puede\s+interesar|noticias\s+relacionadas|m[áa]s\s+informaci[óo]n|leggi\s+anche|articoli\s+correlati|"
    r"lees\s+ook|gerelateerd|les\s+ogs[åa]|l[äa]s\s+ocks[åa]|czytaj\s+(?:te[żz]|wi[ęe]cej)|ilgili\s+haberler)\s*:?$",
    re.I,
)
# Every alternative of _HINT contains one of these (see Page.classed_matching).
_HINT_WORDS = ("relat", "recommend", "read", "more", "also", "lire", "alire", "a-lire", "same", "meme", "weiter", "mehr", "auch",
               "leer", "puede", "leggi", "lees", "ogsa", "ocksa", "czytaj", "xgxw", "see", "further", "siehe")
_NAVIGATION = vocab.boxes(vocab.NAVIGATION, ("header", "masthead", "topbar", r"tags?\b", "pagination"))
MAX_LINKS = 40
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "strong", "span", "p", "div", "b"})


def _in_navigation(el) -> bool:
    for node in [el, *el.iterancestors()]:
        if tag_of(node) in ("nav", "header", "footer"):
            return True
        if node is not el and _NAVIGATION.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _links(block, page_url: str, base: str) -> list[RelatedLink]:
    out, seen = [], {strip_tracking(page_url)}
    for a in block.iter("a"):
        url = absolute(a.get("href"), base)
        if not url or not same_site(url, page_url):
            continue
        url = strip_tracking(url)
        path = urlsplit(url).path
        if url in seen or path.count("/") < 1 or len(path) < 8:
            continue
        title = text_of(a) or clean(a.get("title")) or clean(next((img.get("alt") for img in a.iter("img") if img.get("alt")), ""))
        if not title or len(title.split()) < 2:
            continue
        seen.add(url)
        out.append(RelatedLink(title=title, url=url))
        if len(out) >= MAX_LINKS:
            break
    return out


def related_links(page, *, exclude=None) -> list[RelatedLink]:
    """Links of every related block on the page, in page order, each URL once."""
    base = page.url

    def excluded(el) -> bool:
        return exclude is not None and (el is exclude or any(a is exclude for a in el.iterancestors()))

    blocks = []
    for el in page.classed_matching(_HINT, _HINT_WORDS):
        if not excluded(el) and not _in_navigation(el):
            blocks.append(el)
    for el in page.body.iter(*_HEADING_TAGS):
        if len(el) > 2:
            continue
        # Cheap first: a heading's own text (and its one or two children's) is short.
        heading = (el.text or "") + "".join((c.text or "") + " " for c in el if isinstance(c.tag, str))
        if not heading.strip() or len(heading) > 80:
            continue
        heading = clean(heading)
        if len(heading) <= 50 and HEADING.match(heading) and not excluded(el) and not _in_navigation(el):
            block = _block_after_heading(el)
            if block is not None:
                blocks.append(block)
    # An aside's links are already read to qualify it: kept so the block is not read again below.
    aside_links: dict = {}
    for aside in page.body.iter("aside"):
        # An <aside> of links to other stories of the site is a related list, headed or not.
        if not excluded(aside) and not _in_navigation(aside) and len(links := _links(aside, page.url, base)) >= 2:
            aside_links[aside] = links
            blocks.append(aside)
    if len(blocks) > 1:
        blocks.sort(key=lambda el: page.position.get(el, 0))
    # A block inside another one already taken adds nothing.
    taken = set(blocks)
    blocks = [b for b in blocks if not any(a in taken for a in b.iterancestors())]
    out, seen = [], set()
    for block in blocks:
        if len(out) >= MAX_LINKS:
            break
        links = aside_links[block] if block in aside_links else _links(block, page.url, base)
        for link in links:
            if link["url"] not in seen:
                seen.add(link["url"])
                out.append(link)
    return out[:MAX_LINKS]


def _block_after_heading(heading):
    """The list the heading introduces: its next sibling with links, or its parent box."""
    for sibling in heading.itersiblings():
        if next(sibling.iter("a"), None) is not None:
            return sibling
        if len(text_of(sibling)) > 300:
            break
    parent = heading.getparent()
    if parent is not None and sum(1 for _ in parent.iter("a")) >= 2 and len(text_of(parent)) < 3000:
        return parent
    return None
