"""Scheduled runs: incremental fetching, --since, --full, the lock, --log-file, the health alarm."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from tests.support.paths import PEOPLE_FR, people_fr_crawl_args, run_cli
from newsspider.archive import Archive
from newsspider.archive.lock import ArchiveLock
from newsspider.commands.mirror import MirrorServer, people_fr_mounts

ARTICLE_PATH = re.compile(r"/n3/\d{4}/\d{4}/c\d+-\d+\.html$")


def crawl(server, db, *extra):
    return run_cli(*people_fr_crawl_args(server.url, db, *extra, alias=False))


def article_requests(server, since: int = 0) -> list[tuple[str, dict]]:
    return [(p, h) for p, h in server.requests[since:] if ARTICLE_PATH.search(p)]


@pytest.fixture()
def server():
    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as s:
        yield s


def test_known_old_articles_are_seen_not_fetched_recent_ones_rechecked_with_304(server, tmp_path):
    db = tmp_path / "a.db"
    first = crawl(server, db)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "12 new" in first.stdout
    mark = len(server.requests)
    time.sleep(1.1)
    second = crawl(server, db)
    assert second.returncode == 0 and "0 new" in second.stdout and "12 known skipped" in second.stdout
    # Not one of the 12 stored articles was requested again; only links never stored (404s) were.
    fetched = {p for p, _ in article_requests(server, mark)}
    with Archive(db) as archive:
        stored = {r["canonical_url"].split("cn", 1)[1] for r in archive.db["articles"].rows}
        assert not fetched & stored
        assert all(r["last_seen"] > r["first_seen"] for r in archive.db["articles"].rows)
    # A window that makes every article "recent": each is re-checked with its validators, answered 304.
    mark = len(server.requests)
    third = crawl(server, db, "-s", "NEWSSPIDER_RECHECK_DAYS=100000")
    assert third.returncode == 0 and "12 not modified" in third.stdout and "0 updated" in third.stdout
    conditional = [h for p, h in article_requests(server, mark) if p in stored]
    assert len(conditional) == 12 and all(h.get("If-None-Match") for h in conditional)


def test_full_refetches_everything(server, tmp_path):
    db = tmp_path / "a.db"
    crawl(server, db)
    mark = len(server.requests)
    run = crawl(server, db, "--full")
    assert run.returncode == 0 and "12 unchanged" in run.stdout and "0 known skipped" in run.stdout
    assert not any(h.get("If-None-Match") for _, h in article_requests(server, mark))


def test_since_limits_discovery_by_date(server, tmp_path):
    db = tmp_path / "a.db"
    run = crawl(server, db, "--since", "2022-01-01")
    assert run.returncode == 0, run.stderr[-2000:]
    with Archive(db) as archive:
        urls = sorted(r["canonical_url"] for r in archive.db["articles"].rows)
    # The mirror's two articles from 2022 on; nothing older was even requested.
    assert [u.split("/n3/")[1][:4] for u in urls] == ["2022", "2023"]
    assert not [p for p, _ in article_requests(server) if int(p.split("/n3/")[1][:4]) < 2022]


def test_since_must_be_a_date(tmp_path):
    run = run_cli("crawl", "people_fr", "--db", str(tmp_path / "a.db"), "--since", "last week")
    assert run.returncode == 2 and "--since" in run.stderr


def test_a_second_run_on_a_locked_archive_exits_4_at_once(server, tmp_path):
    db = tmp_path / "a.db"
    with ArchiveLock(db):
        started = time.monotonic()
        run = crawl(server, db)
        took = time.monotonic() - started
    assert run.returncode == 4
    assert "held by another run" in run.stderr and "pid" in run.stderr
    assert took < 20 and not server.requests  # it did not crawl at all
    assert crawl(server, db).returncode == 0  # the lock is free again


def test_a_run_left_running_by_a_killed_crawl_is_marked_killed(server, tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.start_run("people_fr", {})
    run = crawl(server, db)
    assert run.returncode == 0
    with Archive(db) as archive:
        assert [r["status"] for r in archive.db.query("select status from crawl_runs order by id")] == ["killed", "finished"]


def test_log_file_takes_the_log_and_stdout_keeps_the_summary(server, tmp_path):
    log = tmp_path / "crawl.log"
    run = crawl(server, tmp_path / "a.db", "--log-file", str(log))
    assert run.returncode == 0
    assert run.stdout.count("\n") == 1 and run.stdout.startswith("newsspider people_fr run 1 finished")
    text = log.read_text()
    assert "Spider opened" in text and "Dumping Scrapy stats" in text
    assert "Spider opened" not in run.stderr


# ---- the health alarm ---------------------------------------------------------------------------
def changed_template(tmp_path):
    """The mirror after a redesign that the parser misses: the update line is written another way."""
    site = tmp_path / "changed" / "site"
    shutil.copytree(PEOPLE_FR / "site", site)
    for page in site.rglob("c*.html"):
        raw = page.read_bytes()
        for old, new in ((b"Derni\xc3\xa8re mise \xc3\xa0 jour \xc3\xa0", b"Actualis\xc3\xa9 :"),
                         (b"Derni\xe8re mise \xe0 jour \xe0", b"Actualis\xe9 :")):
            raw = raw.replace(old, new)
        page.write_bytes(raw)
    return tmp_path / "changed"


def test_a_field_that_vanishes_after_a_redesign_raises_the_alarm(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as normal:
        for _ in range(2):
            assert crawl(normal, db, "--full").returncode == 0
    with MirrorServer(people_fr_mounts(changed_template(tmp_path))) as changed:
        run = crawl(changed, db, "--full")
    assert run.returncode == 5, run.stdout + run.stderr[-2000:]
    assert "ALARM: people_fr updated_at on 0% of articles (usually 100%)" in run.stdout
    with Archive(db) as archive:
        last = list(archive.db.query("select coverage, alarms from crawl_runs order by id desc limit 1"))[0]
    coverage = json.loads(last["coverage"])["people_fr"]
    assert coverage["articles"] == 12 and coverage["updated_at"] == 0 and coverage["headline"] == 1
    assert [a["field"] for a in json.loads(last["alarms"])] == ["updated_at"]


def test_no_alarm_without_history_or_when_nothing_changed(server, tmp_path):
    db = tmp_path / "a.db"
    for _ in range(3):
        run = crawl(server, db, "--full")
        assert run.returncode == 0 and "ALARM" not in run.stdout


def fallback_template(tmp_path):
    """A redesign the site parser misses but the generic extractor reads: the update line reworded, the time in a meta tag."""
    site = tmp_path / "fallback" / "site"
    shutil.copytree(PEOPLE_FR / "site", site)
    for page in site.rglob("c*.html"):
        raw = page.read_bytes()
        line = re.search(rb"Derni(?:\xc3\xa8|\xe8)re mise (?:\xc3\xa0|\xe0) jour (?:\xc3\xa0|\xe0) (\d+)h(\d\d) le (\d+)/(\d+)", raw)
        year = re.search(rb"/n3/(\d{4})/", bytes(page.relative_to(site).as_posix(), "ascii")).group(1)
        h, m, d, mo = (int(x) for x in line.groups())
        year = int(year) + (1 if mo < 6 and b"/1231/" in bytes(page.as_posix(), "ascii") else 0)
        meta = f'<meta property="article:modified_time" content="{year}-{mo:02d}-{d:02d}T{h:02d}:{m:02d}:00+08:00" />'.encode()
        raw = raw.replace(line.group(0), b"Actualis\xc3\xa9").replace(b"<head>", b"<head>" + meta, 1)
        page.write_bytes(raw)
    return tmp_path / "fallback"


def test_a_field_that_falls_back_to_the_generic_extractor_raises_the_alarm_while_coverage_holds(tmp_path):
    db = tmp_path / "a.db"
    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as normal:
        for _ in range(2):
            assert crawl(normal, db, "--full").returncode == 0
    with MirrorServer(people_fr_mounts(fallback_template(tmp_path))) as changed:
        run = crawl(changed, db, "--full")
    assert run.returncode == 5, run.stdout + run.stderr[-2000:]
    assert "ALARM: people_fr updated_at from the generic fallback on 100% of articles (usually 0%)" in run.stdout
    with Archive(db) as archive:
        last = list(archive.db.query("select coverage, alarms from crawl_runs order by id desc limit 1"))[0]
        fell_back = {r["fallback_fields"] for r in archive.db.query("select fallback_fields from articles")}
    coverage = json.loads(last["coverage"])["people_fr"]
    assert coverage["updated_at"] == 1  # coverage held: the alarm comes from the fallback count alone
    assert coverage["site_parser"]["updated_at"] == 0 and coverage["fallback"]["updated_at"] == 1
    assert coverage["site_parser"]["body"] == 1 and coverage["fallback"]["body"] == 0
    assert [(a["field"], a.get("kind")) for a in json.loads(last["alarms"])] == [("updated_at", "fallback")]
    assert fell_back == {'["updated_at"]'}
