"""Authors: names from JSON-LD, meta tags and bylines, split and cleaned.

"By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"]. A news agency ("dpa",
"AFP", "Deutsche Presse-Agentur") is not a person: it goes to the article's
`agencies`, not its authors. A desk code ("kesm", "srf/hosb": an editor's
lowercase initials) names nobody a reader could look up and is dropped. A
publisher named as the author of its own page is kept only when nothing else
names anyone.
"""

from __future__ import annotations

import re

from lxml import etree

from . import rules
from .credits import is_agency as _listed_agency
from .text import INVISIBLE, clean, text_of

_PREFIX = re.compile(
    r"^(?:(?:written|reported|text|story|words|interview|photos?|fotos?|texte?|video|compiled)\s+)?"
    r"(?:by|von|par|por|door|av|af|från|fra|przez|autor(?:in)?|author|auteur|redakteur(?:in)?|reporter|(?-i:di|de|da))\s*[:：]?\s+",
    re.I,
)
_LABEL = re.compile(r"^(?:autor(?:in|en)?|authors?|auteurs?|byline|redaktion|texte?|von)\s*[:：]\s*", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|&|\+|\||\s(?:and|und|og|et|y|e|en|och|i|ve|és|und\s+von|with|mit|avec)\s)\s*", re.I)
# Tails that are not part of a name: roles, places, dates, e-mail, "Updated ...".
_TAIL = re.compile(
    r"\s*(?:[|•·]|\b(?:updated|published|aktualisiert|mis à jour|posted)\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+\d{4}|\b(?:19|20)\d{2}\b).*$",
    re.I,
)
# "capital von Jemima Kelly": a label before the by-word is not a name.
_INNER_BY = re.compile(r"^.{1,30}?\s(?:by|von|par|por|door)\s+(?=(?-i:[A-ZÀ-ÞŁ]))", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|\d{3,}|^(?:admin|editor|redaktion|staff|team|newsroom|webredaktion|online)$|[<>{}=]", re.I)
_SUFFIX = re.compile(r"\s*(?:기자|記者|特派員|\(.*?\))\s*$")

MAX_NAME_WORDS = 6


def split_names(raw: str) -> list[str]:
    """One byline to names: prefixes stripped, split on commas and the word for "and"."""
    raw = clean(raw)
    raw = _LABEL.sub("", raw)
    raw = _INNER_BY.sub("", raw)
    raw = _PREFIX.sub("", raw)
    raw = _TAIL.sub("", raw)
    names = []
    for part in _SPLIT.split(raw):
        part = _PREFIX.sub("", clean(part)).strip(" .,:;-–—·")
        part = _SUFFIX.sub("", part)
        if part and not _NOT_A_NAME.search(part) and len(part.split()) <= MAX_NAME_WORDS and re.search(r"\w", part):
            names.append(part)
    return names


# An agency by the words of its name, in the languages of the pages: "Deutsche Presse-Agentur",
# "Agence France-Presse", "Associated Press", "Schweizerische Depeschenagentur", "Evangelischer Pressedienst".
_AGENCY_WORDS = re.compile(
    r"(?:agentur|agency|agence|agencia|agenzia|depeschen|pressedienst|nachrichtendienst|news\s+service|wire\s+service"
    r"|^associated\s+press$|presse-?agentur|press\s+association)",
    re.I,
)
# Agencies written as their short forms in bylines (upper case: "SDA", "KNA", "epd" is in credits.AGENCIES).
_AGENCY_CODES = frozenset({"sda", "ats", "kna", "epd", "ddp", "apa", "dts", "afp", "ap", "dpa", "sid", "ansa", "efe", "upi", "ips", "rtr", "kap"})
# A desk code: lowercase initials, alone or slashed ("kesm", "srf/hosb", "dpa/lno" is an agency first).
# Four letters at most: a publisher writing its own name in lower case ("kicker") is not a desk code.
_DESK_CODE = re.compile(r"^[a-zäöü]{2,4}(?:\s*/\s*[a-zäöü]{2,4})*$")


def is_agency(name: str) -> bool:
    """A news agency named where a person would be: by the shared list, its short form, or the words of its name."""
    clean_name = name.strip()
    first = re.split(r"\s*/\s*", clean_name)[0]
    # "AFP Deutschland", "dpa Berlin": an agency's desk; "Ap Dhillon" (title case) is a person.
    word = first.split()[0] if first.split() else ""
    desk = word.casefold() in _AGENCY_CODES and word != word.capitalize()
    return _listed_agency(clean_name) or desk or _listed_agency(first) or bool(_AGENCY_WORDS.search(clean_name))


def is_desk_code(name: str) -> bool:
    """Lowercase initials ("kesm", "srf/hosb"): an editor's desk code, not a name."""
    return bool(_DESK_CODE.match(name.strip())) and not is_agency(name)


def people(names: list[str]) -> list[str]:
    """Distinct names in order, without news agencies and desk codes."""
    return credited(names)[0]


def credited(names: list[str]) -> tuple[list[str], list[str]]:
    """(people, agencies): distinct names in order; desk codes dropped."""
    seen, out, agencies = set(), [], []
    for name in names:
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        if is_agency(name):
            agencies.append(name)
        elif not (rules.on("authors.drop_desk_codes") and is_desk_code(name)):
            out.append(name)
    return out, agencies


_BYLINE_HINT = re.compile(r"byline|author|autor|auteur|writer|reporter|journalist|verfasser|firma", re.I)


def from_bylines(scope) -> list[str]:
    """Names in visible byline elements: itemprop/rel author, or a class saying byline/author."""
    for xpath in (".//*[@itemprop='author']", ".//a[@rel='author']", ".//*[@rel='author']"):
        found = []
        for el in scope.iterfind(xpath):
            name_el = el.find(".//*[@itemprop='name']")
            value = (name_el.get("content") if name_el is not None else None) or text_of(name_el if name_el is not None else el)
            if value and len(value) <= 120:
                found.extend(split_names(value))
        if found:
            return found
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "article", "main", "section", "script"):
            continue
        hint = f"{el.get('class', '')} {el.get('id', '')}"
        if not _BYLINE_HINT.search(hint) or re.search(r"bio|avatar|image|img|photo|box|list|more|teaser|related", hint, re.I):
            continue
        text = text_of(el)
        if re.match(r"^\s*(?:foto|photo|bild|image|©|quelle|source)\b", text, re.I):
            continue  # an image credit, not a byline
        # Links in a byline are the names ("By <a>Jane</a> and <a>John</a> | Twitter" has more).
        links = [t for t in (text_of(a) for a in el.iter("a")) if t and not re.search(r"twitter|facebook|mail|follow|@", t, re.I)]
        values = links if links else [text]
        names = [n for value in values if value and len(value) <= 120 for n in split_names(value)]
        if names:
            return names
    return _by_pattern(scope)


