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
    r"(?:photos?\s+(?:prises?|fournies?|publiées?)\s+par|photographs?|photography|photographie|photos?"
    r"|cr[ée]dits?(?:\s+photos?)?|cr[ée]ditos?|source|quelle|kilde|fonte|fotos?|fotó|bild(?:er)?|images?"
    r"|illustration|grafik|picture|courtesy\s+of|bildquelle|fotoquelle|dok\.?)"
)

# (Photo Sun Mingsheng / Pour chinadaily.com.cn), (Photo : X / pour le Quotidien du Peuple)
_FOR_AGENCY = re.compile(rf"^{_PHOTO_WORD}?\s*[:：]?\s*(?:de\s+|par\s+|by\s+)?(?P<ph>[^/]+?)\s*/\s*(?:pour|for|für|para|per)\s+(?P<ag>.+)$", re.I)
# (Photo : Cao Yiming), (Photo/Xinhua), (Crédit : AFP), (Source : Xinhua)
_PREFIXED = re.compile(rf"^{_PHOTO_WORD}\s*(?:[:：/|-]\s*|\s+(?:de|par|by|von|di)\s+|\s+(?=(?-i:[A-ZÀ-Þ])))(?P<rest>.+)$", re.I)
# (Photo d'archives), (Photo d'illustration): a credit line that names nobody.
_NAMELESS = re.compile(r"^photos?\s+(?:d['’]\s*archives?|d['’]\s*illustration|fournies?)$", re.I)
# (Xinhua/Bai Xueqi), (AFP / John Smith), (Reuters/Kim Kyung-Hoon)
_AGENCY_SLASH = re.compile(r"^(?P<ag>[^\W\d_][\w.&'’ -]{0,40}?)\s*/\s*(?P<ph>[^\W\d_][^()]{0,100})$")
# "© AFP", "©Xinhua"
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?P<rest>.+)$", re.I)

_TRAILING_PAREN = re.compile(r"\((?P<inner>[^()]{2,160})\)\s*$")
# "Caption. Foto: Axel Heimken/dpa", "Caption | Photo by Jane Doe", "Caption © DPA Images | Christoph Soeder"
_TRAILING_PLAIN = re.compile(
    rf"(?:^|(?<=[.!?»”“\s|–-]))(?P<raw>(?:{_PHOTO_WORD})\s*(?:[:：]|\s+by\s|\s+von\s)\s*[^()]{{2,100}}|"
    rf"(?:©|\((?-i:c|C)\)|（Ｃ）)\s*[^©()]{{2,100}})\s*$",
    re.I,
)
# "… sammeln. IMAGO/Nico Herbertz", "…Klinik.Friso Gentsch/dpa": a slashed credit after the last sentence.
_TRAILING_SLASHED = re.compile(r"(?<=[.!?»”“)])\s*(?P<raw>(?-i:[A-Z])[\w.'’ -]{1,40}(?:\s*/\s*[\w.'’ -]{2,40}){1,4})\s*$")
_NOT_A_NAME = re.compile(r"\d{5,}|https?://|\b(?:est|ouest|nord|sud|centre)\s+de\s+la\b", re.I)


def is_agency(name: str) -> bool:
    low = clean(name).lower().strip(". ")
    if low in AGENCIES:
        return True
    # chinadaily.com.cn, xinhuanet.com: an outlet written as a domain.
    return bool(re.fullmatch(r"[\w-]+(?:\.[\w-]+)*\.(?:com|cn|org|net|fr|de|uk|info)(?:\.[a-z]{2})?", low))


_PARTICLE = frozenset({"von", "van", "der", "de", "del", "la", "le", "el", "al", "bin", "da", "di", "du", "ter", "ten", "y", "zu"})


_CJK_NAME = re.compile(r"^(?:[\u4e00-\u9fff\u3040-\u30ff]{2,5}|[\uac00-\ud7a3]{2,4})$")


