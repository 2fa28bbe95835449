"""people_fr under redesigns: each failure class of issue 12 as a test built from the mirror's articles.

The layouts are in tests/support/layouts.py (REDESIGNS); `bench/drift.py` prints the per-layout field counts.
"""

from __future__ import annotations

import pytest

from tests.support.paths import FROZEN_NOW, people_fr_articles
from tests.support.layouts import REDESIGNS
from newsspider.parsing import parse
from newsspider.parsers.page import decode_html

CASES = [c for c in people_fr_articles() if not c["id"].endswith("-alias")]
SEED = next(c for c in CASES if c["id"] == "9074390")


def _html(case) -> str:
    return decode_html(case["path"].read_bytes())


def _redesigned(name, case):
    html, expected = REDESIGNS[name](_html(case), case["expected"])
    return parse(html, case["url"], now=FROZEN_NOW), expected


def _check(name, fields):
    """Every case of layout `name`: the listed fields as expected."""
    wrong = {}
    for case in CASES:
        article, expected = _redesigned(name, case)
        for field in fields:
            if getattr(article, field) != expected[field]:
                wrong[(case["id"], field)] = getattr(article, field)
    assert not wrong


# ---- 1. the update line, however it is worded -----------------------------------------------------
@pytest.mark.parametrize("name", [n for n in REDESIGNS if n.startswith("update-")])
def test_update_line_wordings(name):
    _check(name, ("updated_at", "updated_at_raw"))


def test_update_line_before_the_url_date_is_not_the_previous_year():
    """Issue 10 item 14: URL 2024/0101, published 09:00, "23h50 le 31/12" is 2024-12-31, never before publication."""
    html = _html(SEED).replace("<date>2016-06-19 13:29:41.0</date>", "<date>2024-01-01 09:00:00.0</date>")
    html = html.replace("Dernière mise à jour à 13h34 le 19/06", "Dernière mise à jour à 23h50 le 31/12")
    url = "http://french.peopledaily.com.cn/Economie/n3/2024/0101/c31355-9074390.html"
    article = parse(html, url, now=FROZEN_NOW)
    assert article.published_at == "2024-01-01T09:00:00+08:00"
    assert article.updated_at == "2024-12-31T23:50:00+08:00"
    assert article.published_at <= article.updated_at
    from datetime import datetime, timezone

    early = parse(html, url, now=datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert early.updated_at is None and early.updated_at_raw == "Dernière mise à jour à 23h50 le 31/12"


# ---- 2. the body, however its paragraphs are marked up -------------------------------------------
@pytest.mark.parametrize("name", ["br-paragraphs", "div-paragraphs"])
def test_paragraphs_however_separated(name):
    _check(name, ("body", "image_credits"))


@pytest.mark.parametrize("name", ["inline-read-also", "inline-read-also-bold", "share-and-newsletter-in-text", "ad-label-between-paragraphs"])
def test_read_also_share_and_newsletter_lines_are_not_the_body(name):
    _check(name, ("body", "related_links"))


def test_a_page_cut_inside_a_character_keeps_its_complete_paragraphs():
    raw = SEED["path"].read_bytes()
    cut = raw.index("l'année dernière".encode()) + len("l'ann".encode()) + 1  # after the first byte of "é"
    article = parse(raw[:cut], SEED["url"], now=FROZEN_NOW)
    paragraphs = SEED["expected"]["body"].split("\n\n")
    kept = [p for p in paragraphs if "AliExpress" not in p][:5]
    assert article.body == "\n\n".join(kept)
    assert "Ã" not in article.body and "\ufffd" not in article.body
    assert article.headline == SEED["expected"]["headline"]


# ---- 3. the headline, whatever its tag --------------------------------------------------------------
@pytest.mark.parametrize("name", ["heading-h2-print-title", "heading-div-logo-h1", "print-view", "print-view-font", "responsive"])
def test_headline_is_the_heading_never_the_print_title(name):
    _check(name, ("headline",))


# ---- 4. related links, recognised by their heading's wording ---------------------------------------
@pytest.mark.parametrize("name", [n for n in REDESIGNS if n.startswith("related-")] + ["print-view", "print-view-font", "responsive"])
def test_related_block_by_its_heading_cards_reduced_to_their_title(name):
    _check(name, ("related_links",))


@pytest.mark.parametrize("name", ["no-related-nav-share", "responsive-no-related-most-read", "print-view-no-related"])
def test_no_related_section_gives_none_not_navigation_or_share_links(name):
    _check(name, ("related_links", "body"))


def test_a_card_title_loses_its_glued_date_and_summary():
    article, expected = _redesigned("related-cards-summary", SEED)
    assert article.related_links == expected["related_links"]
    assert not any(link["title"].endswith("2021") or "résumé" in link["title"] for link in article.related_links)


# ---- 5. image credits without figure markup, and in <figcaption> in their three forms ------------
@pytest.mark.parametrize("name", ["print-view", "print-view-font", "br-paragraphs", "responsive", "responsive-photo-credit",
                                  "responsive-copyright-credit"])
def test_image_credits_in_print_and_responsive_pages(name):
    _check(name, ("image_credits",))


# ---- 8. every layout keeps every expected field -------------------------------------------------------
@pytest.mark.parametrize("name", list(REDESIGNS))
def test_every_redesign_keeps_every_field(name):
    _check(name, tuple(SEED["expected"]))
