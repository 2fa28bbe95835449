"""An archive made by the first schema (#2, m001_initial only) upgraded by opening it: nothing lost."""

from __future__ import annotations

import json

from tests.support.paths import people_fr_articles
from newsspider.archive import Archive, connect
from newsspider.archive.schema import migrations
from newsspider.archive import fts
from newsspider.items import Article
from newsspider.timestamps import UTC_COLUMNS, utc_columns
from tests.test_pipelines import Chain, item

OLD_TABLES = ("articles", "image_credits", "related_links", "article_urls", "crawl_runs")
NEW_TABLES = {"raw_responses", "raw_bodies", "article_versions", "near_duplicates", "minhash_bands", "articles_fts", "reparse_runs"}


def old_archive(path):
    """What `newsspider crawl` of #2 left: the first schema, and rows written with its columns."""
    db = connect(path)
    migrations.apply(db, stop_before="m002_raw_responses")
    assert [m.name for m in migrations.applied(db)] == ["m001_initial"]
    cases = [c for c in people_fr_articles() if not c["id"].endswith("-alias")]
    with db.atomic():
        run = db["crawl_runs"].insert({"spider": "people_fr", "started_at": "2024-06-01T00:00:00+00:00", "status": "finished",
                                       "finished_at": "2024-06-01T00:01:00+00:00", "articles_new": len(cases) + 1, "stats": "{}"}).last_pk
        for n, case in enumerate(cases):
            e = case["expected"]
            aid = db["articles"].insert({
                "canonical_url": e["canonical_url"], "url": e["url"], "site": "people_fr", "section": e.get("section"),
                "language": e["language"], "headline": e["headline"], "body": e["body"], "published_at": e.get("published_at"),
                "updated_at": e.get("updated_at"), "updated_at_raw": e.get("updated_at_raw"), "authors": json.dumps(e.get("authors", [])),
                "content_hash": f"hash{n}", "first_seen": "2024-06-01T00:00:10+00:00", "last_seen": "2024-06-01T00:00:10+00:00",
                "fetched_at": "2024-06-01T00:00:10+00:00",
            }).last_pk
            for i, c in enumerate(e["image_credits"]):
                db["image_credits"].insert({"article_id": aid, "position": i, **c})
            for i, link in enumerate(e["related_links"]):
                db["related_links"].insert({"article_id": aid, "position": i, **link})
            db["article_urls"].insert({"url": e["canonical_url"], "article_id": aid, "reason": "canonical",
                                       "first_seen": "2024-06-01T00:00:10+00:00", "last_seen": "2024-06-01T00:00:10+00:00"})
        # The seed story again under another URL, lightly edited: a near-duplicate the upgrade should find.
        seed = next(c["expected"] for c in cases if c["id"] == "9074390")
        db["articles"].insert({
            "canonical_url": "http://french.peopledaily.com.cn/International/n3/2016/0620/c31356-9999999.html",
            "url": "http://french.peopledaily.com.cn/International/n3/2016/0620/c31356-9999999.html", "site": "people_fr",
            "headline": "Alibaba et les PME russes", "body": "MOSCOU, 18 juin (Xinhua) -- " + seed["body"].replace("M. Ma", "Jack Ma", 2),
            "authors": "[]", "content_hash": "hash-reprint", "first_seen": "2024-06-01T00:00:20+00:00",
            "last_seen": "2024-06-01T00:00:20+00:00", "fetched_at": "2024-06-01T00:00:20+00:00",
        })
    db.close()
    return run


def dump(db, table):
    return [dict(r) for r in db.query(f"select * from {table} order by rowid")]


def test_upgrading_a_first_schema_archive_loses_nothing(tmp_path):
    path = tmp_path / "old.db"
    old_archive(path)
    db = connect(path)
    before = {t: dump(db, t) for t in OLD_TABLES}
    db.close()
    assert len(before["articles"]) == 13 and before["related_links"] and before["image_credits"]

    with Archive(path) as archive:
        assert not migrations.pending(archive.db)
        after = {t: dump(archive.db, t) for t in OLD_TABLES}
        tables = set(archive.db.table_names())
        hits = fts.search(archive.db, "developpement AND russes")
        links = list(archive.db["near_duplicates"].rows)
        ids = {r["canonical_url"]: r["id"] for r in archive.db["articles"].rows}

    # Every old row and column is as it was; columns added by later migrations are empty, except the
    # UTC columns m009 derives from each article's stated times (the rule applied to the old values).
    for table, rows in after.items():
        old_columns = set(before[table][0]) if before[table] else set()
        assert [{k: v for k, v in row.items() if k in old_columns} for row in rows] == before[table], table
        assert all(row[k] is None for row in rows for k in set(row) - old_columns - set(UTC_COLUMNS)), table
    assert all(utc_columns(Article(url=r["url"], published_at=r["published_at"], updated_at=r["updated_at"]))
               == {k: r[k] for k in UTC_COLUMNS} for r in after["articles"])
    assert any(r["updated_at_utc"] for r in after["articles"])
    assert NEW_TABLES <= tables
    # The old rows are in the full-text index (accents folded) and were compared for near-duplicates.
    assert {h["headline"] for h in hits} == {"Jack Ma : Alibaba suit de près le développement des PME russes", "Alibaba et les PME russes"}
    seed_id = ids["http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html"]
    assert [(link["article_id"], link["first_id"]) for link in links] == [
        (ids["http://french.peopledaily.com.cn/International/n3/2016/0620/c31356-9999999.html"], seed_id)]


def test_an_upgraded_archive_takes_new_crawls(tmp_path):
    path = tmp_path / "old.db"
    old_archive(path)
    changed = item("9073012", fetched_at="2026-01-02T00:00:00+00:00")
    changed.article.body += "\n\nUn paragraphe ajouté."
    with Chain(path) as chain:
        chain.feed(changed, item("9074390", fetched_at="2026-01-02T00:00:00+00:00"))
    # The old rows were written without section and published_at (the expected files have none), so both changed.
    assert chain.stat("newsspider/stored/updated") == 2
    with Archive(path) as archive:
        versions = {v["canonical_url"][-12:]: v for v in archive.db.query(
            "select v.*, a.canonical_url from article_versions v join articles a on a.id = v.article_id")}
        assert json.loads(versions["9074390.html"]["changed_fields"]) == ["section", "published_at"]
        assert json.loads(versions["9073012.html"]["changed_fields"]) == ["section", "body", "published_at"]
        assert {v["fetched_at"] for v in versions.values()} == {"2024-06-01T00:00:10+00:00"}
        assert fts.search(archive.db, "paragraphe ajoute")[0]["headline"] == "Huawei renforce sa présence au Royaume-Uni"
