"""BILD: the headline as the page shows it, kicker included.

Every title BILD gives a program (og:title, the JSON-LD headline, <title>) ends with the
section ("... | Sport"), which the generic parser cannot tell from a part of the headline
("Rückschlag im Titelkampf - Liverpool verliert" keeps its dash). The <h1> shows the
headline the reader sees: <span kicker>Bubi-Bomber wieder da</span><span separator>: </span>
<span headline>Thioune fordert Geduld mit Niemiec</span>, joined as written (the separator
span carries its own ": "). A field left empty gets the generic answer (BaseParser.fallback).
"""

from __future__ import annotations

from ...parsers.generic import GenericParser
from ...parsers.text import clean
from . import HOSTS, NAME


class BildParser(GenericParser):
    name = NAME
    hosts = HOSTS  # registered for these hosts on import: newsspider.parsing loads every parser.py

    def headline(self) -> str | None:
        for h1 in self.page.body.iter("h1"):
            if "article-title" in (h1.get("class") or "").split():
                if title := clean("".join(h1.itertext())):
                    return title  # "Bubi-Bomber wieder da: Thioune fordert Geduld mit Niemiec"
        return None  # another template: the generic headline
