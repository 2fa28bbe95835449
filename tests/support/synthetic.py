"""Article and section pages in the people_fr mirror's layout, with text of our choosing.

The fault server and the concurrency test need many distinct articles that the real
parser reads like the mirror's: they are made from one mirror page by replacing its
headline, update line, CMS properties and body, so the layout stays the site's.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

from newsspider.sites.people_fr import CANONICAL_HOST

from .paths import PEOPLE_FR

MIRROR_SITE = PEOPLE_FR / "site"
# A plain article of the mirror: no images, no credits, CMS markers present.
TEMPLATE = MIRROR_SITE / "Economie" / "n3" / "2016" / "0616" / "c31355-9073012.html"
ARTICLE_PATH = re.compile(r"^/(?P<section>[A-Za-z]\w*)/n3/(?P<year>\d{4})/(?P<mmdd>\d{4})/c(?P<node>\d+)-(?P<id>\d+)\.html$")


def article_path(section: str, article_id: int, *, year: int = 2024, mmdd: str = "0301", node: int = 31999) -> str:
    """An article path in the site's pattern: /<Section>/n3/YYYY/MMDD/c<node>-<id>.html."""
    return f"/{section}/n3/{year}/{mmdd}/c{node}-{article_id}.html"


def _replace_once(pattern: str, repl: str, text: str, flags=re.S) -> str:
    out, n = re.subn(pattern, lambda _: repl, text, count=1, flags=flags)
    if n != 1:
        # The mirror's template changed: fail loudly rather than make pages the parser misreads.
        raise ValueError(f"template has no match for {pattern!r}")
    return out


def article_html(path: str, headline: str, paragraphs: list[str]) -> str:
    """A whole article page for `path`, updated at 10h00. Headline and paragraphs are text (escaped)."""
    m = ARTICLE_PATH.match(path)
    if not m:
        raise ValueError(f"not an article path: {path}")
    section, year, mmdd, node, article_id = m["section"], m["year"], m["mmdd"], m["node"], m["id"]
    day, month = mmdd[2:], mmdd[:2]
    h = html.escape(headline, quote=False)
    page = TEMPLATE.read_text(encoding="utf-8")
    page = _replace_once(r"<title>.*?</title>", f"<title>{h} - French.peopledaily.com.cn</title>", page)
    page = _replace_once(r'<meta name="description" content="[^"]*" />', "", page)
    page = _replace_once(r'<meta name="keywords" content="[^"]*" />', "", page)
    page = _replace_once(r"<h1>.*?</h1>", f"<h1>{h}</h1>", page)
    page = _replace_once(r'<div class="d2_time">.*?</div>', f'<div class="d2_time">Dernière mise à jour à 10h00 le {day}/{month}</div>', page)
    page = _replace_once(
        r"<!--enpproperty .*?/enpproperty-->",
        f"<!--enpproperty <articleID>{article_id}</articleID><date>{year}-{month}-{day} 09:00:00.0</date><author></author>"
        f"<title>{html.escape(headline)}</title><nodeid>{node}</nodeid><nodename>{section}</nodename>/enpproperty-->",
        page,
    )
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    page = _replace_once(r"<!--enpcontent-->.*?<!--/enpcontent-->", f"<!--enpcontent-->{body}<!--/enpcontent-->", page)
    page = re.sub(r'(<div class="d2nav">.*?)Economie/index.html" class="clink">Economie', rf'\1{section}/index.html" class="clink">{section}',
                  page, count=1, flags=re.S)
    return page


_WORDS = (
    "Beijing Shanghai Canton Wuhan commerce réforme province ministère comité entreprise usine port train route "
    "récolte riz thé énergie solaire éolien réseau satellite université étudiant musée festival opéra théâtre "
    "exportation importation croissance investissement banque crédit marché agriculteur village montagne fleuve "
    "forêt parc panda pluie été hiver printemps automne coopération accord sommet délégation visite dialogue "
    "innovation laboratoire recherche hôpital médecin vaccin école enseignant livre exposition tourisme hôtel "
    "voyageur aéroport navire conteneur logistique numérique données téléphone application paiement ville quartier"
).split()


def paragraphs_for(article_id: int, n: int = 4) -> list[str]:
    """French-looking paragraphs drawn from the article id: distinct bodies, not near-duplicates of each other."""
    rng = random.Random(article_id)
    out = []
    for i in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(28, 40))]
        out.append(f"Dossier {article_id}, point {i + 1} : " + " ".join(words) + ".")
    return out


def section_html(section: str, links: list[tuple[str, str]]) -> str:
    """A section index page listing (href, title) pairs, in the site's list markup."""
    items = "\n".join(
        f'<li class="clearfix"><h3><a href="{html.escape(href)}" target="_blank">{html.escape(title)}</a></h3><em>2024-03-01 10:00</em></li>'
        for href, title in links
    )
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<meta http-equiv="content-type" content="text/html;charset=UTF-8"/>'
        f"<title>{section} - French.peopledaily.com.cn</title></head><body>"
        f'<div class="d2nav"><a href="http://{CANONICAL_HOST}/">Accueil</a> &gt; {section}</div>'
        f'<div class="p2_list"><ul class="list_16">\n{items}\n</ul></div></body></html>\n'
    )


def write_mirror(root: Path, sections: list[str], per_section: int) -> None:
    """A mirror of `per_section` articles in each section (index.html lists them all), ids from 20,000,000."""
    article_id = 20_000_000
    for s_index, section in enumerate(sections):
        links = []
        for i in range(per_section):
            path = article_path(section, article_id, mmdd=f"{(i % 12) + 1:02d}{(i % 28) + 1:02d}", node=32000 + s_index)
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            headline = f"{section} : l'article {article_id} de la série"
            target.write_text(article_html(path, headline, paragraphs_for(article_id)), encoding="utf-8")
            links.append((path, headline))
            article_id += 1
        (root / section).mkdir(parents=True, exist_ok=True)
        (root / section / "index.html").write_text(section_html(section, links), encoding="utf-8")


def crawl_args(db: str | Path, base_url: str, sections: list[str], *settings: str) -> list[str]:
    """`newsspider crawl people_fr` arguments for a synthetic mirror at base_url (one index page per section), into db.

    No politeness delay, 8 requests at a time; `settings` (NAME=VALUE) come after the common ones.
    """
    args = ["crawl", "people_fr", "--db", str(db), "-s", f"PEOPLE_FR_BASE_URL={base_url}", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "NEWSSPIDER_CONTACT=tests@example.org"]
    for setting in settings:
        args += ["-s", setting]
    return [*args, "-a", f"sections={','.join(sections)}", "-a", "max_pages=1"]
