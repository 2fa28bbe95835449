from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from newsspider.parsers.dates import find_fr_update_line, infer_year, parse_cms_timestamp, resolve_update_line, url_date

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "anchor,day,month,expected",
    [
        (date(2016, 6, 19), 19, 6, date(2016, 6, 19)),  # same day
        (date(2016, 5, 31), 1, 6, date(2016, 6, 1)),  # next month
        (date(2016, 12, 31), 2, 1, date(2017, 1, 2)),  # rollover into next year
        (date(2016, 12, 20), 15, 1, date(2017, 1, 15)),
        (date(2017, 1, 2), 31, 12, date(2016, 12, 31)),  # URL after the line: previous year
        (date(2016, 6, 19), 19, 12, date(2016, 12, 19)),  # six months later, same year
        (date(2016, 2, 28), 29, 2, date(2016, 2, 29)),  # leap day exists in 2016
        (date(2018, 1, 3), 3, 1, date(2018, 1, 3)),
    ],
)
def test_infer_year(anchor, day, month, expected):
    assert infer_year(day, month, anchor) == expected


@pytest.mark.parametrize("day,month", [(31, 2), (30, 2), (0, 1), (12, 13), (32, 1)])
def test_impossible_days_give_none(day, month):
    assert infer_year(day, month, date(2016, 6, 19)) is None


def test_leap_day_in_a_non_leap_year_gives_none():
    assert infer_year(29, 2, date(2017, 2, 20)) is None


def test_never_after_the_crawl_date():
    assert infer_year(2, 1, date(2016, 12, 31), latest=date(2016, 12, 31)) is None
    assert infer_year(2, 1, date(2016, 12, 31), latest=date(2017, 1, 2)) == date(2017, 1, 2)


@pytest.mark.parametrize(
    "text,raw,parts",
    [
        ("Dernière mise à jour à 13h34 le 19/06", "Dernière mise à jour à 13h34 le 19/06", (13, 34, 19, 6)),
        ("Dernière mise à jour à 9h05 le 3/01", "Dernière mise à jour à 9h05 le 3/01", (9, 5, 3, 1)),
        ("xx Dernière  mise\u00a0à jour à 08h26 le 13/09 | Source", "Dernière mise à jour à 08h26 le 13/09", (8, 26, 13, 9)),
        ("Derniere mise a jour a 10h12 le 02/01", "Derniere mise a jour a 10h12 le 02/01", (10, 12, 2, 1)),
        ("Dernière mise à jour : 13:34, le 19/06", "Dernière mise à jour : 13:34, le 19/06", (13, 34, 19, 6)),
    ],
)
def test_update_line_forms(text, raw, parts):
    line = find_fr_update_line(text)
    assert line.raw == raw
    assert (line.hour, line.minute, line.day, line.month) == parts


def test_no_update_line():
    assert find_fr_update_line("Mis en ligne le 19/06") is None


@pytest.mark.parametrize(
    "url,text,expected",
    [
        ("http://x/Economie/n3/2016/0619/c1-1.html", "Dernière mise à jour à 13h34 le 19/06", "2016-06-19T13:34:00+08:00"),
        ("http://x/VieSociale/n3/2016/1231/c1-1.html", "Dernière mise à jour à 10h12 le 02/01", "2017-01-02T10:12:00+08:00"),
        ("http://x/Culture/n3/2018/0103/c1-1.html", "Dernière mise à jour à 9h05 le 3/01", "2018-01-03T09:05:00+08:00"),
        ("http://x/Chine/n3/2016/0531/c1-1.html", "Dernière mise à jour à 10h21 le 01/06", "2016-06-01T10:21:00+08:00"),
        ("http://x/Chine/n3/2016/0531/c1-1.html", "Dernière mise à jour à 25h21 le 01/06", None),  # no such hour
        ("http://x/Chine/n3/2016/0531/c1-1.html", "Dernière mise à jour à 10h21 le 31/02", None),
        ("http://x/no-date-in-url.html", "Dernière mise à jour à 10h21 le 01/06", None),  # no year anywhere: no guess
        ("http://x/a/n3/2025/1231/c1-1.html", "Dernière mise à jour à 10h21 le 02/01", None),  # 2026-01-02 is after NOW
    ],
)
def test_resolve_update_line(url, text, expected):
    assert resolve_update_line(find_fr_update_line(text), url_date(url), now=NOW) == expected


def test_year_on_the_line_wins():
    line = find_fr_update_line("Dernière mise à jour à 10h21 le 01/06/2015")
    assert resolve_update_line(line, date(2016, 5, 31), now=NOW) == "2015-06-01T10:21:00+08:00"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html", date(2016, 6, 19)),
        ("https://example.org/2024/03/07/story", date(2024, 3, 7)),
        ("https://example.org/news/20240307/story.html", date(2024, 3, 7)),
        ("https://example.org/news/2024/1399/story.html", None),
        ("https://example.org/story-2024", None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected


def test_cms_timestamp():
    assert parse_cms_timestamp("2016-06-19 13:29:41.0") == "2016-06-19T13:29:41+08:00"
    assert parse_cms_timestamp("2016-06-19") == "2016-06-19T00:00:00+08:00"
    assert parse_cms_timestamp("2016-02-30 10:00:00") is None
    assert parse_cms_timestamp("") is None
