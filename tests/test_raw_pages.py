"""Raw responses: what the spider hands over, and what the archive keeps of every article response."""

from __future__ import annotations

import json

from scrapy import signals
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from tests.support.archive_helpers import CASES, crawled, raw_fetch
from newsspider.archive import Archive
from newsspider.archive import raw as raw_store
from newsspider.items import CrawledArticle, UnparsedPage
from newsspider.sites.people_fr.spider import PeopleFrSpider
from tests.test_pipelines import Chain

SEED = CASES["9074390"]
MIRROR = "http://127.0.0.1:8999"


def spider():
    # The spider parses in its own thread here (no pool): what it hands on is the item itself.
    crawler = get_crawler(PeopleFrSpider, {"PEOPLE_FR_BASE_URL": MIRROR, "NEWSSPIDER_PARSE_WORKERS": 0})
    return PeopleFrSpider.from_crawler(crawler)


def mirror_response(path: str, body: bytes, redirected_from: str | None = None) -> HtmlResponse:
    request = Request(f"{MIRROR}{path}", meta={"redirect_urls": [f"{MIRROR}{redirected_from}"]} if redirected_from else {})
    return HtmlResponse(url=request.url, body=body, request=request, status=200,
                        headers={"Content-Type": "text/html", "X-Cache": ["MISS", "HIT"]})


def test_the_spider_hands_the_response_to_the_pipelines():
    s = spider()
    path = SEED["url"].split("cn", 1)[1]
    response = mirror_response(path, SEED["path"].read_bytes(), redirected_from="/Economie/old-url.html")
    item = s.article_item(response, s.hostmap.to_public(response.url))
    assert isinstance(item, CrawledArticle)
    raw = item.raw
    assert raw.body == SEED["path"].read_bytes() and raw.encoding == "utf-8" and raw.status == 200
    assert raw.final_url == SEED["url"]  # public, not the mirror's address
    assert raw.url == "http://french.peopledaily.com.cn/Economie/old-url.html"
    assert ("X-Cache", "MISS") in raw.headers and ("X-Cache", "HIT") in raw.headers
    assert item.article.headline == SEED["expected"]["headline"]
    assert item.fetch_url == response.url


def test_a_page_the_parser_cannot_read_is_still_kept():
    s = spider()
    response = mirror_response("/Economie/n3/2016/0619/c31355-1.html", b"")
    item = s.article_item(response, s.hostmap.to_public(response.url))
    assert isinstance(item, UnparsedPage)
    assert item.raw.body == b"" and item.error
    assert s.crawler.stats.get_value("newsspider/parse_errors") == 1


def test_the_archive_keeps_responses_that_gave_no_article(tmp_path):
    broken = crawled("9073012")
    broken.article.headline = None
    unparsed = UnparsedPage(raw=raw_fetch("9311226", body=b"\x00garbage"), fetched_at="2026-01-01T00:00:00+00:00", error="cannot decode")
    with Chain(tmp_path / "a.db") as chain:
        store = chain.pipes[-1]
        dropped = chain.feed(crawled("9074390"), broken, unparsed)
        # Scrapy sends item_dropped for an item a pipeline refused; Chain does not run Scrapy.
        chain.crawler.signals.send_catch_log(signals.item_dropped, item=broken, response=None, exception=Exception(dropped[0]), spider=None)
        assert store.batch[-1].outcome == "dropped"
    assert chain.stat("newsspider/stored") == 1 and chain.stat("newsspider/stored/new") == 1
    assert chain.stat("newsspider/stored_raw_only/parse_error") == 1 and chain.stat("newsspider/stored_raw_only/dropped") == 1
    with Archive(tmp_path / "a.db") as archive:
        rows = {r["outcome"]: r for r in archive.db["raw_responses"].rows}
        assert set(rows) == {"new", "parse_error", "dropped"}
        assert rows["new"]["article_id"] == 1
        assert rows["dropped"]["article_id"] is None and "headline" in rows["dropped"]["error"]
        assert rows["parse_error"]["error"] == "cannot decode"
        assert raw_store.body(archive.db, rows["dropped"]["body_sha256"]) == CASES["9073012"]["path"].read_bytes()
        assert raw_store.body(archive.db, rows["parse_error"]["body_sha256"]) == b"\x00garbage"
        assert json.loads(rows["new"]["headers"]) == [["Content-Type", "text/html"], ["Server", "test"]]


def test_bodies_are_compressed_and_stored_once(tmp_path):
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(crawled("9074390"), crawled("9074390", "2026-01-02T00:00:00+00:00"))
    with Archive(tmp_path / "a.db") as archive:
        s = raw_store.storage(archive.db)
        row = next(archive.db["raw_bodies"].rows)
        loaded = raw_store.load(archive.db, 2)
    assert s["responses"] == 2 and s["bodies"] == 1
    size = len(SEED["path"].read_bytes())
    assert row["size"] == size and row["compression"] == "br" and len(row["data"]) < size / 2.5
    assert loaded["body"] == SEED["path"].read_bytes() and loaded["outcome"] == "unchanged"
    assert loaded["headers"] == [("Content-Type", "text/html"), ("Server", "test")]