def looks_like_person(name: str) -> bool:
    """"Bai Xueqi", "Kim Kyung-Hoon", "GHULAM RASOOL", "Philipp von Ditfurth", "松岡大地"; not "CBC" or "Getty Images"."""
    if _CJK_NAME.match(clean(name)):
        return True  # Chinese, Japanese and Korean names are written without spaces
    words = clean(name).split()
    if not 2 <= len(words) <= 5 or is_agency(name) or re.search(r"\d|@|\.(?:com|de|fr|net|org)\b", name):
        return False
    named = [w for w in words if w.lower() not in _PARTICLE]
    return len(named) >= 2 and all(w[:1].isupper() or not w[:1].isalpha() for w in named) and not re.search(
        r"\b(?:images?|photos?|press|news|agency|service|services|pictures?|media|wire|pool|alliance|archiv|archive|handout|stock)\b", name, re.I
    )


_SMALL_WORD = frozenset({*_PARTICLE, "and", "und", "et", "&", "for", "für", "pour", "via", "by", "von"})


def reads_as_caption(text: str | None) -> bool:
    """True for caption prose ("Die Demonstranten ziehen durch die Stadt."), not a credit's name.

    A name, an agency or a list of them is short and capitalised; a caption is a sentence:
    more than six words, a sentence break inside, or mostly lowercase words."""
    text = clean(text)
    if not text or _CJK_NAME.match(text):
        return False
    words = text.split()
    if len(words) > 6:
        return True
    if len(words) > 2 and re.search(r"[^\W\d_]{3,}[.!?]\s+\S", text):
        return True
    if re.search(r"[/|©]", text) or any(is_agency(w) for w in words):
        return False  # "picture alliance / dpa": agencies write themselves in lower case
    lower = [w for w in words if w[:1].isalpha() and w[:1].islower() and w.lower() not in _SMALL_WORD]
    return len(words) >= 3 and len(lower) * 2 >= len(words)


def split_pair(left: str, right: str) -> tuple[str | None, str | None]:
    """(agency, photographer) for "A/B": whichever side is a person's name is the photographer."""
    left, right = clean(left), clean(right)
    if not left or not right:
        return _person_or_agency(left or right)
    person_left, person_right = looks_like_person(left), looks_like_person(right)
    if person_left and not person_right:
        return right, left
    if person_right and not person_left:
        return left, right
    if is_agency(right) and not is_agency(left):
        return right, left
    return left, right


def _person_or_agency(name: str) -> tuple[str | None, str | None]:
    """Returns (agency, photographer) for a credit without its "Photo:" prefix."""
    name = clean(name).strip(" .,;")
    if not name:
        return None, None
    # "DPA Images | Christoph Soeder": the agency, then the photographer.
    for sep in (" | ", "/"):
        if sep in name:
            left, _, right = name.partition(sep)
            return split_pair(left, right)
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
    elif (m := _AGENCY_SLASH.match(inner)) and re.search(r"(?-i:[A-Z])", inner) and (
        m.group("ag")[:1].isupper() or m.group("ph")[:1].isupper() or is_agency(m.group("ag")) or is_agency(m.group("ph").split("/")[0])
    ):
        # "(and/or)" is not a credit: one side must be a capitalised name or an agency.
        left, right = clean(m.group("ag")), clean(m.group("ph"))
        # "Xinhua/Bai Xueqi" names the agency first; "Arne Dedert/dpa" last.
        agency, photographer = split_pair(left, right)
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
            before = _TRAILING_PLAIN.search(caption or "")
            if before and (person := parse_credit(before.group("raw"))) is not None:
                # "Foto: Nicolas Economou (Getty)": the photographer, then the agency in brackets.
                caption = clean(caption[: before.start("raw")]) or None
                credit = ImageCredit(
                    raw=f"{clean(before.group('raw'))} {credit['raw']}",
                    agency=credit["agency"] or credit["photographer"],
                    photographer=person["photographer"] or person["agency"],
                    caption=None,
                )
            return caption, ImageCredit(**{**credit, "caption": caption})
    for pattern in (_TRAILING_PLAIN, _TRAILING_SLASHED):
        match = pattern.search(text)
        if match:
            credit = parse_credit(match.group("raw"))
            if credit is not None:
                caption = clean(text[: match.start("raw")]).rstrip(" |–-") or None
                return caption, ImageCredit(**{**credit, "caption": caption})
    return text, None
