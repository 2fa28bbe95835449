"""Text from markup: whitespace, entities, and the visible text of an element."""

from __future__ import annotations

import html
import re

from lxml import etree

# Tags whose text a reader never sees.
# <video> and <audio> only show their fallback text ("enable JavaScript ...") to browsers that cannot play them.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "button", "select", "option",
                       "textarea", "video", "audio", "canvas"})

# Tags that start a new line when rendered: their edges separate words.
BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)

_SPACE = re.compile(r"\s+")
_SPECIAL = tuple(INVISIBLE | BLOCK | {"br"})


def clean(text: str | None) -> str:
    """Collapse every whitespace run (U+00A0 and U+202F included) to one space, trimmed."""
    if not text:
        return ""
    # str.split() without arguments splits on all Unicode whitespace, NBSPs included.
    return " ".join(text.split())


def clean_markup_text(text: str | None) -> str:
    """For strings that arrive still escaped (JSON-LD, some meta tags): decode entities, then clean."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text and ">" in text:
        # A few publishers put markup inside JSON-LD strings.
        text = re.sub(r"<[^>]{0,500}>", " ", text)
    return clean(text)


def or_none(text: str | None) -> str | None:
    text = clean(text)
    return text or None


def tag_of(node) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    # lxml's HTML parser already lowercases tag names; namespaced ones come from XHTML islands.
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1].lower()
    return tag


def text_of(el, *, skip=None) -> str:
    """The visible text of `el`, with <br> and block edges as spaces, cleaned.

    Iterative on purpose: deeply nested hostile HTML must not hit the recursion limit.
    `skip` is an optional predicate; elements for which it is true are left out.
    """
    if el is None or not isinstance(el.tag, str):
        return ""  # comments and processing instructions have no visible text
    if skip is None and el.tag not in INVISIBLE and next(el.iterdescendants(*_SPECIAL), None) is None:
        # Nothing inside needs a space or hides text: lxml's C walk gives the same string, faster.
        return clean(el.text_content())
    parts: list[str] = []
    append = parts.append
    # A hidden element's subtree is not walked at all: the walk goes on with its end, then its tail.
    skipped = False
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "start":
            tag = node.tag
            if type(tag) is not str or "}" in tag:
                tag = tag_of(node)
            if tag in INVISIBLE or (skip is not None and skip(node)):
                walker.skip_subtree()
                skipped = True
                continue
            if tag in BLOCK or tag == "br":
                append(" ")
            if node.text:
                append(node.text)
        elif event == "end":
            if skipped:
                skipped = False
            else:
                tag = node.tag
                if type(tag) is not str or "}" in tag:
                    tag = tag_of(node)
                if tag in BLOCK:
                    append(" ")
            if node is not el and node.tail:
                append(node.tail)
        elif node.tail:
            # A comment's or processing instruction's own text is hidden, but the text after it is not.
            append(node.tail)
    return clean("".join(parts))


def strip_title_suffix(title: str, *, site_names: tuple[str, ...] = ()) -> str:
    """'Headline - Site name' -> 'Headline', when the tail looks like a site name."""
    title = clean(title)
    for sep in (" | ", " -- ", " - ", " — ", " – ", " :: ", " · ", "--", "_"):
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        tail_low = tail.lower()
        if site_names and any(name.lower() in tail_low for name in site_names):
            return clean(head)
        # Without a known name, only drop short tails that look like a brand.
        if len(tail) <= 40 and len(tail.split()) <= 4 and len(head.split()) >= 2:
            return clean(head)
    return title


def section_name(name: str | None) -> str | None:
    """A section as a heading: "bayern" -> "Bayern", "POLITIK" -> "Politik"; mixed case as written.

    One site writes some sections in lower case and others capitalised ("bayern" beside
    "Politik"), so one section would facet as two. Only a name in one case throughout is
    changed; a short all-caps name ("USA", "EU", "NRW") is an acronym and kept.
    """
    name = or_none(name)
    if name is None:
        return None
    if name == name.lower() and name != name.upper():
        return name[:1].upper() + name[1:]
    if name == name.upper() and name != name.lower() and len(name.replace(" ", "")) > 4:
        return name[:1] + name[1:].lower()
    return name
