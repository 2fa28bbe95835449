"""Soft error pages: "404 Not Found", "Page not found", served with status 200 at an article's URL.

A plain rule on what a parser extracted (headline, body, and the page's <title>), so the crawl,
`extract`, `eval` and `reparse` can all ask it. It fires only when an error phrase names the page
(headline or title) and the body is short: a real article about a "page not found" error has a
body of its own. Checked for false positives on every page of tests/fixtures, the Fundus pages and
the people_fr mirror (tests/test_soft_errors.py).
"""

from __future__ import annotations

import re

# A body longer than this is an article, whatever its headline says.
MAX_BODY_CHARS = 600

# Phrases that name an error page, lowercased, in English, French, German, Spanish, Italian, Portuguese.
_TITLE = re.compile(
    r"^\W*(?:error\s*)?(?:404|410)\b"  # "404 Not Found", "404 - Page not found", "Error 404"
    r"|^\W*(?:error|erreur|fehler)\s*(?:404|410)\b"
    r"|\b(?:page|file|article|content|seite|página|pagina)\s+"
    r"(?:not\s+found|introuvable|non\s+trouvée|nicht\s+gefunden|no\s+encontrada|non\s+trovata|não\s+encontrada)\b"
    r"|\bnot\s+found\s*$|^\W*not\s+found\b"
    r"|\b(?:page|seite)\s+(?:n'existe\s+pas|existiert\s+nicht)"
    r"|^\W*(?:oops|oups|hoppla)\b.*\b(?:404|not\s+found|introuvable|nicht\s+gefunden)",
    re.I,
)
_BODY = re.compile(
    r"page you (?:are|were|'re) looking for (?:does not|doesn't|could not|cannot|can't|no longer)"
    r"|la page (?:que vous (?:recherchez|cherchez|demandez)|demandée) (?:n'existe (?:pas|plus)|est introuvable)"
    r"|die (?:von ihnen )?(?:gesuchte|angeforderte) seite (?:existiert nicht|wurde nicht gefunden|konnte nicht gefunden werden)"
    r"|la página (?:que (?:buscas|busca|has solicitado)|solicitada) no (?:existe|se encuentra|está disponible)"
    r"|\b(?:404|410)\s+(?:not found|gone)\b",
    re.I,
)


_TITLE_TAG = re.compile(rb"<title[^>]*>(.{0,300}?)</title>", re.S | re.I)


def page_title(html: bytes) -> str | None:
    """The <title> text, roughly (no parse): enough for the rule, which only looks for phrases."""
    m = _TITLE_TAG.search(html[:65536])
    return m.group(1).decode("utf-8", "replace").strip() if m else None


def soft_error(headline: str | None, body: str | None, title: str | None = None) -> str | None:
    """Why this extraction is an error page rather than an article, or None."""
    text = " ".join((body or "").split())
    if len(text) > MAX_BODY_CHARS:
        return None
    for name, value in (("headline", headline), ("title", title)):
        value = " ".join((value or "").split())
        if value and _TITLE.search(value):
            return f"error page: its {name} is {value[:80]!r}"
    if text and _BODY.search(text):
        return f"error page: its body says {text[:80]!r}"
    return None
