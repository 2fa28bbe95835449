"""Per-field fallback (issue 12): a site parser's empty field takes the generic extractor's answer, recorded in fallback_fields."""

from __future__ import annotations

import json

from tests.support.archive_helpers import crawled
from tests.support.paths import FROZEN_NOW, people_fr_articles
from newsspider.archive import Archive
from newsspider.archive.export import iter_articles
from newsspider.parsers import GenericParser
from newsspider.parsing import parse
from newsspider.parsers.page import Page, decode_html
from newsspider.sites.people_fr.parser import PeopleFrParser

CASES = [c for c in people_fr_articles() if not c["id"].endswith("-alias")]
SEED = next(c for c in CASES if c["id"] == "9074390")


def _seed(replace=()) -> str:
    html = decode_html(SEED["path"].read_bytes())
    for old, new in replace:
        assert old in html
        html = html.replace(old, new)
    return html


def test_the_mirror_needs_no_fallback():
    for case in CASES:
        assert parse(case["path"].read_bytes(), case["url"], now=FROZEN_NOW).fallback_fields == []


def test_an_update_line_the_site_parser_cannot_find_takes_the_generic_date():
    meta = '<meta property="article:modified_time" content="2016-06-19T13:34:00+08:00" />'
    html = _seed([("Dernière mise à jour à 13h34 le 19/06", "Actualisé : 19 juin"), ("<head>", "<head>" + meta)])
    article = parse(html, SEED["url"], now=FROZEN_NOW)
    assert article.updated_at == "2016-06-19T13:34:00+08:00"
    assert article.fallback_fields == ["updated_at"]
    assert article.body == SEED["expected"]["body"]  # the other fields are still the site parser's


def test_a_headline_only_json_ld_states_comes_from_the_generic_extractor():
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Un titre que seul le JSON-LD donne"}</script>'
    html = _seed([("<h1>", "<div>"), ("</h1>", "</div>"), ("<!--enpproperty", "<!--x"), ("<head>", "<head>" + ld)])
    html = html.replace("<title>", "<x-title>").replace("</title>", "</x-title>")
    article = parse(html, SEED["url"], now=FROZEN_NOW)
    assert article.headline == "Un titre que seul le JSON-LD donne"
    assert "headline" in article.fallback_fields


def test_an_update_line_seen_and_refused_is_not_replaced():
    from datetime import datetime, timezone

    meta = '<meta property="article:modified_time" content="2016-06-17T10:00:00+08:00" />'
    article = parse(_seed([("<head>", "<head>" + meta)]), SEED["url"], now=datetime(2016, 6, 18, tzinfo=timezone.utc))
    assert article.updated_at is None and "updated_at" not in article.fallback_fields


def test_the_fallback_is_the_plain_generic_answer_through_the_field_methods():
    page = Page(_seed([("Dernière mise à jour à 13h34 le 19/06", "")]), SEED["url"], now=FROZEN_NOW)
    parser = PeopleFrParser(page)
    assert parser.fallback("body") == GenericParser(page).body()
    assert GenericParser(page).fallback("body") is None  # the generic parser has no second opinion


def test_fallback_fields_are_stored_loaded_and_exported(tmp_path):
    item = crawled("9074390")
    item.article.fallback_fields = ["updated_at", "image_credits"]
    with Archive(tmp_path / "a.db") as archive:
        archive.write([item])
        stored = archive.find_article(item.article.canonical_url)
        assert stored.fallback_fields == ["updated_at", "image_credits"]
        row = next(archive.db.query("select fallback_fields from articles"))
        assert json.loads(row["fallback_fields"]) == ["updated_at", "image_credits"]
        assert next(iter_articles(archive.db))["fallback_fields"] == ["updated_at", "image_credits"]


# ---- the alarm says which field fell back ---------------------------------------------------------
from newsspider.runs import health  # noqa: E402


def _run(fallback_share: float | None, articles: int = 10) -> dict:
    run = {"articles": articles, **{name: 1.0 for name in health.FIELDS}}
    if fallback_share is not None:
        run["fallback"] = {name: (fallback_share if name == "body" else 0.0) for name in health.FIELDS}
    return run


def test_coverage_counts_site_parser_hits_and_fallbacks_apart():
    from newsspider.items import Article

    stats: dict = {}

    class Stats:
        def inc_value(self, key, count=1):
            stats[key] = stats.get(key, 0) + count

    for fell_back in (["body"], [], []):
        health.count(Stats(), Article(url="u", site="s", headline="h", body="b", fallback_fields=fell_back))
    cov = health.coverage_from_stats(stats)["s"]
    assert cov["body"] == 1.0 and cov["site_parser"]["body"] == 0.6667 and cov["fallback"]["body"] == 0.3333
    assert cov["site_parser"]["headline"] == 1.0 and cov["fallback"]["headline"] == 0.0


def test_a_jump_in_fallbacks_alarms_while_coverage_holds():
    history = [_run(0.0), _run(0.1), _run(0.0)]
    found = health.alarms("s", _run(0.9), history)
    assert [(a["field"], a["kind"]) for a in found] == [("body", "fallback")]
    assert health.describe(found) == "s body from the generic fallback on 90% of articles (usually 0%)"
    assert health.alarms("s", _run(0.2), history) == []  # a small rise is not a redesign
    assert health.alarms("s", _run(0.9), [_run(None), _run(None)]) == []  # runs that never counted fallbacks say nothing


def test_a_page_without_text_in_its_markup_gets_no_fallback_body_of_menu_lines():
    html = _seed()
    start, end = html.index("<!--enpcontent-->"), html.index("<!--/enpcontent-->")
    html = html[:start] + "<script>document.write('<p>' + 'Texte rendu par un script. '.repeat(40) + '</p>');</script>" + html[end:]
    article = parse(html, SEED["url"], now=FROZEN_NOW)
    assert article.body is None and "body" not in article.fallback_fields
