"""The by-line scan's cheap check (#16) never skips an element the full scan would take.

`_may_be_by_line` must be true of every element whose visible text reads as a by-line: checked
element by element on every fixture page, and on markup made to defeat it.
"""

from __future__ import annotations

import gzip

import lxml.html
import pytest

from newsspider.parsers import authors
from newsspider.parsers.page import Page
from newsspider.parsers.text import text_of
from tests.support.paths import FIXTURES

PAGES = sorted(FIXTURES.rglob("*.html.gz")) + sorted(FIXTURES.rglob("*.html"))
CANDIDATES = ("p", "span", "div", "a", "address", "li")


def _reads_as_by_line(el) -> bool:
    value = text_of(el)
    return bool(value) and len(value) <= 80 and authors._BY_LINE.match(value) is not None


def _read(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def test_every_fixture_page_has_pages():
    assert len(PAGES) > 150


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_check_holds_for_every_element_of_a_fixture_page(path):
    body = Page(_read(path), "https://example.org/a").body
    missed = [text_of(el) for el in body.iter(*CANDIDATES) if _reads_as_by_line(el) and not authors._may_be_by_line(el)]
    assert missed == []
    assert authors._by_pattern(body) == authors._by_pattern(body, fast=False)


TRICKY = [
    "<div><p><script>var x = 1;</script>By Jane Doe</p></div>",
    "<div><p><style>.a{}</style> von Max Kolter</p></div>",
    "<div><p><b>B</b>y Jane Doe</p></div>",
    "<div><p>By<br>Jane Doe</p></div>",
    "<div><p>\u00a0\u202f By\u00a0Jane Doe</p></div>",
    "<div><span><!-- note -->par Marie Curie</span></div>",
    "<div><p><noscript>enable js</noscript><span>BY JANE DOE</span></p></div>",
    "<div><p><svg><title>icon</title></svg>Door Anne de Vries</p></div>",
    "<div><a href='/x'>di Mario Rossi</a></div>",
    "<div><li><template>By Nobody</template>Hello</li></div>",
]


@pytest.mark.parametrize("markup", TRICKY)
def test_the_check_holds_on_markup_made_to_defeat_it(markup):
    root = lxml.html.fragment_fromstring(markup)
    for el in root.iter(*CANDIDATES):
        if _reads_as_by_line(el):
            assert authors._may_be_by_line(el), lxml.html.tostring(el)
    assert authors._by_pattern(root) == authors._by_pattern(root, fast=False)


def test_the_check_skips_lines_that_cannot_be_by_lines():
    root = lxml.html.fragment_fromstring("<div><p>Hello world</p><span>Lundi, 3 décembre</span></div>")
    assert [authors._may_be_by_line(el) for el in root.iter("p", "span")] == [False, False]
    assert authors._may_be_by_line(lxml.html.fragment_fromstring("<p>By Jane Doe</p>"))
