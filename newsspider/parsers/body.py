"""The article text: trafilatura's extraction of the whole page, changed only on named evidence.

trafilatura (chosen for its F1 on the Zyte benchmark) is the baseline, run on the whole
page with recall-oriented settings. The overrides, each switchable in parsers/rules.py
and measured per page and per fold of publishers by `newsspider eval --folds`:
- the paragraph cluster (the <p> and subheads of the densest container, minus boxes
  marked as related, teaser, caption, ...) replaces a text that is empty or under a
  quarter of its words;
- lines the cluster does not hold are dropped, when what both hold is most of the text;
- headline lines and figure captions are dropped;
- the lead (the page's description, shown on the page) is put back when it was lost.
Rules that did not generalise across folds were removed (docs/EVALUATION.md lists them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import cache

from . import rules, vocab

from .text import clean, clean_markup_text, tag_of, text_of

_TOKEN = re.compile(r"\w+")
_BOILERPLATE = vocab.boxes(
    vocab.OTHER_ARTICLES, vocab.MORE_ARTICLES, vocab.ADVERTISING, vocab.SIDE_BOXES, vocab.COMMENTS, vocab.NAVIGATION,
    # Not body text, though inside the article: its furniture, paywall prompts and players.
    ("subscribe", "paywall-?(?:prompt|offer|box|banner|message|cta|overlay)", "caption", "credit", "copyright", "factbox",
     "fact-box", "infobox", "info-box", "timeseries", "tags?-?list", "author-?bio", "byline", "under-article", "consent",
     "banner", "meta-?data", "dateline", "audio", "player"),
)
_SKIP_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "footer", "header", "form", "button", "table",
                        "noscript", "script", "style", "template", "svg"})


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


def trafilatura_lines(page) -> list[str]:
    """trafilatura on the whole page, with the settings of its own benchmark runs for recall.

    The whole page, not a sub-tree we chose: on a layout we have never seen, our choice of
    sub-tree is one more way to lose text. `favor_recall` is also its fastest mode here.
    """
    import trafilatura

    # The nodes body.iter() walks (elements, comments, processing instructions), counted without walking them in Python.
    nodes = len(page.elements) + int(page.body.xpath("count(descendant::comment()|descendant::processing-instruction())"))
    if nodes > TRAFILATURA_MAX_ELEMENTS:
        # trafilatura's passes grow faster than the page; past this size the paragraph cluster
        # (the second opinion) is the body alone.
        return []
    try:
        doc = trafilatura.bare_extraction(
            page.tree, url=page.url, with_metadata=False, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, favor_recall=True,
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


def _words(lines: list[str]) -> int:
    return len(tokens(" ".join(lines)))


def overrides(traf: list[str], *, cluster: Callable[[], list[str]], titles: list[str], captions: list[str], leads: list[str],
              visible: str, embedded=lambda: []) -> list[str]:
    """trafilatura's lines, changed only by the rules of parsers/rules.py that are on.

    `cluster` is a callable giving the paragraph-cluster lines (computed only if a rule asks).
    """
    lines = traf
    if rules.on("body.cluster_when_short"):
        # Unconfirmed out of fold (it fires on one Fundus page), kept: there it is the only body, where
        # trafilatura returns nothing (docs/EVALUATION.md gives the figures).
        cluster_text = cluster()
        if _words(lines) < SHORT_SHARE * _words(cluster_text):
            lines = cluster_text
        if _words(lines) < 50:
            # Next to nothing in the markup: the text may be shipped as data for a script to render.
            shipped = embedded()
            if _words(shipped) > _words(lines):
                lines = shipped
    if rules.on("body.drop_headline"):
        heads = {token_key(t) for t in titles if t}
        lines = [line for line in lines if token_key(line) not in heads]
    if rules.on("body.confirm_by_cluster"):
        cluster_text = cluster()
        if lines and cluster_text:
            confirmed = Searchable(token_key(" \n ".join(cluster_text)))
            keep = [line for line in lines if token_key(line) in confirmed or len(tokens(line)) >= LONG_LINE]
            if _words(keep) >= 0.6 * _words(lines):
                lines = keep
    if rules.on("body.drop_captions"):
        shown = {token_key(c) for c in captions if len(tokens(c)) >= 3}
        lines = [line for line in lines if token_key(line) not in shown]
    if rules.on("body.lead"):
        body_key = token_key(" ".join(lines))
        # A description that is a figure's caption (pages that describe themselves by their first
        # photo) is shown under the image, not as the article's first paragraph.
        shown_captions = {token_key(c) for c in captions if len(tokens(c)) >= 3} if rules.on("body.lead_not_caption") else set()
        for lead in leads:
            lead = clean_markup_text(lead)
            key = token_key(lead)
            if len(tokens(lead)) >= 8 and key in visible and key not in body_key and key not in shown_captions:
                lines = [lead, *lines]
                break
    return lines


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


def article_body(page, *, titles: list[str], leads: list[str], container, captions: list[str] = ()) -> str | None:
    lines = overrides(
        trafilatura_lines(page), cluster=cache(lambda: cluster_lines(container)), titles=titles, captions=list(captions),
        leads=leads, visible=_visible_key(page), embedded=lambda: embedded_lines(page),
    )
    return "\n\n".join(lines) or None


# Elements of the body past which trafilatura is not run at all.
# Far above any article: the largest of the 239 Fundus and fixture pages has 4,213 in its body.
TRAFILATURA_MAX_ELEMENTS = 20_000
# trafilatura's text gives way to the paragraph cluster when it holds less than this share of its words
# (0.5 hurt more pages than it helped; 0.2-0.3 score alike).
SHORT_SHARE = 0.25
# How far up from a paragraph its words count towards a container.
CLUSTER_DEPTH = 4
# A line this long is kept even when the cluster misses it: a paragraph, not a teaser or a link list
# (without it the rule dropped first paragraphs the cluster had missed; at 30, paywall notices came back).
LONG_LINE = 50
