"""Two workers and the writer, as separate processes, crawling the mirror through Redis."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest

from tests.support.paths import PEOPLE_FR, ROOT, people_fr_articles, run_cli
from newsspider.archive import Archive
from newsspider.commands.demo import mirror_plan
from newsspider.distributed import RedisKeys, connect
from newsspider.distributed.coordinator import Coordinator
from newsspider.archive.lock import ArchiveLock
from newsspider.commands.mirror import MirrorServer, people_fr_mounts
from tests.support.serving import free_port

ALIAS = "http://french.people.com.cn/Economie/n3/2021/0714/c31355-9872415.html"
ARTICLE_PATH = re.compile(r"/c\d+-\d+\.html$")
WORKERS = ("worker-a@example.org", "worker-b@example.org")


class GatedMirror(MirrorServer):
    """The mirror, answering nothing until both workers have asked for something.

    Without the gate, a worker that starts a second late could find the crawl over;
    with it, both are known to be crawling, and whatever either fetches is then down
    to the shared frontier. Each answer is a little slow, as a real site's.
    """

    def __init__(self, agents: int):
        super().__init__(people_fr_mounts(PEOPLE_FR), delay=0.05)
        self.gate = threading.Event()
        self.agents: set[str] = set()
        base = self.httpd.RequestHandlerClass
        mirror = self

        class Handler(base):
            def do_GET(self):
                mirror.agents.add(self.headers.get("User-Agent"))
                if len(mirror.agents) >= agents:
                    mirror.gate.set()
                mirror.gate.wait(timeout=20)
                super().do_GET()

        self.httpd.RequestHandlerClass = Handler


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newsspider", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen, timeout: float = 60) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def worker(server, url, prefix, contact, tmp_path, *extra: str):
    plan = mirror_plan(PEOPLE_FR)
    return cli(
        "crawl", "people_fr", "--redis", url, "--redis-prefix", prefix,
        # Given, and never to be created: a worker does not open the archive.
        "--db", str(tmp_path / "worker-never-opens.db"),
        "-s", f"PEOPLE_FR_BASE_URL={server.url}",
        "-s", f"PEOPLE_FR_ALIAS_BASE_URL={server.url}/alias/french.people.com.cn",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        # Two requests in hand at a time: the rest stay in the shared frontier for the other worker.
        "-s", "CONCURRENT_REQUESTS=2",
        "-s", f"NEWSSPIDER_CONTACT={contact}",
        "-a", f"sections={plan['sections']}", "-a", f"max_pages={plan['max_pages']}", "-a", f"urls={ALIAS}",
        *extra,
    )


def wait_for_workers(redis_url, prefix, n, timeout=30):
    server, keys = connect(redis_url), RedisKeys(prefix)
    deadline = time.monotonic() + timeout
    while server.zcard(keys.all_workers) < n:
        assert time.monotonic() < deadline, "the workers never joined"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def rounds(redis_url, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("distributed")
    db = tmp_path / "archive.db"
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with GatedMirror(agents=len(WORKERS)) as server:
        # Round 1: both workers and the writer at once.
        workers = [worker(server, redis_url, prefix, contact, tmp_path) for contact in WORKERS]
        wait_for_workers(redis_url, prefix, len(WORKERS))
        writer = cli("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db), "--idle-seconds", "1")
        first = {"workers": [finish(w) for w in workers], "ingest": finish(writer), "requests": list(server.requests)}
        first["elapsed"] = time.monotonic() - started
        with Archive(db) as archive:
            first["counts"] = archive.counts()
        # Round 2: the same crawl again, in full (every article fetched again), then the writer drains the queue.
        server.requests.clear()
        workers = [worker(server, redis_url, prefix, contact, tmp_path, "--full") for contact in WORKERS]
        second = {"workers": [finish(w) for w in workers]}
        second["ingest"] = finish(cli("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db), "--idle-seconds", "0.5"))
        second["requests"] = list(server.requests)
        with Archive(db) as archive:
            second["counts"] = archive.counts()
        # Round 3, on a copy of the archive: incremental, as by default; the writer published the
        # archive's articles when it started.
        db = tmp_path / "archive3.db"
        with sqlite3.connect(tmp_path / "archive.db") as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        server.requests.clear()
        publisher = cli("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db), "--idle-seconds", "0")
        third = {"publisher": finish(publisher)}
        workers = [worker(server, redis_url, prefix, contact, tmp_path) for contact in WORKERS]
        third["workers"] = [finish(w) for w in workers]
        third["ingest"] = finish(cli("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db), "--idle-seconds", "0.5"))
        third["requests"] = list(server.requests)
        third["base"] = server.url
    elapsed = first["elapsed"]
    yield {"db": tmp_path / "archive.db", "db3": db, "tmp": tmp_path, "first": first, "second": second, "third": third,
           "elapsed": elapsed, "prefix": prefix}
    redis = connect(redis_url)
    doomed = list(redis.scan_iter(match=f"{prefix}:*"))
    if doomed:
        redis.delete(*doomed)


def test_workers_and_writer_succeed_with_one_line_summaries(rounds):
    for run in (*rounds["first"]["workers"], rounds["first"]["ingest"]):
        assert run.returncode == 0, run.stderr[-3000:]
        assert len(run.stdout.strip().splitlines()) == 1, run.stdout
    line = rounds["first"]["ingest"].stdout
    assert line.startswith("newsspider ingest run 1 finished") and " 12 new" in line and " 1 unchanged" in line, line
    assert rounds["elapsed"] < 45  # about 11 s here; a lease waited out (60 s) would show


def test_every_article_is_stored_once_with_every_expected_field(rounds):
    expected = {c["expected"]["canonical_url"]: c["expected"] for c in people_fr_articles() if not c["id"].endswith("-alias")}
    with Archive(rounds["db"]) as archive:
        rows = archive.db.execute("select canonical_url, count(*) from articles group by canonical_url").fetchall()
        assert sorted(url for url, _ in rows) == sorted(expected) and len(rows) == 12
        assert all(n == 1 for _, n in rows)
        for canonical_url, want in expected.items():
            got = archive.find_article(canonical_url).to_dict()
            assert {k: got[k] for k in want} == want, canonical_url
        alias = archive.db.execute("select reason from article_urls where url = ?", [ALIAS]).fetchone()
        assert alias == ("alias",)


def test_both_workers_fetched_and_no_page_was_fetched_twice(rounds):
    requests = rounds["first"]["requests"]
    by_worker = Counter(h.get("User-Agent") for path, h in requests if ARTICLE_PATH.search(path))
    assert len(by_worker) == 2 and all(n >= 2 for n in by_worker.values()), by_worker
    pages = Counter(path for path, _ in requests if path != "/robots.txt")
    assert pages and max(pages.values()) == 1, [p for p, n in pages.items() if n > 1]
    # The 12 articles, their alias copy, and the links the mirror does not have.
    assert sum(1 for p in pages if ARTICLE_PATH.search(p)) > 13
    # Each worker asks for robots.txt itself: that file is not part of the shared frontier.
    assert Counter(path for path, _ in requests)["/robots.txt"] == 2


def test_workers_report_their_part_and_the_writer_adds_it_up(rounds):
    pages = []
    for run in rounds["first"]["workers"]:
        m = re.search(r"worker \S+ finished in [\d.]+s: (\d+) pages, (\d+) items queued", run.stdout)
        assert m, run.stdout
        pages.append(int(m[1]))
    assert all(pages)
    assert f" {sum(pages)} pages," in rounds["first"]["ingest"].stdout
    with Archive(rounds["db"]) as archive:
        run = archive.db.execute("select spider, status, articles_new, pages_fetched from crawl_runs order by id").fetchone()
    assert run == ("ingest", "finished", 12, sum(pages))


def test_workers_never_open_the_archive(rounds):
    assert not (rounds["tmp"] / "worker-never-opens.db").exists()
    assert not (rounds["tmp"] / "worker-never-opens.db.lock").exists()


def test_a_second_crawl_and_ingest_add_no_rows(rounds):
    second = rounds["second"]
    for run in (*second["workers"], second["ingest"]):
        assert run.returncode == 0, run.stderr[-3000:]
    assert " 0 new" in second["ingest"].stdout and " 13 unchanged" in second["ingest"].stdout, second["ingest"].stdout
    # The finished crawl was forgotten, so the next one fetched the site again.
    assert sum(1 for path, _ in second["requests"] if ARTICLE_PATH.search(path)) > 13
    with Archive(rounds["db"]) as archive:
        counts = archive.counts()
    before = dict(rounds["first"]["counts"])
    assert counts.pop("crawl_runs") == before.pop("crawl_runs") + 1
    assert counts == before


# ---- exit codes ------------------------------------------------------------------------------
def test_ingest_exits_4_while_another_run_holds_the_archive(redis_url, tmp_path):
    db = tmp_path / "archive.db"
    with ArchiveLock(db):
        run = run_cli("ingest", "--redis", redis_url, "--redis-prefix", f"nstest-{uuid.uuid4().hex[:8]}", "--db", str(db), "--idle-seconds", "0")
    assert run.returncode == 4, run.stderr
    assert "not started" in run.stderr and "lock" in run.stderr
    assert not db.exists()


def test_unreachable_redis_exits_1_with_the_address_but_not_the_password(tmp_path):
    port = free_port()  # nothing listens there once the socket is closed
    url = f"redis://:hunter2@127.0.0.1:{port}/0"
    # Retried for a second (REDIS_RETRY_SECONDS, 180 by default), then given up.
    for args in (("crawl", "people_fr", "--redis", url, "--db", str(tmp_path / "a.db")), ("ingest", "--redis", url, "--db", str(tmp_path / "a.db"))):
        run = run_cli(*args, "-s", "REDIS_RETRY_SECONDS=1")
        assert run.returncode == 1, run.stderr
        assert f"127.0.0.1:{port}" in run.stderr and "hunter2" not in run.stderr + run.stdout


def test_reset_is_refused_while_a_worker_of_the_job_runs(redis_url, tmp_path):
    prefix = f"nstest-{uuid.uuid4().hex[:8]}"
    server = connect(redis_url)
    alive = Coordinator(server, RedisKeys(prefix, "people_fr"), "elsewhere")
    alive.join()
    try:
        run = run_cli("crawl", "people_fr", "--redis", redis_url, "--redis-prefix", prefix, "--redis-reset", "--db", str(tmp_path / "a.db"))
        assert run.returncode == 4 and "1 workers of job people_fr are running" in run.stderr, run.stderr
    finally:
        alive.leave()
        doomed = list(server.scan_iter(match=f"{prefix}:*"))
        if doomed:
            server.delete(*doomed)


def test_redis_options_need_redis():
    run = run_cli("crawl", "people_fr", "--redis-job", "x")
    assert run.returncode == 2 and "--redis" in run.stderr


def test_an_incremental_distributed_crawl_fetches_no_known_article_again(rounds):
    third = rounds["third"]
    for run in (third["publisher"], *third["workers"], third["ingest"]):
        assert run.returncode in (0, 3), run.stderr[-3000:]
    with Archive(rounds["db3"]) as archive:
        known = {url for (url,) in archive.db.execute("select url from article_urls")}
        counts = archive.counts()
    fetched = []
    for path, _ in third["requests"]:
        if not ARTICLE_PATH.search(path):
            continue
        host, rest = ("french.people.com.cn", path.split("french.people.com.cn", 1)[1]) if path.startswith("/alias/") \
            else ("french.peopledaily.com.cn", path)
        fetched.append(f"http://{host}{rest}")
    # Links the mirror does not have are asked for again (404 is not an article); the alias is a start URL.
    again = [url for url in fetched if url in known and url != ALIAS]
    assert not again, again
    assert fetched and ALIAS in fetched
    assert " 0 new" in third["ingest"].stdout and " 12 known skipped" in third["ingest"].stdout, third["ingest"].stdout
    before = dict(rounds["second"]["counts"])
    assert counts.pop("crawl_runs") == before.pop("crawl_runs") + 2
    assert counts == before
