"""The article text: trafilatura's extraction, checked against a second opinion.

trafilatura (chosen for its F1 on the Zyte benchmark) finds the text but keeps
some boilerplate: the headline, factboxes, teasers of other articles, link lists.
A paragraph-cluster pass (the <p> and subheads of the densest container, minus
boxes marked as related, teaser, caption, ...) gives a second opinion; lines both
agree on are kept. JSON-LD articleBody replaces the result when it is complete,
and the lead (the page's description, when it is shown on the page) is put back
when trafilatura lost it.
"""

from __future__ import annotations

import copy
import re

import lxml.html
from collections import defaultdict

from .text import clean, clean_markup_text, tag_of, text_of

_TOKEN = re.compile(r"\w+")
_BOILERPLATE = re.compile(
    r"related|teaser|recommend|newsletter|promo|subscribe|paywall-?(?:prompt|offer|box|banner|message|cta|overlay)|advert|\bads?\b|sponsor|share|social|comments?\b|"
    r"footer|\bnav|menu|breadcrumb|caption|credit|copyright|factbox|fact-box|infobox|info-box|timeseries|most-?read|"
    r"popular|trending|more-?(?:from|articles|stories)|read-?more|also-?read|tags?-?list|author-?bio|byline|"
    r"under-article|next-article|widget|sidebar|cookie|consent|banner|toolbar|meta-?data|dateline|audio|player",
    re.I,
)
_SKIP_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "footer", "header", "form", "button", "table", "noscript", "script", "style", "template", "svg"})
_BULLET = re.compile(r"^[-•▪·]\s+")
MIN_CONFIRMED_SHARE = 0.6


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def token_key(text: str) -> str:
    return " " + " ".join(tokens(text)) + " "


class Searchable:
    """A token key to look other keys up in, as `key in text` does, in time linear in the text overall.

    `line in text` for every line of a page is quadratic: 7.6 s at 50,000 paragraphs, 89 s at
    200,000. The lines looked up come in document order, as the text holds them, so each search
    starts where the last match ended, within a window; only a line not found there costs a
    search of the whole text. The answers are those of `in`.
    """

    WINDOW = 1 << 16

    def __init__(self, key: str):
        self.key = key
        self.at = 0

    def __contains__(self, sub: str) -> bool:
        if len(self.key) <= self.WINDOW:
            return sub in self.key
        # Lines overlap where they join (" a b " then " b c "): start a little before the last match's end.
        start = max(0, self.at - len(sub))
        found = self.key.find(sub, start, start + self.WINDOW + len(sub))
        if found < 0:
            found = self.key.find(sub)
        if found < 0:
            return False
        self.at = found + len(sub)
        return True


def trafilatura_lines(page, *, fast: bool = False, scope=None) -> list[str]:
    import trafilatura

    tree = page.tree
    root = scope if scope is not None else page.body
    if sum(1 for _ in root.iter()) > TRAFILATURA_MAX_ELEMENTS:
        # trafilatura's passes grow faster than the page; past this size the paragraph cluster
        # (the second opinion) is the body alone.
        return []
    if scope is not None:
        # Only the part of the page that holds the headline and the text: trafilatura's cost
        # grows with the tree, and sidebars it would have to discard are left out.
        tree = lxml.html.Element("html")
        body = lxml.html.etree.SubElement(tree, "body")
        body.append(copy.deepcopy(scope))
    try:
        doc = trafilatura.bare_extraction(
            tree, url=page.url, with_metadata=False, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, fast=fast,
        )
    except Exception:  # trafilatura is a library we call, not code we vouch for: degrade to the second opinion
        return []
    text = getattr(doc, "text", None) if doc is not None else None
    if isinstance(doc, dict):
        text = doc.get("text")
    return [clean(line) for line in (text or "").split("\n") if clean(line)]


def _own_bad(node) -> bool | None:
    """True: boilerplate; False: the article (stop looking up); None: say nothing."""
    if node.tag in _SKIP_TAGS:
        return True
    cls, ident = node.get("class"), node.get("id")
    if (cls or ident) and _BOILERPLATE.search(f"{cls or ''} {ident or ''}"):
        return True
    if node.tag in ("article", "main", "body"):
        # Above the article, wrappers say things like "has-nav" about the whole page.
        return False
    return None


def _bad_ancestor(el, stop, memo: dict | None = None) -> bool:
    node, path = el, []
    verdict = False
    while node is not None and node is not stop:
        if memo is not None and node in memo:
            verdict = memo[node]
            break
        path.append(node)
        own = _own_bad(node)
        if own is not None:
            verdict = own
            break
        node = node.getparent()
    if memo is not None:
        for seen in path:
            memo[seen] = verdict
    return verdict


def cluster_container(page):
    """The element whose nearby <p> descendants carry the most words."""
    score: dict = defaultdict(int)
    memo: dict = {}
    for p in page.body.iter("p"):
        # text_content() is lxml's C walk: enough to count words, and much faster.
        n = len(tokens(p.text_content()))
        # Footer, navigation and promo paragraphs must not pull the choice towards <body>.
        if n < 3 or _bad_ancestor(p, None, memo):
            continue
        for depth, ancestor in enumerate(p.iterancestors()):
            if depth > CLUSTER_DEPTH:
                break
            score[ancestor] += n
    if not score:
        return None
    best = max(score.values())
    # The deepest element that still holds most of the text: not the whole page.
    candidates = [el for el, s in score.items() if s >= 0.8 * best]
    return max(candidates, key=lambda el: sum(1 for _ in el.iterancestors()))


