"""Article or not: what the generic spider decides from a link's URL, then from the fetched page.

Both tests are cheap guesses, made to keep a crawl small and the archive clean;
the validate pipeline still drops any page without a headline and a body.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

# A path segment that names a listing, a person or a utility page, never an article.
LISTING_SEGMENTS = frozenset({
    "tag", "tags", "topic", "topics", "author", "authors", "category", "categories", "section", "sections",
    "search", "page", "archive", "archives", "feed", "feeds", "rss", "login", "signin", "register",
    "subscribe", "account", "newsletter", "newsletters", "contact", "about", "privacy", "terms",
    "cookies", "help", "sitemap", "user", "users", "profile", "profiles",
})
INDEX_STEMS = frozenset({"index", "default", "home", "main"})
PAGE_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".php", ".asp", ".aspx", ".jsp", ".cms"})
# /2024/05/14/, /2024/5/, /2024-05-14-slug, /20240514/
_DATE_IN_PATH = re.compile(
    r"/(?:19|20)\d\d(?:/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?|-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?=[/_.-]|$)"
)
# A last segment that is only part of a date (/2024/05/14/, /20240514/) makes a day's archive.
_DATE_PART = re.compile(r"\d{1,2}|(?:19|20)\d\d(?:[01]\d[0-3]\d)?")
_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{0,4}$")
_NUMERIC_ID = re.compile(r"\d{5,}")
_WORDS = re.compile(r"[-_]+")


def looks_like_article_url(url: str) -> bool:
    """True for a date in the path, a long slug, a numeric id or a .html page; False for listings.

    A dated path needs something after the date (/2024/05/14/ alone is a day's
    archive); `.html` is the weakest sign and only counts when the page is not
    an index page (index.html, index2.html, default.aspx).
    """
    path = unquote(urlsplit(url).path).lower()
    segments = [s for s in path.split("/") if s]
    if not segments or any(s in LISTING_SEGMENTS for s in segments):
        return False
    last = segments[-1]
    ext = m[0] if (m := _EXTENSION.search(last)) else ""
    stem = last[: len(last) - len(ext)]
    if ext and ext not in PAGE_EXTENSIONS or stem.rstrip("0123456789") in INDEX_STEMS or _DATE_PART.fullmatch(stem):
        return False
    dated = bool(_DATE_IN_PATH.search(path))
    long_slug = len([w for w in _WORDS.split(stem) if w]) >= 4 and any(c.isalpha() for c in stem)
    numeric_id = any(_NUMERIC_ID.search(s) for s in segments)
    return dated or long_slug or numeric_id or ext in PAGE_EXTENSIONS


def looks_like_page_url(url: str) -> bool:
    """False for links to images, documents, feeds and other files no HTML page hides behind."""
    last = unquote(urlsplit(url).path).lower().rstrip("/").rsplit("/", 1)[-1]
    m = _EXTENSION.search(last)
    return m is None or m[0] in PAGE_EXTENSIONS


# og:type values and JSON-LD @types that declare an article, lowercased.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting", "report",
})
# A page that states one of these (or any og:type but article) is not an article.
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage", "aboutpage", "contactpage"})
# Link text share of a page's text above which it is a listing. A page that declares
# some other type (og:type website, JSON-LD CollectionPage) gets the lower bar: its
# teaser paragraphs would otherwise pass for an article body.
LISTING_DENSITY = 0.5
LISTING_DENSITY_DECLARED = 0.3
MIN_LISTING_LINKS = 10
_VISIBLE = "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"


def looks_like_listing(root) -> bool:
    """True for a fetched page that is clearly a list of links (home, section, tag, dossier page).

    `root` is the page's lxml tree (a Scrapy response's `selector.root`).
    A page that declares itself an article (og:type article, a JSON-LD
    NewsArticle...) is never a listing; otherwise it is one when it has at
    least MIN_LISTING_LINKS links and most of its text is link text.
    """
    og_types = {t.strip().lower() for t in root.xpath("//meta[@property='og:type']/@content")}
    ld_types = _jsonld_types(root)
    if (og_types | ld_types) & ARTICLE_TYPES or any(t.startswith("article") for t in og_types):
        return False
    # A JSON-LD WebSite is on every page of many sites, so only og:type and page-level types count here.
    declared_other = bool(og_types) or bool(ld_types & LISTING_TYPES)
    if len(root.xpath("//body//a[@href]")) < MIN_LISTING_LINKS:
        return False
    total = _text_length(root.xpath(f"//body//text(){_VISIBLE}"))
    linked = _text_length(root.xpath(f"//body//a//text(){_VISIBLE}"))
    if not total:
        return False
    return linked / total >= (LISTING_DENSITY_DECLARED if declared_other else LISTING_DENSITY)


def _text_length(nodes) -> int:
    return sum(len(" ".join(str(n).split())) for n in nodes)


def _jsonld_types(root) -> set[str]:
    types: set[str] = set()

    def walk(data, depth=0):
        if depth > 5:
            return
        if isinstance(data, list):
            for item in data:
                walk(item, depth + 1)
        elif isinstance(data, dict):
            kind = data.get("@type")
            for k in kind if isinstance(kind, list) else [kind]:
                if isinstance(k, str):
                    types.add(k.strip().lower())
            walk(data.get("@graph"), depth + 1)

    for raw in root.xpath("//script[@type='application/ld+json']/text()"):
        try:
            walk(json.loads(raw))
        except ValueError:
            continue  # broken JSON-LD says nothing either way
    return types
