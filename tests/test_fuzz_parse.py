"""parse() on broken and random input: it returns an Article or raises ParseError, nothing else.

A few thousand cases here; `make fuzz` runs 10^5 (bench/fuzz_parse.py) and prints figures.
"""

from __future__ import annotations

import gzip
import random
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.paths import generic_pages, people_fr_articles
from newsspider.items import Article
from newsspider.parsers import ParseError
from newsspider.parsing import parse
from tests.support.mutate import MUTATIONS, mutate

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
PEOPLE_PAGES = [(c["path"].read_bytes(), c["url"]) for c in people_fr_articles()]
GENERIC_PAGES = [
    (gzip.decompress(p.read_bytes()), "https://www.example.org/2024/05/01/story-123.html")
    for p in generic_pages()[:4]
]


def check(html, url):
    try:
        article = parse(html, url, now=NOW)
    except ParseError:
        return None
    assert isinstance(article, Article)
    for name in ("canonical_url", "site", "section", "language", "headline", "body", "published_at", "updated_at", "updated_at_raw"):
        value = getattr(article, name)
        assert value is None or isinstance(value, str), name
    for name in ("published_at", "updated_at"):
        value = getattr(article, name)
        if value:
            moment = datetime.fromisoformat(value)
            assert (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) <= NOW.replace(hour=23, minute=59) , "a future date"
    assert all(isinstance(a, str) and a for a in article.authors)
    assert all(set(c) == {"raw", "agency", "photographer", "caption"} for c in article.image_credits)
    assert all(isinstance(link["url"], str) and isinstance(link["title"], str) for link in article.related_links)
    return article


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_mutation_on_every_mirror_page(mutation):
    rng = random.Random(mutation.__name__)
    for html, url in PEOPLE_PAGES:
        for _ in range(5):
            check(mutation(html, rng), url)


FUZZ = settings(max_examples=1500, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.integers(0, len(PEOPLE_PAGES) - 1), st.randoms(use_true_random=False))
def test_mutated_mirror_pages(index, rng):
    html, url = PEOPLE_PAGES[index]
    check(mutate(html, rng), url)


@settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, len(GENERIC_PAGES) - 1), st.randoms(use_true_random=False))
def test_mutated_real_pages(index, rng):
    html, url = GENERIC_PAGES[index]
    check(mutate(html, rng, rounds=1), url)


TAG = st.sampled_from(["div", "p", "span", "h1", "h2", "a", "figure", "figcaption", "img", "time", "article", "table", "td", "script", "br",
                       "meta", "li", "aside", "nav"])
ATTR = st.sampled_from(["class", "id", "href", "datetime", "content", "property", "name", "itemprop", "rel", "type", "src", "alt", "title"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Dernière mise à jour à 13h34 le 19/06", "(Xinhua/Bai Xueqi)", "Foto: A/dpa", "By Jane Doe", "2024-06-01T10:00:00Z",
                     "application/ld+json", '{"@type":"NewsArticle","headline":"x"}', "related", "À lire aussi", "© AFP", "1/5", "canonical"]),
)


@st.composite
def html_documents(draw):
    def element(depth):
        tag = draw(TAG)
        attrs = "".join(f' {draw(ATTR)}="{draw(TEXT)}"' for _ in range(draw(st.integers(0, 3))))
        if depth > 4 or draw(st.booleans()):
            inner = draw(TEXT)
        else:
            inner = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 4))))
        return f"<{tag}{attrs}>{inner}</{tag}>"

    return "<html><head>" + element(3) + "</head><body>" + "".join(element(0) for _ in range(draw(st.integers(0, 6)))) + "</body></html>"


@settings(max_examples=1200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(html_documents(), st.sampled_from(["http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html",
                                          "https://www.example.org/2024/05/01/a.html", "https://x.test/"]))
def test_random_html(html, url):
    check(html, url)


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)), st.text(max_size=60))
def test_random_bytes_and_urls(data, url):
    try:
        check(data, url)
    except ParseError:
        pass


def test_non_html_inputs_raise_parse_error():
    for bad in (b"", "   ", b"\x00\x00", None, 42):
        with pytest.raises(ParseError):
            parse(bad, "https://x.test/", now=NOW)
