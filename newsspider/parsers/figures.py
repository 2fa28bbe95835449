"""Image credits of any page: figures and their captions, credit elements, JSON-LD images.

Sources, in page order: each <figure> (or picture wrapper) with its figcaption and any
element inside marked as credit/copyright/photographer/source; credits written in the
caption ("Foto: X/dpa", "(Xinhua/Bai Xueqi)", "© AFP", "NAME / AFP"); then JSON-LD
ImageObjects (creditText, copyrightHolder, creator, author) not already found.
"""

from __future__ import annotations

import re

from ..items import ImageCredit
from . import jsonld, rules, vocab
from .credits import parse_credit, reads_as_caption, split_caption
from .text import clean, clean_markup_text, tag_of, text_of

# Class words, and the regexes built from them: Page.classed_matching finds candidates by the words
# (plain substrings) before the regex checks them, so the two must name the same words.
_CREDIT_WORDS = ("credit", "copyright", "photographer", "fotograf", "source", "quelle", "urheber", "rights", "attribution", "byline",
                 "autor", "author", "courtesy")
_FIGURE_WORDS = ("figure", "media", "image", "img", "photo", "picture", "pic", "bild", "foto")
_CREDIT_HINT = re.compile("|".join(_CREDIT_WORDS), re.I)
_CAPTION_HINT = re.compile(r"caption|legend|description|desc|subtitle|bildunterschrift|bildtext|figcaption|text", re.I)
_FIGURE_HINT = re.compile(rf"(?:^|[\s_-])(?:{'|'.join(_FIGURE_WORDS)})"
                          r"(?:[-_](?:wrap|wrapper|container|box|block|holder|element|video))?(?:$|[\s_-])", re.I)
# Images of other things than the article: teasers, adverts, comments, the site's logo, its authors' faces.
_SKIP = vocab.boxes(vocab.OTHER_ARTICLES, vocab.ADVERTISING, vocab.COMMENTS,
                    ("footer", r"\bnav\b", "navigation", "menu", "logo", "avatar", "author-?(?:image|bio|photo)"))
# "NAME / AFP", "John Smith/Reuters": a bare credit line ending with an agency.
_NAME_SLASH_AGENCY = re.compile(r"^(?P<ph>[^/]{2,60}?)\s*/\s*(?P<ag>[^/]{2,40})$")
MAX_CREDIT_CHARS = 200
# "2 of 12 | Caption", "3/5 Caption": a gallery counter is not part of the caption.
_COUNTER_PREFIX = re.compile(r"^\s*\d{1,3}\s*(?:of|/|von|sur|de|di|av|af)\s*\d{1,3}\s*[|:–-]?\s*", re.I)
MAX_CAPTION_CHARS = 600


_BOILERPLATE_RIGHTS = re.compile(r"\s*/?\s*(?:copyright\s+\d{4}\b.*|all rights reserved\.?)$", re.I)


_LABEL_ONLY = re.compile(r"^(?:©|\(c\)|copyright|photos?(?:\s+by)?|fotos?|bild(?:quelle)?|image|quelle|source|credits?|von|by|par)\s*[:：]?$", re.I)


def _credit_from_text(text: str) -> ImageCredit | None:
    """A credit element's text: "Foto: X/dpa", "© AFP", "Jane Doe/Reuters", "Getty Images"."""
    text = _BOILERPLATE_RIGHTS.sub("", clean(text)).strip(" -–")
    if not text or len(text) > MAX_CREDIT_CHARS or _LABEL_ONLY.match(text) or not re.search(r"\w\w", text):
        return None  # "Photo by", "Copyright": the label without the name
    caption, in_text = split_caption(text)
    if in_text is not None and caption:
        # "Das seltene Feder-Zwergstachelbein (Bild: Heinz-Sielmann-Stiftung)": caption and credit in one element.
        return in_text
    credit = parse_credit(text)
    if credit is None:
        inner = text.strip("()[] ")
        match = _NAME_SLASH_AGENCY.match(inner)
        if match:
            credit = ImageCredit(raw=text, agency=clean(match["ag"]), photographer=clean(match["ph"]), caption=None)
        elif len(inner.split()) <= 8:
            credit = ImageCredit(raw=text, agency=None, photographer=inner, caption=None)
    return credit


