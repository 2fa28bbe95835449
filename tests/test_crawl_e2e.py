"""End to end: the mirror on 127.0.0.1, the real spider and settings, the archive it leaves."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.paths import people_fr_articles, people_fr_crawl_args, run_cli
from newsspider.archive import Archive

ALIAS = "http://french.people.com.cn/Economie/n3/2021/0714/c31355-9872415.html"


def crawl(server, db, *extra):
    return run_cli(*people_fr_crawl_args(server.url, db, "-a", f"urls={ALIAS}", *extra, settings=["NEWSSPIDER_CONTACT=tests@example.org"]))


@pytest.fixture(scope="module")
def two_runs(mirror_server, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    first = crawl(mirror_server, db)
    with Archive(db) as archive:
        after_first = archive.counts()
        seen_first = {r["canonical_url"]: r["last_seen"] for r in archive.db["articles"].rows}
    time.sleep(1.1)  # last_seen has one-second resolution
    second = crawl(mirror_server, db)
    return {"db": db, "first": first, "second": second, "after_first": after_first, "seen_first": seen_first}


def test_first_run_succeeds_with_a_one_line_summary(two_runs):
    run = two_runs["first"]
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("newsspider people_fr run 1 finished")
    assert "12 new" in lines[0] and "1 unchanged" in lines[0] and "0 parse errors" in lines[0]


def test_every_expected_field_is_in_the_archive(two_runs):
    expected = {c["expected"]["canonical_url"]: c["expected"] for c in people_fr_articles() if not c["id"].endswith("-alias")}
    with Archive(two_runs["db"]) as archive:
        assert archive.counts()["articles"] == len(expected) == 12
        for canonical_url, want in expected.items():
            got = archive.find_article(canonical_url).to_dict()
            assert {k: got[k] for k in want} == want, canonical_url


def test_seed_article_has_its_credit_and_twelve_related_links(two_runs):
    with Archive(two_runs["db"]) as archive:
        row = next(archive.db.query("select * from articles where canonical_url like '%c31355-9074390.html'"))
        credits = list(archive.db.query("select raw, agency, photographer from image_credits where article_id = ?", [row["id"]]))
        assert credits == [{"raw": "(Xinhua/Bai Xueqi)", "agency": "Xinhua", "photographer": "Bai Xueqi"}]
        assert archive.db.execute("select count(*) from related_links where article_id = ?", [row["id"]]).fetchone()[0] == 12


def test_alias_fetch_is_recorded_not_stored_twice(two_runs):
    with Archive(two_runs["db"]) as archive:
        row = archive.db.execute("select reason, article_id from article_urls where url = ?", [ALIAS]).fetchone()
        assert row[0] == "alias"
        canonical = archive.db.execute("select canonical_url from articles where id = ?", [row[1]]).fetchone()[0]
        assert canonical == ALIAS.replace("french.people.com.cn", "french.peopledaily.com.cn")


def test_second_run_adds_no_rows_and_moves_last_seen(two_runs):
    run = two_runs["second"]
    assert run.returncode == 0, run.stderr[-3000:]
    # Incremental: the 12 articles (all older than the 3-day re-check window) are seen on the
    # listings and not fetched again; the alias URL given with -a urls is fetched as asked.
    assert "0 new" in run.stdout and "12 known skipped" in run.stdout and "1 unchanged" in run.stdout
    with Archive(two_runs["db"]) as archive:
        counts = archive.counts()
        before = dict(two_runs["after_first"])
        assert counts["crawl_runs"] == before.pop("crawl_runs") + 1
        assert {k: counts[k] for k in before} == before
        for row in archive.db["articles"].rows:
            assert row["last_seen"] > two_runs["seen_first"][row["canonical_url"]]
            assert row["first_seen"] < row["last_seen"]


def test_crawl_runs_records_both_runs(two_runs):
    with Archive(two_runs["db"]) as archive:
        runs = list(archive.db.query("select * from crawl_runs order by id"))
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert [r["articles_new"] for r in runs] == [12, 0]
    assert runs[0]["finished_at"] >= runs[0]["started_at"]
    assert runs[0]["not_found"] > 0 and runs[0]["http_errors"] == 0  # the mirror links to pages it lacks
    args = json.loads(runs[0]["args"])
    assert args["args"]["urls"] == ALIAS and args["settings"]["DOWNLOAD_DELAY"] == "0"
    assert json.loads(runs[0]["stats"])["finish_reason"] == "finished"


def test_requests_are_polite_and_identified(two_runs, mirror_server):
    paths = [p for p, _ in mirror_server.requests]
    assert "/robots.txt" in paths
    agents = {h.get("User-Agent") for _, h in mirror_server.requests}
    assert agents == {"newsspider/0.1.0 (news archiver for research; contact: tests@example.org)"}


def test_crawl_that_stores_nothing_exits_3(mirror_server, tmp_path):
    run = run_cli(
        "crawl", "people_fr", "--db", str(tmp_path / "a.db"),
        "-s", f"PEOPLE_FR_BASE_URL={mirror_server.url}", "-s", "DOWNLOAD_DELAY=0",
        "-a", "sections=Nowhere", "-a", "max_pages=1",
    )
    assert run.returncode == 3, run.stderr[-2000:]
    assert " empty " in run.stdout
    with Archive(tmp_path / "a.db") as archive:
        assert next(archive.db["crawl_runs"].rows)["status"] == "empty"


def test_bad_spider_argument_exits_2(tmp_path):
    run = run_cli("crawl", "people_fr", "--db", str(tmp_path / "a.db"), "-a", "max_pages=0")
    assert run.returncode == 2
    assert "max_pages" in run.stderr


def test_unknown_spider_exits_2(tmp_path):
    run = run_cli("crawl", "nope", "--db", str(tmp_path / "a.db"))
    assert run.returncode == 2 and "unknown spider" in run.stderr


def test_scrapy_crawl_keeps_working(mirror_server, tmp_path):
    import subprocess
    import sys

    from tests.support.paths import ROOT

    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "people_fr",
         "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", "-s", f"PEOPLE_FR_BASE_URL={mirror_server.url}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0",
         "-a", "sections=Economie", "-a", "max_pages=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 2  # Economie/index.html lists two mirrored articles
