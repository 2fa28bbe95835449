"""Image credits: recognise "(Xinhua/Bai Xueqi)", "(Photo : Cao Yiming)" and their kin.

A credit is told apart from an ordinary parenthesis ("(est de la Chine)") by its
shape, never by its position alone.
"""

from __future__ import annotations

import re

from ..items import ImageCredit
from .text import clean

# News and photo agencies that appear alone or before a slash. Lowercase.
AGENCIES = frozenset(
    {
        "xinhua", "chine nouvelle", "afp", "reuters", "ap", "associated press", "epa", "efe", "dpa",
        "ansa", "anadolu", "aa", "getty", "getty images", "vcg", "cfp", "ic", "ic photo", "imaginechina",
        "cns", "china news service", "cgtn", "cctv", "china daily", "chinadaily.com.cn", "people's daily",
        "le quotidien du peuple", "le quotidien du peuple en ligne", "global times", "sputnik", "tass",
        "kyodo", "yonhap", "xinhua net", "xinhuanet", "belga", "keystone", "apa", "pa", "pa images",
        "picture alliance", "imago", "shutterstock", "ullstein bild", "sipa", "abaca", "maxppp",
        "hans lucas", "wikimedia commons", "unsplash", "istock", "alamy", "zuma", "zuma press",
        "sportsfile", "mirrorpix", "bbc", "nasa", "reuters/x", "ap photo", "afp photo",
    }
)

_PHOTO_WORD = (
    r"(?:photos?\s+(?:prises?|fournies?|publiées?)\s+par|photographie|photos?|cr[ée]dits?(?:\s+photos?)?"
    r"|source|fotos?|bild|images?|picture|courtesy\s+of)"
)

# (Photo Sun Mingsheng / Pour chinadaily.com.cn), (Photo : X / pour le Quotidien du Peuple)
_FOR_AGENCY = re.compile(rf"^{_PHOTO_WORD}?\s*[:：]?\s*(?:de\s+|par\s+|by\s+)?(?P<ph>[^/]+?)\s*/\s*(?:pour|for|für|para|per)\s+(?P<ag>.+)$", re.I)
# (Photo : Cao Yiming), (Photo/Xinhua), (Crédit : AFP), (Source : Xinhua)
_PREFIXED = re.compile(rf"^{_PHOTO_WORD}\s*(?:[:：/|-]\s*|\s+(?:de|par|by|von|di)\s+|\s+(?=(?-i:[A-ZÀ-Þ])))(?P<rest>.+)$", re.I)
# (Photo d'archives), (Photo d'illustration): a credit line that names nobody.
_NAMELESS = re.compile(r"^photos?\s+(?:d['’]\s*archives?|d['’]\s*illustration|fournies?)$", re.I)
# (Xinhua/Bai Xueqi), (AFP / John Smith), (Reuters/Kim Kyung-Hoon)
_AGENCY_SLASH = re.compile(r"^(?P<ag>[A-Z][\w.&'’ -]{0,40}?)\s*/\s*(?P<ph>[A-ZÀ-ÞŁ][^/]{0,80})$")
# "© AFP", "©Xinhua"
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?P<rest>.+)$", re.I)

_TRAILING_PAREN = re.compile(r"\((?P<inner>[^()]{2,160})\)\s*$")
_TRAILING_PLAIN = re.compile(rf"(?:^|(?<=[.!?»”\s]))(?P<raw>(?:{_PHOTO_WORD})\s*[:：]\s*[^.()]{{2,80}})\s*$", re.I)
_NOT_A_NAME = re.compile(r"\d{3,}|https?://|\b(?:est|ouest|nord|sud|centre)\s+de\s+la\b", re.I)


def is_agency(name: str) -> bool:
    low = clean(name).lower().strip(". ")
    if low in AGENCIES:
        return True
    # chinadaily.com.cn, xinhuanet.com: an outlet written as a domain.
    return bool(re.fullmatch(r"[\w-]+(?:\.[\w-]+)*\.(?:com|cn|org|net|fr|de|uk|info)(?:\.[a-z]{2})?", low))


def _person_or_agency(name: str) -> tuple[str | None, str | None]:
    """Returns (agency, photographer) for a lone name."""
    name = clean(name).strip(" .,;")
    if not name:
        return None, None
    if "/" in name:
        left, _, right = name.partition("/")
        left, right = clean(left), clean(right)
        if is_agency(left) or (left.isupper() and len(left) <= 8):
            return left, right or None
        if is_agency(right):
            return right, left or None
        return left or None, right or None
    if is_agency(name):
        return name, None
    return None, name


def parse_credit(raw: str) -> ImageCredit | None:
    """Read one credit such as "(Xinhua/Bai Xueqi)"; None when it is not shaped like a credit."""
    raw = clean(raw)
    inner = raw[1:-1].strip() if raw.startswith("(") and raw.endswith(")") else raw
    if not inner or _NOT_A_NAME.search(inner) or len(inner) > 160:
        return None
    agency = photographer = None
    if _NAMELESS.match(inner):
        pass
    elif m := _FOR_AGENCY.match(inner):
        photographer, agency = clean(m.group("ph")), clean(m.group("ag"))
    elif m := _COPYRIGHT.match(inner):
        agency, photographer = _person_or_agency(m.group("rest"))
    elif m := _PREFIXED.match(inner):
        agency, photographer = _person_or_agency(m.group("rest"))
    elif m := _AGENCY_SLASH.match(inner):
        left, right = clean(m.group("ag")), clean(m.group("ph"))
        if re.fullmatch(r"\d+\s*/\s*\d+", inner):
            return None
        agency, photographer = left, right
    elif is_agency(inner):
        agency = inner
    else:
        return None
    if photographer and len(photographer.split()) > 12:
        return None
    return ImageCredit(raw=raw, agency=agency or None, photographer=photographer or None, caption=None)


def split_caption(text: str) -> tuple[str | None, ImageCredit | None]:
    """Split "Caption text. (Xinhua/Bai Xueqi)" into the caption and its credit.

    Returns (caption, None) when the text carries no credit at its end.
    """
    text = clean(text)
    if not text:
        return None, None
    match = _TRAILING_PAREN.search(text)
    if match:
        credit = parse_credit(match.group(0))
        if credit is not None:
            caption = clean(text[: match.start()]) or None
            return caption, ImageCredit(**{**credit, "caption": caption})
    match = _TRAILING_PLAIN.search(text)
    if match:
        credit = parse_credit(match.group("raw"))
        if credit is not None:
            caption = clean(text[: match.start("raw")]) or None
            return caption, ImageCredit(**{**credit, "caption": caption})
    return text, None
