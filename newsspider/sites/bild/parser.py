"""BILD: the headline as the page shows it, kicker included.

Every title BILD gives a program (og:title, the JSON-LD headline, <title>) ends with the
section ("... | Sport"), which the generic parser cannot tell from a part of the headline
("Rückschlag im Titelkampf - Liverpool verliert" keeps its dash). The <h1> shows the
headline the reader sees: <span kicker>Bubi-Bomber wieder da</span><span separator>: </span>
<span headline>Thioune fordert Geduld mit Niemiec</span>.
"""

from __future__ import annotations

from ...parsers.generic import GenericParser
from ...parsers.text import clean
from . import HOSTS, NAME


class BildParser(GenericParser):
    name = NAME
    hosts = HOSTS

    def headline(self) -> str | None:
        for h1 in self.page.body.iter("h1"):
            if "article-title" in (h1.get("class") or "").split():
                # The separator span carries its own ": ": joined as written.
                title = clean("".join(h1.itertext()))
                if title:
                    return title
        # Another template: the generic answer (BaseParser.fallback gives it when this is None).
        return None
