"""Timestamps a program can trust: *_utc and *_offset_stated columns, one rule, a migration, the README's pandas snippet."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import ROOT
from newsspider.archive import Archive, connect
from newsspider.archive.schema import migrations
from tests.support import archives
from newsspider.timestamps import to_utc, utc_columns
from newsspider.items import Article

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("value, expected", [
    ("2016-06-19T13:34:00+08:00", ("2016-06-19T05:34:00Z", 1)),
    ("2024-05-01T23:30:00-04:00", ("2024-05-02T03:30:00Z", 1)),
    ("2024-05-01T10:00:00Z", ("2024-05-01T10:00:00Z", 1)),
    ("2024-05-01T10:00:00.250+00:00", ("2024-05-01T10:00:00Z", 1)),
    ("2026-05-13T15:44:00", (None, 0)),  # the article: a wall clock in no stated zone
    ("2026-05-13", (None, 0)),
    ("mardi dernier", (None, 0)),
    (None, (None, None)),
    ("", (None, None)),
])
def test_the_rule(value, expected):
    assert to_utc(value) == expected


def test_article_columns():
    cols = utc_columns(Article(url="u", published_at="2016-06-19T13:34:00+08:00", updated_at="2016-06-19T13:34:00"))
    assert cols == {"published_at_utc": "2016-06-19T05:34:00Z", "published_at_offset_stated": 1,
                    "updated_at_utc": None, "updated_at_offset_stated": 0}


def test_stored_by_the_write_path_and_kept_in_versions(tmp_path):
    path = archives.build(tmp_path / "a.db", 12)
    db = connect(path, readonly=True)
    rows = {r["site"] + str(r["id"]): r for r in db.query("select * from articles")}
    for row in rows.values():
        assert (row["published_at_utc"], row["published_at_offset_stated"]) == to_utc(row["published_at"])
        assert (row["updated_at_utc"], row["updated_at_offset_stated"]) == to_utc(row["updated_at"])
    stated = [r for r in rows.values() if r["published_at_offset_stated"] == 1]
    naive = [r for r in rows.values() if r["published_at_offset_stated"] == 0]
    assert stated and naive and all(r["published_at_utc"] is None for r in naive)
    db.close()
    # An update keeps the old UTC columns in article_versions.
    item = archives.article(0)
    item.article.body += "\n\nOne more paragraph."
    item.article.published_at = "2024-01-01T09:00:00+08:00"
    with Archive(path) as archive:
        assert archive.write([item])["updated"] == 1
        version = next(archive.db.query("select * from article_versions"))
        assert version["published_at_utc"] == "2024-01-01T00:00:00Z" and version["published_at_offset_stated"] == 1
        now = archive.db.execute("select published_at_utc from articles where id = ?", [version["article_id"]]).fetchone()[0]
        assert now == "2024-01-01T01:00:00Z"


def test_migration_fills_an_older_archive(tmp_path):
    """An archive from before m009 (rows without the columns) gets them filled when opened."""
    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m011_timestamps_in_utc")
    values = ["2016-06-19T13:34:00+08:00", "2026-05-13T15:44:00", None, "2024-05-01T10:00:00Z"]
    with db.atomic():
        for n, value in enumerate(values):
            aid = db["articles"].insert({"canonical_url": f"https://x.org/{n}", "url": f"https://x.org/{n}", "site": "x",
                                         "published_at": value, "updated_at": value, "first_seen": "2024-01-01T00:00:00+00:00",
                                         "last_seen": "2024-01-01T00:00:00+00:00", "fetched_at": "2024-01-01T00:00:00+00:00"}).last_pk
            db["article_versions"].insert({"article_id": aid, "changed_at": "2024-01-01T00:00:00+00:00", "cause": "refetch",
                                           "changed_fields": "[]", "published_at": value, "updated_at": value})
    assert "published_at_utc" not in db["articles"].columns_dict
    db.close()
    with Archive(path) as archive:
        for table in ("articles", "article_versions"):
            got = [tuple(r) for r in archive.db.execute(
                f"select published_at_utc, published_at_offset_stated, updated_at_utc, updated_at_offset_stated from {table} order by id")]
            assert got == [to_utc(v) + to_utc(v) for v in values], table
        assert "m011_timestamps_in_utc" in {m.name for m in migrations.applied(archive.db)}


def test_migration_does_not_import_live_code():
    import inspect

    from newsspider.archive import schema

    source = inspect.getsource(schema.m011_timestamps_in_utc)
    assert "timestamps" not in re.sub(r"#.*", "", source).replace("m011_timestamps_in_utc", "")


def test_readme_pandas_snippet_on_a_multi_site_multi_timezone_archive(tmp_path):
    pd = pytest.importorskip("pandas")
    path = archives.build(tmp_path / "archive.db", 60)
    block = README.split("With pandas", 1)[1]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    namespace: dict = {}
    exec(compile(code.replace('"file:archive.db?mode=ro"', repr(f"file:{path}?mode=ro")), "README.md", "exec"), namespace)
    df, per_month = namespace["df"], namespace["per_month"]
    assert len(df) == 60 and df["site"].nunique() == len(archives.SITES)
    assert str(df["published_at_utc"].dtype).startswith("datetime64") and str(df["published_at_utc"].dt.tz) == "UTC"
    # The old snippet's failure on this archive: mixed offsets (and one without) do not make one column.
    with pytest.raises(ValueError):
        pd.to_datetime(df["published_at"].dropna(), format="ISO8601")
    # Sorted by the UTC column, the articles come in the order they were written (one every 7 hours), whatever their zone.
    ordered = df.dropna(subset=["published_at_utc"]).sort_values("published_at_utc")
    numbers = [int(h.split()[1]) for h in ordered["headline"]]
    assert numbers == sorted(numbers)
    # Stated without an offset or not at all: null, never guessed.
    naive = df[df["site"] == "naive_times"]
    assert naive["published_at_utc"].isna().all() and naive["published_at"].notna().any()
    assert int(per_month.sum()) == len(ordered)


def test_extract_prints_the_utc_columns(tmp_path):
    import json

    from click.testing import CliRunner

    from newsspider.cli import main

    page = tmp_path / "p.html"
    page.write_text("<html><head><meta property='article:published_time' content='2024-05-01T23:30:00-04:00'></head>"
                    "<body><h1>A headline here</h1><p>" + "Some words of the body. " * 30 + "</p></body></html>")
    out = CliRunner().invoke(main, ["extract", "--url", "https://www.example.org/2024/05/01/story.html", "--now",
                                    "2024-06-01T00:00:00+00:00", str(page)])
    assert out.exit_code == 0, out.output
    row = json.loads(out.output)
    assert row["published_at"] == "2024-05-01T23:30:00-04:00"
    assert (row["published_at_utc"], row["published_at_offset_stated"]) == ("2024-05-02T03:30:00Z", 1)
    batch = CliRunner().invoke(main, ["extract", "--batch", "--now", "2024-06-01T00:00:00+00:00"],
                               input=json.dumps({"url": "https://www.example.org/2024/05/01/story.html", "path": str(page)}) + "\n")
    record = json.loads(batch.output)
    assert record["utc"]["published_at_utc"] == "2024-05-02T03:30:00Z"