def _skipped(el, stop) -> bool:
    """Teasers, ads, logos and avatars are not the article's images.

    Only the nearest few ancestors are looked at: page wrappers carry class names
    such as "has-nav" that say nothing about one image.
    """
    node = el
    in_aside = False
    for _ in range(6):
        if node is None or node is stop:
            break
        tag = tag_of(node)
        if tag in ("article", "main"):
            return False
        if tag in ("nav", "footer") or _SKIP.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        in_aside = in_aside or tag == "aside"
        node = node.getparent()
    # An <aside> inside the article is a boxed image; one beside it is the sidebar.
    return in_aside


def _figures(page):
    """<figure>s, image wrappers ("article_image-container", "media-box"), and lone <figcaption>s, in page order."""
    found = list(page.body.iter("figure"))
    found += [el for el in page.body.iter("figcaption") if not any(a.tag == "figure" for a in el.iterancestors())]
    # Wrappers a few levels above a credit element hold a credited image.
    near_credit = set()
    for credit in page.classed_matching(_CREDIT_HINT, _CREDIT_WORDS):
        for depth, ancestor in enumerate(credit.iterancestors()):
            if depth > 4:
                break
            near_credit.add(ancestor)
    for el in page.classed_matching(_FIGURE_HINT, _FIGURE_WORDS):
        if el.tag in ("div", "span", "picture", "p") and (el in near_credit or next(el.iter("img", "picture"), None) is not None):
            found.append(el)
    found.sort(key=lambda el: page.position.get(el, 0))
    taken = set(found)
    # A wrapper and the figure inside it are one image: keep the outermost.
    return [el for el in found if not any(a in taken for a in el.iterancestors())]


def figure_credits(page) -> list[ImageCredit]:
    scope = page.body
    out: list[ImageCredit] = []
    figures = [fig for fig in _figures(page) if not _skipped(fig, scope)]
    for fig in figures:
        caption_el = fig.find(".//figcaption")
        credit_texts = {
            el: credit_text for el in fig.iter()
            if isinstance(el.tag, str) and el is not fig and (
                _CREDIT_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}")
            )
            # "figcaption__credit" says caption too: the credit word wins.
            and (credit_text := text_of(el))
        }
        # Only the innermost credit elements: a wrapper and its child say the same thing.
        credit_els = [el for el in credit_texts if not any(other in el.iterdescendants() for other in credit_texts)]
        if caption_el is None:
            caption_el = next(
                (el for el in fig.iter()
                 if isinstance(el.tag, str) and el is not fig and _CAPTION_HINT.search(el.get("class") or "") and text_of(el)),
                None,
            )
        if caption_el is not None:
            caption_text = text_of(caption_el, skip=lambda n: n in credit_els)
        else:
            # No caption element: a short text in the figure is its caption ("<p><span>… IMAGO/X</span></p>").
            own = text_of(fig, skip=lambda n: n in credit_els)
            caption_text = own if len(own) <= MAX_CAPTION_CHARS else ""
        credits = [c for c in (_credit_from_text(credit_texts[el]) for el in credit_els) if c]
        caption, in_caption = split_caption(caption_text) if caption_text else (None, None)
        if not credits and in_caption is not None:
            credits = [in_caption]
        if not credits:
            # Some sites only put the credit in the image's title or alt text.
            img = next(fig.iter("img"), None)
            for attr in ("data-credit", "data-copyright", "title"):
                value = img.get(attr) if img is not None else None
                if value and (attr != "title" or re.search(r"©|foto|photo|bild|credit", value, re.I)):
                    credit = _credit_from_text(clean_markup_text(value))
                    if credit:
                        credits = [credit]
                        break
        for credit in credits:
            text = _COUNTER_PREFIX.sub("", caption or credit.get("caption") or "") or None
            out.append(ImageCredit(**{**credit, "caption": text}))
    out.extend(_loose_captions(page, figures))
    return out


