"""validate, dedupe and store, on a temporary archive, with a real Scrapy crawler object."""

from __future__ import annotations

import copy

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from tests.support.archive_helpers import CASES
from tests.support.paths import FROZEN_NOW
from newsspider.archive import Archive
from newsspider.items import CrawledArticle
from newsspider.parsing import parse
from newsspider.pipelines.store import StorePipeline
from newsspider.pipelines.validate import ValidatePipeline
from newsspider.sites.people_fr.spider import PeopleFrSpider


def item(case_id="9074390", *, url=None, fetched_at="2026-01-01T00:00:00+00:00"):
    case = CASES[case_id]
    article = parse(case["path"].read_bytes(), url or case["url"], now=FROZEN_NOW)
    return CrawledArticle(article=article, fetched_at=fetched_at, fetch_url=article.url)


class Chain:
    """The pipelines in ITEM_PIPELINES order, as Scrapy would run them (dedupe is the archive's write, in store)."""

    def __init__(self, db_path, **settings):
        self.crawler = get_crawler(PeopleFrSpider, {"ARCHIVE_DB": str(db_path), **settings})
        self.stats = self.crawler.stats
        self.pipes = [cls.from_crawler(self.crawler) for cls in (ValidatePipeline, StorePipeline)]

    def __enter__(self):
        for pipe in self.pipes:
            if hasattr(pipe, "open_spider"):
                pipe.open_spider()
        return self

    def __exit__(self, *exc):
        for pipe in reversed(self.pipes):
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()

    def feed(self, *items):
        dropped = []
        for it in items:
            try:
                for pipe in self.pipes:
                    it = pipe.process_item(it)
            except DropItem as exc:
                dropped.append(str(exc))
        return dropped

    def stat(self, key):
        return self.stats.get_value(key, 0)


@pytest.mark.parametrize("field", ["headline", "body", "canonical_url"])
def test_validate_drops_items_missing_a_required_field_and_counts_why(tmp_path, field):
    broken = item()
    setattr(broken.article, field, None)
    with Chain(tmp_path / "a.db") as chain:
        dropped = chain.feed(broken, item("9073012"))
        assert len(dropped) == 1 and field in dropped[0]
        assert chain.stat(f"newsspider/dropped/missing_{field}") == 1
        assert chain.stat("newsspider/dropped") == 1
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 1


def test_validate_nulls_future_and_malformed_dates(tmp_path):
    it = item()
    it.article.published_at = "2030-01-01T00:00:00+08:00"
    it.article.updated_at = "not a date"
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(it)
        assert chain.stat("newsspider/cleaned/bad_published_at") == 1
        assert chain.stat("newsspider/cleaned/bad_updated_at") == 1
    assert it.article.published_at is None and it.article.updated_at is None


def test_store_writes_article_and_children(tmp_path):
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(item())
    with Archive(tmp_path / "a.db") as archive:
        expected = CASES["9074390"]["expected"]
        row = next(archive.db["articles"].rows)
        assert row["headline"] == expected["headline"]
        assert row["first_seen"] == row["last_seen"] == row["fetched_at"]
        assert len(row["content_hash"]) == 64
        credits = list(archive.db["image_credits"].rows)
        assert [(c["raw"], c["agency"], c["photographer"]) for c in credits] == [("(Xinhua/Bai Xueqi)", "Xinhua", "Bai Xueqi")]
        links = list(archive.db.query("select title, url from related_links order by position"))
        assert links == expected["related_links"]
        stored = archive.load_article(row["id"]).to_dict()
        assert {k: stored[k] for k in expected} == expected


def test_same_canonical_url_across_hosts_and_runs_is_stored_once(tmp_path):
    alias = "http://french.people.com.cn/Economie/n3/2021/0714/c31355-9872415.html"
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(item("9872415"), item("9872415", url=alias))
    with Chain(tmp_path / "a.db") as chain:  # a second run
        chain.feed(item("9872415-alias", url=alias, fetched_at="2026-01-02T00:00:00+00:00"))
    assert chain.stat("newsspider/stored/unchanged") == 1  # counted when the batch is written, at close
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 1
        row = next(archive.db["articles"].rows)
        assert row["first_seen"] == "2026-01-01T00:00:00+00:00"
        assert row["last_seen"] == "2026-01-02T00:00:00+00:00"
        urls = {r["url"]: r["reason"] for r in archive.db["article_urls"].rows}
        assert urls == {CASES["9872415"]["expected"]["canonical_url"]: "canonical", alias: "alias"}


def test_identical_body_under_another_url_is_recorded_as_a_duplicate(tmp_path):
    copy_url = "http://french.peopledaily.com.cn/International/n3/2016/0620/c31356-9999999.html"
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(item(), item(url=copy_url))
    assert chain.stat("newsspider/stored/duplicate") == 1
    with Chain(tmp_path / "a.db") as chain:  # and again in a later run, from the archive alone
        chain.feed(item(url=copy_url.replace("9999999", "9999998")))
    assert chain.stat("newsspider/stored/duplicate") == 1
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 1
        first = next(archive.db["articles"].rows)
        copies = list(archive.db.query("select url, article_id from article_urls where reason = 'same_body' order by url"))
        assert [c["article_id"] for c in copies] == [first["id"], first["id"]]
        assert first["canonical_url"] == CASES["9074390"]["expected"]["canonical_url"]


def test_changed_content_updates_the_row_in_place(tmp_path):
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(item())
    changed = item(fetched_at="2026-01-03T00:00:00+00:00")
    changed.article.body += "\n\nUn paragraphe ajouté."
    changed.article.image_credits = []
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(changed)
    assert chain.stat("newsspider/stored/updated") == 1
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 1
        assert archive.counts()["image_credits"] == 0
        row = next(archive.db["articles"].rows)
        assert row["body"].endswith("Un paragraphe ajouté.")
        assert row["first_seen"] == "2026-01-01T00:00:00+00:00" and row["last_seen"] == "2026-01-03T00:00:00+00:00"


def test_store_batches_writes_in_transactions(tmp_path):
    items = [item(cid) for cid in CASES if not cid.endswith("-alias")]
    with Chain(tmp_path / "a.db", ARCHIVE_BATCH_SIZE=5) as chain:
        chain.feed(*items)
        with Archive(tmp_path / "a.db") as reader:  # a reader sees whole batches only
            assert reader.counts()["articles"] == 10
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 12
    assert chain.stat("newsspider/batches") == 3


def test_a_failed_batch_leaves_nothing_half_written(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        good = item()
        bad = copy.deepcopy(item("9073012"))
        bad.article.related_links = [{"title": "x", "url": None}]  # url is NOT NULL
        with pytest.raises(Exception):
            archive.write([good, bad])
        assert archive.counts()["articles"] == 0 and archive.counts()["article_urls"] == 0
