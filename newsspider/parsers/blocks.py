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

    def flush(owner):
        text = clean("".join(buf))
        buf.clear()
        if text:
            blocks.append(Block("text", text, owner))

    for event, node in etree.iterwalk(container, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping and node.tail:
                buf.append(node.tail)
            continue
        tag = tag_of(node)
        if event == "start":
            if skipping or tag in INVISIBLE or (skip is not None and node is not container and skip(node)):
                skipping += 1
                continue
            if node is container:
                if node.text:
                    buf.append(node.text)
                continue
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
                buf.append(node.text)
                if node.text.strip():
                    last_was_br = False
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and node.tail:
                    buf.append(node.tail)
                continue
            if node is container:
                flush(container)
                continue
            if tag in BLOCK:
                flush(node)
                if stack and stack[-1] is node:
                    stack.pop()
            if node.tail:
                buf.append(node.tail)
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


def split_content(container, *, skip=None) -> Content:
    """Paragraphs and image credits of an article container."""
    blocks = segment(container, skip=skip)
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
