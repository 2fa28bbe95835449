"""Split an article container into paragraphs and captioned images.

The container is walked once, in document order, into blocks (a run of text in
one block-level element, or an image). Captions are then recognised by what they
say (a trailing credit such as "(Xinhua/Bai Xueqi)") and by where they sit (in
the image's table or figure, in a caption element, centred right under the
image), so that a template with other class names still separates captions
from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..items import ImageCredit
from .credits import split_caption
from .text import BLOCK, INVISIBLE, clean, tag_of

COUNTER = re.compile(r"^\(?\d{1,3}\s*/\s*\d{1,3}\)?$")
_CAPTION_HINT = re.compile(r"caption|picdesc|pic_desc|pictext|legend|photo[-_]?desc|img[-_]?desc|credit|wp-caption-text", re.I)
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
# Editor lines closing many Chinese state-media articles: "(Rédacteurs :Gao Ke, Wei Tong)".
EDITOR_LINE = re.compile(r"^\(?\s*(?:r[ée]dacteurs?|r[ée]dacteur en chef|editor|web editor|[ée]diteurs?|responsable)\s*[:：].{0,120}\)?$", re.I)
MAX_CAPTION_CHARS = 400


@dataclass
class Block:
    kind: str  # "text" or "image"
    text: str
    el: object  # the innermost block-level element holding the text, or the <img>
    link_chars: int = 0  # how much of the text sits inside <a>: a block of links is navigation, not prose


@dataclass
class Content:
    paragraphs: list[str] = field(default_factory=list)
    credits: list[ImageCredit] = field(default_factory=list)


def segment(container, *, skip=None) -> list[Block]:
    """The container's text runs and images, in document order."""
    blocks: list[Block] = []
    stack = [container]
    buf: list[str] = []
    skipping = 0
    last_was_br = False
    in_link = 0
    linked = [0]

    def add(text, linking):
        buf.append(text)
        if linking:
            linked[0] += len(text.strip())

    def flush(owner):
        text = clean("".join(buf))
        buf.clear()
        if text:
            blocks.append(Block("text", text, owner, min(linked[0], len(text))))
        linked[0] = 0

    for event, node in etree.iterwalk(container, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping and node.tail:
                add(node.tail, in_link)
            continue
        tag = tag_of(node)
        if event == "start":
            if skipping or tag in INVISIBLE or (skip is not None and node is not container and skip(node)):
                skipping += 1
                continue
            if node is container:
                if node.text:
                    add(node.text, in_link)
                continue
            if tag == "a":
                in_link += 1
            if tag in BLOCK:
                flush(stack[-1])
                stack.append(node)
                last_was_br = False
            elif tag == "img":
                flush(stack[-1])
                blocks.append(Block("image", "", node))
            elif tag == "br":
                # One <br> is a line break inside a paragraph; two end the paragraph.
                if last_was_br:
                    flush(stack[-1])
                else:
                    buf.append(" ")
                last_was_br = True
                if node.tail and node.tail.strip():
                    last_was_br = False
            if tag != "br" and node.text:
                add(node.text, in_link)
                if node.text.strip():
                    last_was_br = False
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and node.tail:
                    add(node.tail, in_link)
                continue
            if node is container:
                flush(container)
                continue
            if tag in BLOCK:
                flush(node)
                if stack and stack[-1] is node:
                    stack.pop()
            if tag == "a":
                in_link -= 1
            if node.tail:
                add(node.tail, in_link)
                if node.tail.strip():
                    last_was_br = False
    flush(stack[-1] if stack else container)
    return blocks


def _ancestors(el, stop):
    node = el
    while node is not None and node is not stop:
        yield node
        node = node.getparent()


def _is_caption_element(el, stop) -> bool:
    for node in _ancestors(el, stop):
        tag = tag_of(node)
        if tag in ("figcaption", "caption"):
            return True
        if _CAPTION_HINT.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
        if tag in ("p", "div", "table", "figure", "li"):
            break
    return False


def _image_zone(el, stop) -> bool:
    """Is `el` inside the table or figure that holds an image?"""
    for node in _ancestors(el, stop):
        tag = tag_of(node)
        if tag in ("figure", "table"):
            return next(node.iter("img"), None) is not None
    return False


def _centered(el, stop) -> bool:
    for node in _ancestors(el, stop):
        if (node.get("align") or "").lower() == "center" or _CENTER_STYLE.search(node.get("style") or ""):
            return True
        if tag_of(node) == "center":
            return True
        if tag_of(node) in ("p", "div"):
            break
    return False


def split_content(container, *, skip=None, select=None) -> Content:
    """Paragraphs and image credits of an article container.

    `select`, if given, takes the container's blocks and returns those that belong to the article
    (a site parser drops what its site's language marks as not the text: "Lire aussi : …", the
    related heading and what follows it).
    """
    blocks = segment(container, skip=skip)
    if select is not None:
        blocks = select(blocks)
    out = Content()
    pending_image = False  # an image seen, not yet captioned
    caption: list[str] = []  # caption text waiting for its credit
    tentative: str | None = None  # centred text under an image: a caption only if a credit follows

    def flush_caption():
        nonlocal caption
        if caption:
            out.credits.append(ImageCredit(raw=None, agency=None, photographer=None, caption=clean(" ".join(caption))))
            caption = []

    def flush_tentative():
        nonlocal tentative
        if tentative is not None:
            out.paragraphs.append(tentative)
            tentative = None

    for block in blocks:
        if block.kind == "image":
            flush_tentative()
            flush_caption()
            pending_image = True
            continue
        text = block.text
        if COUNTER.match(text):
            continue
        structural = _image_zone(block.el, container) or _is_caption_element(block.el, container)
        near_image = pending_image or structural
        caption_text, credit = split_caption(text)
        if credit is not None and (near_image or tentative is not None) and len(text) <= MAX_CAPTION_CHARS + 200:
            if caption_text is None:
                prior = " ".join(caption) if caption else tentative
                if prior:
                    credit = ImageCredit(**{**credit, "caption": clean(prior)})
            caption, tentative = [], None
            out.credits.append(credit)
            pending_image = False
            continue
        if structural and len(text) <= MAX_CAPTION_CHARS:
            caption.append(text)
            continue
        if pending_image and tentative is None and not caption and len(text) <= MAX_CAPTION_CHARS and _centered(block.el, container):
            tentative = text
            continue
        flush_tentative()
        flush_caption()
        pending_image = False
        if EDITOR_LINE.match(text):
            continue
        out.paragraphs.append(text)
    flush_tentative()
    flush_caption()
    return out


_SENTENCE_END = re.compile(r"[.!?»\"”…)]\s*$|[.!?»]\s")
_NOT_PROSE = frozenset({"li", "a", "nav", "footer", "header", "aside", "button", "label", "option", "select"})
PROSE_MIN_WORDS = 12
PROSE_DEPTH = 3


def reads_as_prose(text: str) -> bool:
    """A run of PROSE_MIN_WORDS words or more with a sentence's punctuation: text, not a menu or a title."""
    return len(text.split()) >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(text))


def prose_container(root):
    """The element holding most of the page's prose, however its paragraphs are marked up.

    <p>, <br><br> in a bare <div> or <td>, one <div> per paragraph: each run of text of
    PROSE_MIN_WORDS words or more that reads as sentences (and is not mostly links, nor in a list,
    navigation or aside) counts towards its owner and the few elements above it; the deepest
    element holding at least 80% of the best score wins.
    """
    score: dict = {}
    for block in segment(root):
        if block.kind != "text" or block.link_chars > 0.5 * len(block.text):
            continue
        if not reads_as_prose(block.text):
            continue
        words = len(block.text.split())
        owner = block.el
        if any(tag_of(node) in _NOT_PROSE for node in _ancestors(owner, None)):
            continue
        for depth, node in enumerate(_ancestors(owner, None)):
            if depth > PROSE_DEPTH or tag_of(node) in ("body", "html"):
                break
            score[node] = score.get(node, 0) + words
    if not score:
        return None
    best = max(score.values())
    candidates = [el for el, s in score.items() if s >= 0.8 * best]
    return max(candidates, key=lambda el: sum(1 for _ in el.iterancestors()))
