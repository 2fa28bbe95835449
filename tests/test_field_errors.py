"""A field whose extraction fails costs that field, not the article; JSON-LD is read to a bounded depth."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import FROZEN_NOW, run_cli
from newsspider.parsers import GenericParser
from newsspider.parsing import parse, parse_page
from newsspider.parsers.page import MAX_JSONLD_DEPTH, Page

URL = "https://x.org/2024/05/01/deep-story.html"
TEXT = "<p>Some text of the article that is long enough to count as the body of a news story.</p>" * 5


def page_with_ld(ld: str) -> str:
    return (f'<html><head><script type="application/ld+json">{ld}</script></head>'
            f"<body><article><h1>Deep waters</h1>{TEXT}</article></body></html>")


@pytest.mark.parametrize("ld", [
    '{"a":' * 1000 + "1" + "}" * 1000,
    '{"@type": "NewsArticle", "headline": "Deep waters", "author": ' + '{"name": ' * 1000 + '"x"' + "}" * 1001,
    "[" * 5000 + "]" * 5000,
    # Deep, but decodable: cut at MAX_JSONLD_DEPTH where the fields walk it.
    '{"@type": "NewsArticle", "headline": "Deep waters", "author": ' + "[" * 500 + '"Ann Example"' + "]" * 500 + "}",
])
def test_deeply_nested_json_ld_leaves_the_page_readable(ld):
    parsed = parse_page(page_with_ld(ld), URL, now=FROZEN_NOW)
    assert parsed.article.headline == "Deep waters"
    assert "long enough to count" in parsed.article.body
    assert parsed.field_errors == {}


def test_json_ld_is_cut_at_its_depth_limit():
    nested = {"@type": "NewsArticle", "headline": "Deep waters"}
    inner = nested
    for _ in range(MAX_JSONLD_DEPTH + 5):
        inner["x"] = {}
        inner = inner["x"]
    objects = Page(page_with_ld(json.dumps(nested)), URL).jsonld
    depth, node = 0, objects[0]
    while isinstance(node, dict) and node.get("x") is not None:
        node, depth = node["x"], depth + 1
    assert depth == MAX_JSONLD_DEPTH - 1


class Broken(GenericParser):
    def authors(self):
        raise RuntimeError("a bug in one field")


def test_a_failing_field_costs_that_field_only(monkeypatch):
    from newsspider import parsing

    monkeypatch.setattr(parsing, "parser_for", lambda url, at=None: Broken)
    parsed = parse_page(page_with_ld("{}"), URL, now=FROZEN_NOW)
    assert parsed.article.authors == [] and parsed.article.headline == "Deep waters"
    assert parsed.field_errors == {"authors": "Broken.authors: RuntimeError('a bug in one field')"}
    assert parse(page_with_ld("{}"), URL, now=FROZEN_NOW).authors == []


def test_extract_batch_names_the_failed_fields(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(page_with_ld('{"a":' * 1000 + "1" + "}" * 1000), encoding="utf-8")
    run = run_cli("extract", "--batch", "--now", FROZEN_NOW.isoformat(), input=json.dumps({"url": URL, "path": str(page)}) + "\n")
    [line] = [json.loads(x) for x in run.stdout.splitlines()]
    assert line["article"]["headline"] == "Deep waters" and "field_errors" not in line
