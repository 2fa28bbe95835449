"""The headline: JSON-LD headline, og:title, the <h1>, or the <title>, without the site name.

A site name is only cut from the end of a title when it names the site (og:site_name,
the JSON-LD publisher, the host): "Rückschlag im Titelkampf - Liverpool verliert" keeps
its dash.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .text import clean

_SEPARATOR = re.compile(r"\s+[|\-–—·•*»:]\s+|\s*[|｜ㅣ]\s*|\s*::\s*|-{2,}|\s-(?=\S)")
_DATE_TAIL = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\s*$")
_BYLINE_TAIL = re.compile(r"^(?:by|von|par|por|door|di)\s+\S", re.I)


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def site_tokens(url: str, site_names: list[str]) -> list[str]:
    host = urlsplit(url).hostname or ""
    labels = [x for x in host.split(".") if len(x) > 3 and x not in ("www", "com", "news", "co", "org", "net")]
    return [t for t in (squash(n) for n in site_names + labels) if len(t) >= 2]


def names_site(name: str, url: str, site_names: list[str]) -> bool:
    """Is this "author" the publisher itself ("LTO", "Deutsche Welle (www.dw.com)", "ndr.de")?"""
    key = squash(name)
    if not key:
        return False
    return any(n == key or (len(n) >= 3 and (n in key or key in n)) for n in site_tokens(url, site_names))


def _is_site_tail(segment: str, names: list[str]) -> bool:
    tail = squash(segment)
    if not tail:
        return True
    if _DATE_TAIL.match(segment) or _BYLINE_TAIL.match(segment.strip()):
        return True
    return any(n in tail or tail in n for n in names)


def strip_site_name(title: str | None, url: str, site_names: list[str], sections: list[str] = ()) -> str | None:
    """'Story | The Guardian' -> 'Story' when the tail names the site (or the section, or the author).

    Only tails that say who published the page are cut; "Rückschlag im Titelkampf -
    Liverpool verliert" keeps its dash.
    """
    if not title:
        return None
    title = clean(title)
    names = site_tokens(url, site_names) + [squash(s) for s in sections if s and len(squash(s)) >= 2]
    for _ in range(4):
        cuts = list(_SEPARATOR.finditer(title))
        if not cuts:
            break
        last = cuts[-1]
        head, tail = title[: last.start()], title[last.end():]
        if len(tail) > 80 or not clean(head) or not _is_site_tail(tail, names):
            break
        title = clean(head)
    # 'The Guardian: Story' and 'Site - Story' put the site name first.
    match = re.match(r"^(?P<head>[^|:｜–—-]{1,40})\s*(?:\s[|–—-]\s|[|｜])\s*(?P<rest>.+)$", title)
    if match and squash(match["head"]) and any(squash(match["head"]) == n for n in names):
        title = clean(match["rest"])
    return title or None


def choose(candidates: dict[str, str | None]) -> str | None:
    """Pick among cleaned candidates: JSON-LD headline, og:title, h1, twitter:title, <title>.

    JSON-LD and og:title are what the publisher gives to search engines and social
    networks; the <h1> is the displayed text, which some sites clutter with a kicker.
    A longer visible variant beats a truncated meta one ("…").
    """
    ld, og, h1 = candidates.get("ld"), candidates.get("og"), candidates.get("h1")
    for first in (ld, og):
        if not first:
            continue
        for longer in (h1, og, ld):
            # Google truncates JSON-LD headlines at 110 characters; sites follow.
            if (longer and len(longer) > len(first) and first.rstrip("….").strip() and longer.startswith(first.rstrip("….").strip())
                    and (first.endswith(("…", "...")) or len(first) >= 100)):
                return longer
        return first
    for key in ("h1", "twitter", "title"):
        if candidates.get(key):
            return candidates[key]
    return None
