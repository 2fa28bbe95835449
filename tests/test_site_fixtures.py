"""Every case of every site parser: tests/fixtures/sites/<site>/<case>.html.gz against <case>.json.

This is the layout `newsspider save-fixture` writes (newsspider/commands/save_fixture.py): a case is
collected by being there, with no test to write. The .json holds the article's fields as a
person checked them, plus how to parse the page again: "url", "fetched_at" (the parser's
`now`, which also picks the parser version) and, when the server gave one, "encoding".
A field the .json leaves out is not checked.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import fields
from datetime import datetime

import pytest

from tests.support.paths import FIXTURES
from newsspider.items import Article
from newsspider.parsing import parse_page, registered_hosts
from newsspider.commands.save_fixture import CASE_KEYS

SITES = FIXTURES / "sites"
ARTICLE_FIELDS = {f.name for f in fields(Article)}
CASES = sorted(SITES.glob("*/*.json"))


def _id(path):
    return f"{path.parent.name}/{path.stem}"


def _load(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    html = gzip.decompress(path.with_suffix("").with_suffix(".html.gz").read_bytes())
    parsed = parse_page(html, case["url"], now=datetime.fromisoformat(case["fetched_at"]), encoding=case.get("encoding"))
    return case, parsed


def test_every_site_parser_has_a_case():
    # The site packages' parsers, not the throwaway ones other tests register.
    sites = {parser.name for parser in registered_hosts().values() if parser.__module__.startswith("newsspider.sites.")}
    assert sites, "no site parser registered"
    assert sites <= {p.parent.name for p in CASES}, f"site parsers without a case in {SITES}"


def test_every_case_has_its_page_and_the_pages_credit_their_source():
    assert CASES
    for path in CASES:
        assert path.with_suffix("").with_suffix(".html.gz").exists(), f"{path}: no page beside it"
    for page in SITES.glob("*/*.html.gz"):
        assert page.with_suffix("").with_suffix(".json").exists(), f"{page}: no .json beside it"
    # Pages copied from Fundus keep its licence line (README of the fixtures folder).
    assert "MIT, flairNLP/fundus" in (SITES / "README.md").read_text(encoding="utf-8")


def check_case(path):
    """The case's checks, also run by tests/test_save_fixture.py on what save-fixture writes."""
    case, parsed = _load(path)
    assert not case.get("_draft"), f"{path.name} is a save-fixture draft: check it against the page, then remove _draft and _note"
    unknown = set(case) - ARTICLE_FIELDS - set(CASE_KEYS)
    assert not unknown, f"{path.name}: keys that are not Article fields: {sorted(unknown)}"
    # The folder is the site: a case read by another site's parser is misfiled.
    assert parsed.article.site == path.parent.name, f"{path.name} is read by {parsed.parser} as site {parsed.article.site!r}"
    article = parsed.article.to_dict()
    checked = {k: v for k, v in case.items() if k in ARTICLE_FIELDS}
    assert {k: article[k] for k in checked} == checked
    assert not parsed.field_errors


@pytest.mark.parametrize("path", CASES, ids=[_id(p) for p in CASES])
def test_case(path):
    check_case(path)
