"""The page's language: declared (<html lang>, og:locale, JSON-LD inLanguage), else detected.

Detection is deliberately small: the script for Chinese, Japanese, Korean, Arabic,
Cyrillic, Greek and Hebrew text; for Latin text, which language's most common words
the text uses most.
"""

from __future__ import annotations

import re
from collections import Counter

STOPWORDS = {
    "en": "the and of to in is that for it was on with as are at by be this from have has an not but they his her were said",
    "fr": "le la les des et est une un du que qui dans pour pas sur au avec il elle ne se ce sont par plus été aux ont",
    "de": "der die und das ist nicht ein eine zu den von mit sich des auf für im dem auch es an als wird bei sie nach",
    "es": "el la los las de que y en un una es por con para del se no al lo como más su sus fue ha pero",
    "it": "il di che e la per un una non sono del della con le gli si da al nel è anche ha alla dei",
    "pt": "de que o a os as do da em um uma para com não por mais dos das se no na foi ao pelo",
    "nl": "de het een en van is dat op in te zijn voor met niet die aan er ook als door maar bij",
    "sv": "och att det som en på är av för med till den har inte de om ett var men från",
    "da": "og at det er en til på af for med som den har ikke de om et var men fra blev",
    "no": "og at det er en til på av for med som den har ikke de om et var men fra ble",
    "pl": "i w na z że się do nie jest to o jak po co przez za od ale tak",
    "tr": "ve bir bu da de için ile olarak olan gibi daha çok en ne ama ya kadar sonra",
    "id": "yang dan di dengan untuk dari ini itu dalam tidak akan pada juga ke karena ada",
    "is": "og að í á er sem til við það um en var með af fyrir ekki",
    "lt": "ir kad yra į su iš bet o tai kaip jo ne dar",
    "zu": "ukuthi futhi kanye nge ngoba uma kodwa noma abantu",
}
_STOP = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def normalise(code: str | None) -> str | None:
    """'fr-FR', 'fr_FR', 'FR' -> 'fr'."""
    if not code:
        return None
    code = code.strip().replace("_", "-").split("-")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def detect(text: str) -> str | None:
    sample = text[:20000]
    if not sample.strip():
        return None
    scripts = Counter()
    for ch in sample:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF:
            scripts["ja"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            scripts["ko"] += 1
        elif 0x4E00 <= o <= 0x9FFF:
            scripts["han"] += 1
        elif 0x0600 <= o <= 0x06FF:
            scripts["ar"] += 1
        elif 0x0400 <= o <= 0x04FF:
            scripts["cyr"] += 1
        elif 0x0370 <= o <= 0x03FF:
            scripts["el"] += 1
        elif 0x0590 <= o <= 0x05FF:
            scripts["he"] += 1
        elif 0x0900 <= o <= 0x097F:
            scripts["hi"] += 1
    letters = sum(1 for ch in sample if ch.isalpha()) or 1
    if scripts:
        kind, count = scripts.most_common(1)[0]
        if count / letters > 0.3:
            if kind in ("ja", "han"):
                # Japanese mixes kana into kanji; Chinese has none.
                return "ja" if scripts["ja"] > 0.05 * (scripts["han"] + scripts["ja"]) else "zh"
            if kind == "cyr":
                return "uk" if re.search(r"[іїєґ]", sample) else "ru"
            return kind
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 5:
        return None
    counts = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOP.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] >= max(2, 0.05 * len(words)) else None
