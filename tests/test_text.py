from __future__ import annotations

import lxml.html
import pytest

from newsspider.parsers.text import clean, strip_title_suffix, text_of


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("  a\u00a0\u00a0b\u202fc\n\t d ", "a b c d"),
        ("", ""),
        (None, ""),
        ("« Bonjour »", "« Bonjour »"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_text_of_skips_scripts_and_comments_but_keeps_their_tails():
    el = lxml.html.fromstring("<div>a<!-- c -->b<span>x</span>y<br>z<script>bad()</script>t<p>para</p>end</div>")
    assert text_of(el) == "abxy zt para end"


def test_text_of_survives_deep_nesting():
    root = node = lxml.html.Element("div")
    for _ in range(5000):  # built by hand: libxml2 caps the depth it parses
        node = lxml.html.etree.SubElement(node, "div")
    node.text = "deep"
    assert text_of(root) == "deep"


@pytest.mark.parametrize(
    "title,expected",
    [
        ("Jack Ma : Alibaba suit de près le développement des PME russes - French.peopledaily.com.cn",
         "Jack Ma : Alibaba suit de près le développement des PME russes"),
        ("Story title | The Guardian", "Story title"),
        ("A headline - with a dash inside it and more words than a brand", "A headline - with a dash inside it and more words than a brand"),
    ],
)
def test_strip_title_suffix(title, expected):
    assert strip_title_suffix(title, site_names=("peopledaily.com.cn",)) == expected
