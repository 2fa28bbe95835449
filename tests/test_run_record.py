"""A crawl's run record (newsspider/runs/record.py): one Archive per run, and what the run knows kept on it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

from tests.support.paths import ROOT, people_fr_crawl_args
from newsspider.archive import Archive
from newsspider.runs.record import Run

# A crawl in a process of its own (a Twisted reactor starts once), with every Archive opened, every
# migration check and every SQLite connection counted. The crawl is the real one: the mirror on
# 127.0.0.1, newsspider's settings, pipelines and extensions.
COUNTING_CRAWL = textwrap.dedent("""
    import json, sqlite3, sys
    from newsspider.archive import db, schema

    opens, checks, connections = [], [], []
    archive_init, pending, connect = db.Archive.__init__, schema.migrations.pending, sqlite3.connect

    def counting_init(self, *args, **kwargs):
        opens.append(str(args[0]))
        archive_init(self, *args, **kwargs)

    def counting_pending(*args, **kwargs):
        checks.append(1)
        return pending(*args, **kwargs)

    def counting_connect(*args, **kwargs):
        connections.append(str(args[0]))
        return connect(*args, **kwargs)

    db.Archive.__init__, schema.migrations.pending, sqlite3.connect = counting_init, counting_pending, counting_connect
    from newsspider.runs.crawl import project_settings, run_crawl

    settings, args = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    result = run_crawl("people_fr", settings=project_settings(settings), args=args)
    print(json.dumps({"opens": opens, "checks": len(checks), "connections": connections, "status": result.status,
                      "run_id": result.run_id, "stored": result.counts.stored, "seen": result.counts.articles_seen}))
""")


def counted_crawl(server, db) -> dict:
    argv = people_fr_crawl_args(server.url, db, settings=["NEWSSPIDER_CONTACT=tests@example.org", "LOG_LEVEL=ERROR"])
    settings = {"ARCHIVE_DB": str(db)}
    args = {}
    for flag, value in zip(argv, argv[1:]):
        if flag in ("-s", "-a"):
            name, _, v = value.partition("=")
            (settings if flag == "-s" else args)[name] = v
    done = subprocess.run([sys.executable, "-c", COUNTING_CRAWL, json.dumps(settings), json.dumps(args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_crawl_opens_its_archive_once(mirror_server, tmp_path):
    db = tmp_path / "archive.db"
    first = counted_crawl(mirror_server, db)
    assert first["status"] == "finished" and first["stored"] == 12  # the mirror's twelve articles
    # The store, the run recorder and the dedupe rule share the run's archive: opened once (creating it,
    # sqlite-migrate's apply asks what is pending again), on one connection.
    assert first["opens"] == [str(db)] and first["connections"] == [str(db)]
    # An incremental run asks the archive what it knows: on the same connection, not one of its own.
    second = counted_crawl(mirror_server, db)
    assert second["status"] == "finished" and second["seen"] == 12 and second["run_id"] == first["run_id"] + 1
    # An archive already up to date: one open, one migration check, one connection.
    assert second["opens"] == [str(db)] and second["checks"] == 1
    assert second["connections"] == [str(db)]


def test_the_run_is_one_per_crawler_and_closes_its_archive_with_its_last_holder(tmp_path):
    crawler = SimpleNamespace(stats=None)
    run = Run.of(crawler, tmp_path / "a.db")
    assert Run.of(crawler) is run
    first = run.hold()
    assert run.hold() is first  # a second holder shares the open archive
    run.release()
    assert first.db.execute("select count(*) from crawl_runs").fetchone() == (0,)  # still open
    run.release()
    assert run.hold() is not first  # closed by the last release: a later hold opens it anew
    run.release_all()
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["crawl_runs"] == 0


def test_a_write_error_is_the_runs_and_copied_to_the_stats_for_telemetry(tmp_path):
    stats = {}
    crawler = SimpleNamespace(stats=SimpleNamespace(set_value=stats.__setitem__))
    run = Run.of(crawler, tmp_path / "a.db")
    run.fail("OperationalError: database or disk is full")
    run.fail("cannot record the end of run 1")
    assert run.write_error == "OperationalError: database or disk is full; cannot record the end of run 1"
    assert stats == {"newsspider/write_error": run.write_error}
