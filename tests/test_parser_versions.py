"""Dated parser versions (Fundus' VALID_UNTIL): the fetch date picks the version."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from newsspider.parsers import GenericParser
from newsspider.parsing import parse_page, parser_for, registered_hosts, registered_versions
from newsspider.sites.people_fr.parser import PeopleFrParser

HTML = "<html><body><h1>Real headline</h1><p>" + "Text of the story. " * 30 + "</p></body></html>"


class OldLayout(GenericParser):
    name = "versions-test"
    hosts = ("versions.test",)
    VALID_UNTIL = date(2020, 1, 1)

    def headline(self) -> str | None:
        return "old layout"


class OlderLayout(OldLayout):
    VALID_UNTIL = date(2015, 1, 1)

    def headline(self) -> str | None:
        return "older layout"


class CurrentLayout(GenericParser):
    name = "versions-test"
    hosts = ("versions.test",)


@pytest.mark.parametrize(("at", "expected"), [
    (datetime(2014, 12, 31, tzinfo=timezone.utc), OlderLayout),
    (date(2015, 1, 1), OldLayout),  # VALID_UNTIL is the first day a version no longer reads
    (datetime(2019, 12, 31, 23, 59, tzinfo=timezone.utc), OldLayout),
    (datetime(2020, 1, 1, tzinfo=timezone.utc), CurrentLayout),
    (None, CurrentLayout),
])
def test_fetch_date_picks_the_version(at, expected):
    assert parser_for("https://versions.test/a", at=at) is expected
    assert registered_versions()["versions.test"] == [OlderLayout, OldLayout, CurrentLayout]
    assert registered_hosts()["versions.test"] is CurrentLayout


def test_parse_reads_with_the_version_of_the_fetch_day_and_says_which():
    old = parse_page(HTML, "https://versions.test/2019/story.html", now=datetime(2019, 6, 1, tzinfo=timezone.utc))
    new = parse_page(HTML, "https://versions.test/2019/story.html", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert (old.article.headline, old.parser, old.parser_version) == ("old layout", "OldLayout", "2020-01-01")
    assert (new.article.headline, new.parser, new.parser_version) == ("Real headline", "CurrentLayout", "current")


def test_two_versions_valid_until_the_same_day_are_refused():
    with pytest.raises(RuntimeError, match="claimed by both"):
        type("Clash", (GenericParser,), {"hosts": ("versions.test",), "VALID_UNTIL": date(2020, 1, 1), "__module__": __name__})


def test_people_fr_is_registered_from_its_package_for_every_host():
    for host in ("french.peopledaily.com.cn", "french.people.com.cn"):
        assert parser_for(f"http://{host}/Economie/n3/2016/0619/c31355-9074390.html") is PeopleFrParser
    assert PeopleFrParser.version() == "current"


def test_site_parsers_override_only_fields_and_named_hooks():
    from newsspider.items import PARSED_FIELDS
    from newsspider.parsers.base import registered_versions

    allowed = set(PARSED_FIELDS) | set(GenericParser.HOOKS) | {"name", "hosts", "VALID_UNTIL", "FALLBACK_FIELDS"}
    for versions in registered_versions().values():
        for cls in versions:
            overridden = {n for n in cls.__dict__ if hasattr(GenericParser, n) and not n.startswith("__")}
            assert overridden <= allowed, (cls.__name__, overridden - allowed)
