"""Pages that say UTF-8 (or nothing) but are not UTF-8: read them as what they surely are, or not at all.

A page saved by a legacy Western editor carries windows-1252 bytes under a UTF-8 declaration,
or under none; decoded as UTF-8 its accented letters become U+FFFD. Such bytes are told apart
from other encodings by where they stand: an accented letter sits among ASCII letters, while
CJK encodings (and Cyrillic, Greek, Arabic ones) write whole words of high bytes. Runs of high
bytes are tried only as the CJK multi-byte encodings, whose strict byte structure makes
charset_normalizer's answer reliable; it is not for single-byte ones (it reads cp1251 Russian
in a whole page as cp1125 box drawing, random bytes as mac_latin2). When no reading is
credible the caller keeps its U+FFFD text, which validation refuses to store: a page
dropped, with its raw response kept, is better than garbage in the archive.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# A well-formed UTF-8 sequence of two to four bytes, or any other single high byte.
_HIGH = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf4][\x80-\xbf]{3}|[\x80-\xff]"
)
# windows-1252 text has few stray bytes next to another high byte ("«" + no-break space is one);
# GBK or Shift_JIS text has nothing but.
MAX_CLUSTERED_SHARE = 0.5
CJK_ENCODINGS = ("gb18030", "big5", "shift_jis", "euc_jp", "euc_kr")
# charset_normalizer's "chaos" of the decoded text: 0 to 0.01 for real CJK pages.
MAX_CHAOS = 0.05


def is_utf8(name: str | None) -> bool:
    try:
        return codecs.lookup(name or "").name == "utf-8"
    except LookupError:
        return False


def utf8_with_cp1252(html: bytes) -> str | None:
    """UTF-8 where the bytes are UTF-8, windows-1252 for the stray bytes; None if those look like a multi-byte encoding."""
    # Not bs4's UnicodeDammit.detwingle: it takes any byte from 0xC2 to 0xF4 for the lead of a UTF-8
    # sequence without checking what follows, so the commonest windows-1252 letters (é è à ê ô:
    # 0xE0-0xF4) before ASCII become U+FFFD ("caf\xe9 noir" -> "caf\ufffd noir"), and it cannot tell
    # CJK bytes from stray ones. Measured in tests/test_libraries_measured.py.
    parts: list[str] = []
    last = stray = clustered = 0
    size = len(html)
    for m in _HIGH.finditer(html):
        start, end = m.span()
        parts.append(html[last:start].decode("ascii"))
        if end - start > 1:
            parts.append(html[start:end].decode("utf-8", "replace"))
        else:
            stray += 1
            if (start > 0 and html[start - 1] >= 0x80) or (end < size and html[end] >= 0x80):
                clustered += 1
            parts.append(html[start:end].decode("cp1252", "replace"))
        last = end
    if stray and clustered > stray * MAX_CLUSTERED_SHARE:
        return None
    parts.append(html[last:].decode("ascii"))
    return "".join(parts).removeprefix("\ufeff")


def legacy_text(html: bytes) -> str | None:
    """The text of bytes that are not valid UTF-8 and declare UTF-8 or nothing, or None if no reading is credible."""
    text = utf8_with_cp1252(html)
    if text is not None:
        return text
    best = from_bytes(html, cp_isolation=list(CJK_ENCODINGS), threshold=MAX_CHAOS).best()
    return str(best).removeprefix("\ufeff") if best is not None else None
