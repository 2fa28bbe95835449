"""Readers (serve, export) on read-only media: they open the archive read-only, run no migration,
and say so, with exit 6, when an archive is older than this version.

The media is a tmpfs the test mounts and remounts read-only (root can write through chmod a-w,
not through a read-only mount), then unmounts.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.support import smallfs
from tests.support.serving import fetch, served
from tests.test_archive_upgrade import old_archive

pytestmark = pytest.mark.skipif(not smallfs.available(), reason="needs to mount a tmpfs (root)")


def newsspider(*args):
    return subprocess.run([sys.executable, "-m", "newsspider", *args], capture_output=True, text=True, timeout=120)


def copy(source, target):
    # The backup API: a whole, checkpointed copy with no -wal beside it, as a published snapshot would be.
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def read_only(tmp_path):
    with smallfs.small_filesystem(tmp_path / "media", "32m") as fs:
        yield fs


def test_export_and_serve_read_an_archive_on_read_only_media(demo_archive, read_only):
    db = read_only.path / "archive.db"
    copy(demo_archive[0], db)
    read_only.read_only()
    before = sorted(p.name for p in read_only.path.iterdir())
    for fmt in ("jsonl", "csv", "warc"):
        run = newsspider("export", "--db", str(db), "--format", fmt, "-o", str(read_only.path.parent / f"out.{fmt}"))
        assert run.returncode == 0, (fmt, run.stderr[-2000:])
    run = newsspider("export", "--db", str(db), "--format", "jsonl")
    assert len([json.loads(line) for line in run.stdout.splitlines()]) == 12
    for extra in (("--immutable",), ()):
        with served(db, extra=extra) as url:
            status, body = fetch(f"{url}/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
        assert status == 200 and json.loads(body) == [{"n": 12}], extra
    assert sorted(p.name for p in read_only.path.iterdir()) == before == ["archive.db"]


def test_an_archive_that_needs_upgrading_is_named_not_migrated(tmp_path, read_only):
    old_archive(tmp_path / "old.db")
    db = read_only.path / "old.db"
    copy(tmp_path / "old.db", db)
    read_only.read_only()
    for command in (["export", "--format", "jsonl"], ["serve", "--port", "0"]):
        run = newsspider(*command, "--db", str(db))
        assert run.returncode == 6, run.stderr[-2000:]
        assert f"{db} was made by an older newsspider and needs upgrading" in run.stderr
        assert "newsspider upgrade --db" in run.stderr and "Traceback" not in run.stderr
    # Where it is writable, `newsspider upgrade` does it, and the readers then read it.
    writable = tmp_path / "old.db"
    run = newsspider("upgrade", "--db", str(writable))
    assert run.returncode == 0 and "migrations applied (m002_raw_responses" in run.stdout, run.stderr[-2000:]
    assert newsspider("upgrade", "--db", str(writable)).stdout.strip().endswith("0 migrations applied (it was up to date)")
    assert newsspider("export", "--db", str(writable), "--format", "jsonl").returncode == 0


def test_readers_do_not_migrate_a_writable_archive_either(tmp_path):
    old_archive(tmp_path / "old.db")
    run = newsspider("export", "--db", str(tmp_path / "old.db"), "--format", "csv")
    assert run.returncode == 6
    conn = sqlite3.connect(tmp_path / "old.db")
    assert [r[0] for r in conn.execute("select name from _sqlite_migrations")] == ["m001_initial"]
    conn.close()