def cluster_lines(container) -> list[str]:
    # None is the caller's search finding nothing: searching again would only repeat it.
    if container is None:
        return []
    lines = []
    memo: dict = {}
    for el in container.iter("p", "h2", "h3", "h4", "blockquote"):
        if _bad_ancestor(el, container, memo):
            continue
        if any(tag_of(a) in ("p", "blockquote") for a in el.iterancestors() if a is not container):
            continue
        text = text_of(el)
        if text:
            lines.append(text)
    return lines


def _visible_key(page) -> str:
    return token_key(page.text)


def combine(traf: list[str], cluster: list[str], *, titles: list[str], leads: list[str], ld_body: str | None, visible: str) -> list[str]:
    heads = {token_key(t) for t in titles if t}
    lines = [line for line in traf if token_key(line) not in heads]
    cluster = [line for line in cluster if token_key(line) not in heads]
    if lines and cluster:
        confirmed_text = Searchable(token_key(" \n ".join(cluster)))
        leads_keys = {token_key(d) for d in leads if d}
        keep = [line for i, line in enumerate(lines) if token_key(line) in confirmed_text or (i == 0 and token_key(line) in leads_keys)]
        kept, found = len(tokens(" ".join(keep))), len(tokens(" ".join(lines)))
        if kept >= MIN_CONFIRMED_SHARE * found:
            lines = keep

    elif not lines:
        lines = cluster
    lines = [line for line in lines if not _BULLET.match(line)]
    body_key = token_key(" ".join(lines))
    for lead in leads:
        lead = clean_markup_text(lead)
        key = token_key(lead)
        if len(tokens(lead)) >= 8 and key in visible and key not in body_key:
            lines.insert(0, lead)
            break
    if ld_body:
        lines = _prefer_ld_body(lines, ld_body, visible)
    return lines


def _shown(line: str, visible) -> bool:
    """Is this text on the page? Sentence by sentence, since an articleBody may run paragraphs together."""
    if token_key(line) in visible:
        return True
    sentences = [s for s in re.split(r"(?<=[.!?»\"])\s+", line) if len(tokens(s)) >= 4]
    return bool(sentences) and sum(token_key(s) in visible for s in sentences) >= 0.8 * len(sentences)


def _prefer_ld_body(lines: list[str], ld_body: str, visible: str) -> list[str]:
    """JSON-LD articleBody replaces the extraction when it is at least as long and says what it says.

    Some sites truncate articleBody to a teaser; others pad it with player or
    newsletter text. It wins only when it contains our lines and is shown on the page.
    """
    ld_lines = [clean_markup_text(x) for x in re.split(r"\n+|<br\s*/?>|</p>", ld_body) if clean_markup_text(x)]
    if len(tokens(" ".join(ld_lines))) < len(tokens(" ".join(lines))):
        return lines
    ld_key = Searchable(token_key(" ".join(ld_lines)))
    ours = [line for line in lines if len(tokens(line)) >= 4]
    contained = sum(len(tokens(line)) for line in ours if token_key(line) in ld_key)
    if ours and contained < 0.9 * sum(len(tokens(line)) for line in ours):
        return lines
    visible = Searchable(visible) if isinstance(visible, str) else visible
    shown = [line for line in ld_lines if _shown(line, visible)]
    return shown if len(tokens(" ".join(shown))) >= len(tokens(" ".join(lines))) else lines


# A JSON string holding article HTML, as script-rendered sites (Next.js and the like) ship it.
_EMBEDDED_HTML = re.compile(r'"(?:(?:content|body|article|text)(?:Html|HTML|_html)?|html)"\s*:\s*"((?:[^"\\]|\\.){200,})"')


def embedded_lines(page) -> list[str]:
    """Paragraphs of article HTML embedded in a script, for pages whose markup has no text."""
    import json

    import lxml.html

    best: list[str] = []
    for script in page.tree.iter("script"):
        raw = script.text or ""
        if "<p" not in raw and "\\u003cp" not in raw and "\u003cp" not in raw:
            continue
        for match in _EMBEDDED_HTML.finditer(raw):
            try:
                fragment = json.loads(f'"{match.group(1)}"')
            except ValueError:
                continue
            if fragment.count("<p") < 2:
                continue
            try:
                root = lxml.html.fragment_fromstring(fragment, create_parent="div")
            except Exception:  # lxml rejects some fragments; one bad blob is not a failed page
                continue
            lines = [text_of(el) for el in root.iter("p", "h2", "h3") if not _bad_ancestor(el, root) and text_of(el)]
            if len(tokens(" ".join(lines))) > len(tokens(" ".join(best))):
                best = lines
    return best


def article_body(page, *, titles: list[str], leads: list[str], ld_body: str | None, container, scope=None) -> str | None:
    cluster = cluster_lines(container)
    traf = trafilatura_lines(page, fast=True, scope=scope)
    # trafilatura's fallbacks (readability, jusText) cost as much as its main pass: run
    # them only when the fast pass found clearly less than the paragraph cluster holds.
    if len(tokens(" ".join(traf))) < FALLBACK_RATIO * len(tokens(" ".join(cluster))):
        traf = trafilatura_lines(page, fast=False, scope=scope)
    if len(tokens(" ".join(traf + cluster))) < 50 and not ld_body:
        # Next to nothing in the markup: the text may be shipped as data for a script to render.
        traf = embedded_lines(page)
    lines = combine(traf, cluster, titles=titles, leads=leads, ld_body=ld_body, visible=_visible_key(page))
    return "\n\n".join(lines) or None


# trafilatura's own fallbacks run when its fast pass finds less than this share of the cluster's words.
FALLBACK_RATIO = 0.9
# Elements (of the article's scope, else of the body) past which trafilatura is not run at all.
# Far above any article: the largest of the 239 Fundus and fixture pages has 4,213 in its body.
TRAFILATURA_MAX_ELEMENTS = 20_000
# How far up from a paragraph its words count towards a container.
CLUSTER_DEPTH = 4
