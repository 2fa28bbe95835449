from __future__ import annotations

import os
import stat

from newsspider.archive import Archive, connect
from newsspider.archive.schema import migrations

TABLES = {"articles", "image_credits", "related_links", "article_urls", "crawl_runs"}


def test_schema_is_created_and_migrations_are_idempotent(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        assert TABLES <= set(archive.db.table_names())
        applied = [m.name for m in migrations.applied(archive.db)]
    with Archive(path) as archive:  # opening again applies nothing new
        assert [m.name for m in migrations.applied(archive.db)] == applied
        assert not migrations.pending(archive.db)


def test_wal_mode_busy_timeout_and_foreign_keys(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        assert archive.db.journal_mode == "wal"
        assert archive.db.execute("pragma busy_timeout").fetchone()[0] >= 10_000
        assert archive.db.execute("pragma foreign_keys").fetchone()[0] == 1
        fks = {(fk.column, fk.other_table) for fk in archive.db["image_credits"].foreign_keys}
        assert ("article_id", "articles") in fks


def test_archive_file_is_not_world_writable(tmp_path):
    old = os.umask(0)
    try:
        Archive(tmp_path / "a.db").close()
    finally:
        os.umask(old)
    mode = (tmp_path / "a.db").stat().st_mode
    assert not mode & stat.S_IWOTH and not mode & stat.S_IWGRP


def test_readonly_connection_cannot_write(tmp_path):
    Archive(tmp_path / "a.db").close()
    db = connect(tmp_path / "a.db", readonly=True)
    try:
        db.execute("insert into crawl_runs (spider, started_at, status) values ('x', 'y', 'z')")
    except Exception as exc:
        assert "readonly" in str(exc)
    else:
        raise AssertionError("a read-only connection wrote")