_BY_LINE = re.compile(r"^(?:by|von|par|por|door|av|af|(?-i:di|de))\s+(?-i:[A-ZÀ-ÞŁ])", re.I)


# A cheap necessary condition for _BY_LINE, checked before the visible text is built: the
# visible text is the element's string value with spaces added (block edges, <br>) and hidden
# subtrees left out, cleaned. Without hidden descendants its non-space characters are the string
# value's, in order, so a line that starts with a by-word has a string value that starts with it
# too (case-insensitive here, a superset of _BY_LINE's case rules). text_of on every short
# element of the page was the largest single cost of a generic parse (#16); the test compares
# this with the full scan on every fixture page.
_BY_WORD_FIRST = re.compile(r"\s*(?:by|von|par|por|door|av|af|di|de)", re.I)
_STRING_VALUE = etree.XPath("string()", smart_strings=False)
# "{*}script" matches <script> in any namespace and in none (lxml.html makes no namespaced tags).
_INVISIBLE_ANY_NAMESPACE = tuple("{*}" + tag for tag in sorted(INVISIBLE))


def _may_be_by_line(el) -> bool:
    if next(el.iterdescendants(*_INVISIBLE_ANY_NAMESPACE), None) is not None:
        return True  # its string value holds hidden text: only text_of can tell
    return _BY_WORD_FIRST.match(_STRING_VALUE(el)) is not None


def _by_pattern(scope, *, fast: bool = True) -> list[str]:
    """A short line reading "By Jane Doe" / "von Dr. Max Kolter", whatever its markup.

    `fast=False` builds every candidate's visible text: the reference the test holds the fast
    check to.
    """
    for el in scope.iter("p", "span", "div", "a", "address", "li"):
        if len(el) > 4 or (fast and not _may_be_by_line(el)):
            continue
        value = text_of(el)
        if value and len(value) <= 80 and _BY_LINE.match(value):
            names = split_names(value)
            if names:
                return names
    return []