# Loose captions must end with a credit to count, so wider class words are safe here.
_LOOSE_WORDS = ("caption", "legend", "credit", "bildunterschrift", "bildtext", "description", "slide", "gallery")
_LOOSE = re.compile("|".join(_LOOSE_WORDS), re.I)


def _loose_captions(page, figures) -> list[ImageCredit]:
    """Caption or credit elements outside any figure: "<p class='caption'>… (Courtesy of X)</p>"."""
    scope = page.body
    inside = set()
    for fig in figures:
        inside.update(fig.iter())
    out = []
    for el in page.classed_matching(_LOOSE, _LOOSE_WORDS):
        if el in inside or el.tag in ("body", "html", "article", "main", "section"):
            continue
        classes = el.get("class") or ""
        if _skipped(el, scope):
            continue
        text = text_of(el)
        if not text or len(text) > MAX_CAPTION_CHARS + MAX_CREDIT_CHARS:
            continue
        inside.update(el.iter())
        caption, credit = split_caption(text)
        if credit is None and _CREDIT_HINT.search(classes):
            credit = _credit_from_text(text)
            caption = None
        if credit is not None:
            caption = _COUNTER_PREFIX.sub("", caption or "") or None
            out.append(ImageCredit(**{**credit, "caption": caption}))
    return out


def jsonld_credits(objects: list[dict]) -> list[ImageCredit]:
    out: list[ImageCredit] = []
    for obj in objects:
        for image in _images(obj):
            caption = jsonld.text(image.get("caption")) or jsonld.text(image.get("description"))
            for key in ("creditText", "copyrightHolder", "creator", "author"):
                names = jsonld.names(image.get(key))
                if names:
                    raw = ", ".join(names)
                    credit = _credit_from_text(raw) or ImageCredit(raw=raw, agency=None, photographer=raw, caption=None)
                    out.append(ImageCredit(**{**credit, "caption": caption}))
                    break
    return out


def _images(obj):
    if "ImageObject" in jsonld.types_of(obj):
        yield obj
    for item in jsonld.items(obj.get("image")):
        if isinstance(item, dict):
            yield item
    for item in jsonld.items(obj.get("associatedMedia")):
        if isinstance(item, dict):
            yield item


def _name_or_caption(credit: ImageCredit) -> ImageCredit:
    """A photographer must look like a name: caption prose in that slot moves to the caption."""
    photographer = credit.get("photographer")
    if not rules.on("credits.photographer_is_a_name") or not reads_as_caption(photographer):
        return credit
    return ImageCredit(**{**credit, "photographer": None, "caption": credit.get("caption") or photographer})


def merge(primary: list[ImageCredit], *others: list[ImageCredit]) -> list[ImageCredit]:
    """`primary` as found (one entry per image, even when two images share a credit), then
    credits from other sources that `primary` does not already have. An entry equal to an
    earlier one in credit and caption is dropped: the same image met twice (a gallery's
    thumbnail and its full view, a lazy-loaded copy), which a reader could not tell apart."""
    def key(credit):
        return clean(credit.get("raw") or "").casefold(), clean(credit.get("caption") or "").casefold()

    primary = [_name_or_caption(c) for c in primary]
    others = tuple([_name_or_caption(c) for c in group] for group in others)
    out, seen = [], set()
    for credit in primary:
        k = key(credit)
        if k[0] and (k not in seen or not rules.on("credits.drop_repeats")):
            seen.add(k)
            out.append(credit)
    for group in others:
        for credit in group:
            k = key(credit)
            if k in seen or not k[0]:
                continue
            seen.add(k)
            out.append(credit)
    return out
