"""people_fr parser against the mirror's expected extraction, field by field."""

from __future__ import annotations

import pytest

from tests.support.paths import FROZEN_NOW, people_fr_articles
from tests.support.layouts import NO_RELATED, VARIANTS
from newsspider.items import ARTICLE_FIELDS
from newsspider.parsing import parse, parser_for
from newsspider.parsers.page import decode_html
from newsspider.sites.people_fr.parser import PeopleFrParser

CASES = people_fr_articles()
FIELD_CASES = [(case, field) for case in CASES for field in sorted(case["expected"])]


def _parse(case, html=None):
    return parse(html if html is not None else case["path"].read_bytes(), case["url"], now=FROZEN_NOW)


@pytest.fixture(scope="module")
def parsed():
    return {case["id"]: _parse(case).to_dict() for case in CASES}


def test_the_mirror_is_all_there():
    assert len(CASES) == 13  # 12 articles and one alias copy
    assert sum(len(c["expected"]) for c in CASES) == len(FIELD_CASES)
    assert len(LAYOUT_CASES) >= 5 * 12  # each variant changes nearly every page


@pytest.mark.parametrize("case,field", FIELD_CASES, ids=[f"{c['id']}-{f}" for c, f in FIELD_CASES])
def test_field(parsed, case, field):
    assert parsed[case["id"]][field] == case["expected"][field]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fields_the_mirror_does_not_state(parsed, case):
    article = parsed[case["id"]]
    assert set(article) == set(ARTICLE_FIELDS)
    # Section is the URL's first segment; published_at the CMS's own timestamp.
    assert article["section"] == case["page"]["section"]
    assert article["published_at"].startswith(case["url"].split("/n3/")[1][:4])
    assert article["published_at"].endswith("+08:00")
    assert article["published_at"] <= article["updated_at"]
    assert article["authors"] == []


def test_alias_host_uses_the_same_parser():
    assert parser_for("http://french.people.com.cn/Economie/n3/2021/0714/c31355-9872415.html") is PeopleFrParser
    assert parser_for("http://french.peopledaily.com.cn/x") is PeopleFrParser


def test_https_and_query_fold_into_the_canonical_url():
    case = next(c for c in CASES if c["id"] == "9074390")
    article = parse(case["path"].read_bytes(), "https://french.people.com.cn/Economie/n3/2016/0619/c31355-9074390.html?from=rss#top", now=FROZEN_NOW)
    assert article.canonical_url == case["expected"]["canonical_url"]
    assert article.url.startswith("https://french.people.com.cn/")


# Only the pairs where the variant changes something (a page without images has no figures to rewrite).
LAYOUT_CASES = [
    (name, case)
    for name in VARIANTS
    for case in CASES
    if not case["id"].endswith("-alias") and VARIANTS[name](decode_html(case["path"].read_bytes())) != decode_html(case["path"].read_bytes())
]


@pytest.mark.parametrize("variant,case", LAYOUT_CASES, ids=[f"{n}-{c['id']}" for n, c in LAYOUT_CASES])
def test_other_templates_keep_every_field(variant, case):
    """The same articles in other markup (see tests/support/layouts.py) must give the same answer."""
    html = decode_html(case["path"].read_bytes())
    changed = VARIANTS[variant](html)
    article = _parse(case, changed).to_dict()
    mismatched = {f: article[f] for f, v in case["expected"].items() if article[f] != v}
    assert not mismatched


@pytest.mark.parametrize("case", [c for c in CASES if not c["id"].endswith("-alias")], ids=lambda c: c["id"])
def test_no_related_list_gives_empty_list_not_the_sidebar(case):
    html = NO_RELATED["without-related"](decode_html(case["path"].read_bytes()))
    assert "d2_related" not in html
    article = _parse(case, html)
    assert article.related_links == []
    assert article.body == case["expected"]["body"]


def test_template_without_h1_falls_back_to_title_without_suffix():
    case = CASES[0]
    html = decode_html(case["path"].read_bytes()).replace("<h1>", "<div class='t'>").replace("</h1>", "</div>")
    html = html.replace("<!--enpproperty", "<!--x")
    assert _parse(case, html).headline == case["expected"]["headline"]


def test_update_line_missing_gives_null_not_a_guess():
    case = CASES[0]
    html = decode_html(case["path"].read_bytes()).replace("Dernière mise à jour à 13h34 le 19/06", "")
    article = _parse(case, html)
    assert article.updated_at is None and article.updated_at_raw is None


def test_update_line_in_the_future_is_rejected():
    case = CASES[0]  # URL 2016/0619, line "le 19/06": not yet true on 2016-06-18
    from datetime import datetime, timezone

    article = parse(case["path"].read_bytes(), case["url"], now=datetime(2016, 6, 18, tzinfo=timezone.utc))
    assert article.updated_at is None
    assert article.updated_at_raw == case["expected"]["updated_at_raw"]
