"""End to end: the mirror crawled, then crawled again after one article was updated on the site.

The second crawl goes to a server whose overlay (tests/fixtures/mirrors/people_fr_updated/) serves
the updated Huawei page; every other page is byte for byte the same.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.paths import FIXTURES, PEOPLE_FR, people_fr_crawl_args, run_cli
from newsspider.archive import Archive
from newsspider.archive import raw as raw_store
from newsspider.commands.mirror import MirrorServer, people_fr_mounts

UPDATED = FIXTURES / "mirrors" / "people_fr_updated"
HUAWEI = "http://french.peopledaily.com.cn/Economie/n3/2016/0616/c31355-9073012.html"


def crawl(server, db):
    # The mirror's articles are years old: re-check them all, as a re-crawl of recent news would.
    return run_cli(*people_fr_crawl_args(server.url, db, settings=["NEWSSPIDER_RECHECK_DAYS=100000"]))


@pytest.fixture(scope="module")
def history(mirror_server, tmp_path_factory):
    db = tmp_path_factory.mktemp("history") / "archive.db"
    first = crawl(mirror_server, db)
    assert first.returncode == 0, first.stderr[-3000:]
    with Archive(db) as archive:
        before = {r["canonical_url"]: r for r in archive.db["articles"].rows}
        raw_before = raw_store.storage(archive.db)
    time.sleep(1.1)  # times have one-second resolution
    with MirrorServer(people_fr_mounts(PEOPLE_FR), overlays={"/": UPDATED / "site"}) as updated:
        second = crawl(updated, db)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "first": first, "second": second, "before": before, "raw_before": raw_before}


def test_the_second_crawl_finds_one_article_updated(history):
    line = history["second"].stdout
    # The other 11 were re-checked conditionally: the mirror answered 304 Not Modified.
    assert "0 new, 1 updated, 0 unchanged, 0 known skipped, 11 not modified" in line, line


def test_the_previous_version_is_kept_with_what_changed_and_when(history):
    old = history["before"][HUAWEI]
    with Archive(history["db"]) as archive:
        article = next(archive.db.query("select * from articles where canonical_url = ?", [HUAWEI]))
        [version] = archive.db.query("select * from article_versions where article_id = ?", [article["id"]])
    assert json.loads(version["changed_fields"]) == ["body", "updated_at", "updated_at_raw"]
    assert version["cause"] == "refetch"
    assert version["changed_at"] == article["fetched_at"] == article["last_seen"] > old["fetched_at"]
    # The version is the article as it was; the article is as it is now.
    assert version["body"] == old["body"] and "plus de 1 000 personnes" in version["body"]
    assert version["updated_at_raw"] == "Dernière mise à jour à 08h47 le 16/06"
    assert version["fetched_at"] == old["fetched_at"]
    assert json.loads(version["related_links"])[0]["title"] == "La Chine compte plus de milliardaires que les États-Unis"
    assert "plus de 1 500 personnes" in article["body"]
    assert article["updated_at"] == "2016-06-16T15:20:00+08:00"
    assert article["first_seen"] == old["first_seen"]


def test_unchanged_refetches_only_move_last_seen(history):
    with Archive(history["db"]) as archive:
        after = {r["canonical_url"]: r for r in archive.db["articles"].rows}
        assert archive.db["article_versions"].count == 1
    for url, old in history["before"].items():
        if url == HUAWEI:
            continue
        new = after[url]
        assert new["last_seen"] > old["last_seen"], url
        assert {k: v for k, v in new.items() if k != "last_seen"} == {k: v for k, v in old.items() if k != "last_seen"}, url


def test_every_response_is_kept_and_identical_bodies_once(history):
    with Archive(history["db"]) as archive:
        now = raw_store.storage(archive.db)
        outcomes = dict(archive.db.execute("select outcome, count(*) from raw_responses group by outcome").fetchall())
        article_id = archive.db.execute("select id from articles where canonical_url = ?", [HUAWEI]).fetchone()[0]
        pages = list(archive.db.query("select * from raw_responses where article_id = ? order by id", [article_id]))
        bodies = [raw_store.body(archive.db, p["body_sha256"]) for p in pages]
    before = history["raw_before"]
    # The 11 unchanged pages answered 304 to the re-check: no new copy, so no new row (their
    # last_seen moved); the updated one is a new response with new bytes.
    assert before["responses"] == 12 and now["responses"] == 13
    assert now["bodies"] == before["bodies"] + 1  # only the updated page brought new bytes
    assert outcomes == {"new": 12, "updated": 1}
    assert [p["outcome"] for p in pages] == ["new", "updated"]
    assert bodies[0] == (PEOPLE_FR / "site/Economie/n3/2016/0616/c31355-9073012.html").read_bytes()
    assert bodies[1] == (UPDATED / "site/Economie/n3/2016/0616/c31355-9073012.html").read_bytes()
    first = pages[0]
    assert first["url"] == first["final_url"] == HUAWEI  # public URLs, not the mirror's
    assert first["status"] == 200 and first["encoding"] == "utf-8"
    assert ["Content-Type", "text/html"] in json.loads(first["headers"])
    assert first["run_id"] == 1 and pages[1]["run_id"] == 2


def test_reparse_with_the_same_parsers_changes_nothing(history, tmp_path):
    import shutil

    db = tmp_path / "copy.db"
    with Archive(history["db"]) as archive:
        archive.db.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(history["db"], db)
    result = run_cli("reparse", "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "12 pages, 0 articles changed" in result.stdout and "no field changed" in result.stdout
