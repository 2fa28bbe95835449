"""The datasette metadata shipped in the package: complete, and what it promises works; stored HTML stays text."""

from __future__ import annotations

import asyncio

import pytest

from newsspider.archive import Archive
from newsspider.commands.serve import TEMPLATE_DATABASE, TRUSTED_PLUGINS, datasette_args, metadata_for, only_trusted_plugins
from tests.test_pipelines import Chain
from tests.test_readme import fts_shadow_tables
from tests.support.factories import make_crawled


def get(db_path, path, metadata=None):
    from datasette.app import Datasette

    async def go():
        ds = Datasette([str(db_path)], metadata=metadata or metadata_for(db_path))
        return await ds.client.get(path)

    return asyncio.run(go())


def test_every_table_and_column_has_a_description(tmp_path):
    tables = metadata_for(tmp_path / "archive.db")["databases"]["archive"]["tables"]
    with Archive(tmp_path / "archive.db") as archive:
        shadow = fts_shadow_tables(archive.db)
        schema = {t: [c.name for c in archive.db[t].columns] for t in archive.db.table_names() if t not in shadow}
    assert set(tables) == set(schema)
    for table, columns in schema.items():
        assert tables[table].get("description"), table
        if tables[table].get("hidden"):
            continue
        assert set(tables[table].get("columns", {})) == set(columns), table
        assert all(tables[table]["columns"].values()), table


def test_title_source_facets_and_canned_queries():
    m = metadata_for("archive.db")
    assert m["title"] and m["description"] and m["source"]
    db = m["databases"]["archive"]
    assert db["tables"]["articles"]["facets"] == ["site", "section", "language", {"date": "published_at"},
                                                  {"array": "authors"}, {"array": "agencies"}]
    assert db["tables"]["image_credits"]["facets"] == ["agency"]
    assert set(db["queries"]) == {"latest_articles", "articles_by_agency", "updated_articles", "search",
                                  "articles_per_day", "coverage_per_run", "agencies_per_month"}
    assert db["tables"]["articles"]["sort_desc"] == "published_at"
    assert set(db["tables"]["articles"]["reading_columns"]) <= set(db["tables"]["articles"]["columns"])
    # Internal tables are hidden: the near-duplicate index, compressed bodies, migrations, the FTS index.
    assert {t for t, spec in db["tables"].items() if spec.get("hidden")} == {"minhash_bands", "raw_bodies", "_sqlite_migrations",
                                                                             "articles_fts", "ingested_messages"}
    assert list(db["tables"])[0] == "articles"


def test_each_chart_draws_a_canned_query_of_the_served_database():
    m = metadata_for("/srv/news/news.db")
    queries = m["databases"]["news"]["queries"]
    charts = [c for d in m["plugins"]["datasette-dashboards"].values() for c in d["charts"].values()]
    assert len(charts) == 3
    for chart in charts:
        assert chart["db"] == "news" and chart["query"] == queries[chart["query_name"]]["sql"]


def test_metadata_follows_the_database_name():
    m = metadata_for("/srv/news/news.db")
    assert set(m["databases"]) == {"news"} and TEMPLATE_DATABASE not in m["databases"]


def test_serve_arguments_are_read_only_and_local():
    args = datasette_args("/srv/a.db", "/tmp/m.json", host="127.0.0.1", port=8001, immutable=False)
    assert args == ["serve", "--host", "127.0.0.1", "--port", "8001", "--metadata", "/tmp/m.json", "/srv/a.db"]
    assert datasette_args("/srv/a.db", "/tmp/m.json", host="127.0.0.1", port=0, immutable=True)[-2:] == ["--immutable", "/srv/a.db"]


def test_canned_queries_on_the_demo_archive(demo_archive):
    db = demo_archive[0]
    latest = get(db, "/archive/latest_articles.json?_shape=array").json()
    assert len(latest) == 12 and latest[0]["published"] == "2023-07-24T15:02:17+08:00"
    xinhua = get(db, "/archive/articles_by_agency.json?agency=Xinhua&_shape=array").json()
    assert len(xinhua) == 10 and {"(Xinhua/Bai Xueqi)"} <= {r["credit"] for r in xinhua}
    [hit] = get(db, "/archive/search.json?q=Alibaba&_shape=array").json()
    assert hit["headline"] == "Jack Ma : **Alibaba** suit de près le développement des PME russes"
    assert "**Alibaba**" in hit["snippet"]
    # The full-text index ignores accents: "developpement" finds "développement".
    assert get(db, "/archive/search.json?q=developpement&_shape=array").json()
    # The table's own search box goes through the same index.
    rows = get(db, "/archive/articles.json?_search=alibaba&_shape=array").json()
    assert [r["headline"] for r in rows] == ["Jack Ma : Alibaba suit de près le développement des PME russes"]
    assert get(db, "/archive/updated_articles.json?_shape=array").json() == []


def test_updated_articles_lists_what_changed(tmp_path):
    path = tmp_path / "archive.db"
    changed = make_crawled(1, headline="Huawei renforce sa présence au Royaume-Uni", fetched_at="2026-01-02T00:00:00+00:00")
    changed.article.body += "\n\nUn paragraphe ajouté."
    with Chain(path) as chain:
        chain.feed(make_crawled(1, headline="Huawei renforce sa présence au Royaume-Uni"), make_crawled(2))
    with Chain(path) as chain:
        chain.feed(changed)
    [row] = get(path, "/archive/updated_articles.json?_shape=array").json()
    assert row["headline"] == "Huawei renforce sa présence au Royaume-Uni"
    assert row["versions"] == 1 and row["changed_fields"] == '["body"]' and row["last_change"] == "2026-01-02T00:00:00+00:00"


HOSTILE = "<script>alert('x')</script><b>gras</b> <img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_archive(tmp_path):
    path = tmp_path / "archive.db"
    it = make_crawled(page=b"<html><body><script>alert('raw')</script><h1>Titre</h1><p>" + b"Texte. " * 60 + b"</p></body></html>")
    it.article.headline = HOSTILE
    it.article.body = HOSTILE + "\n\n" + "Un paragraphe. " * 20
    with Chain(path) as chain:
        chain.feed(it)
    return path


def test_stored_html_is_shown_as_text(hostile_archive):
    for path in ("/archive/articles", "/archive/articles/1", "/archive/search?q=gras"):
        page = get(hostile_archive, path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<b>gras</b>" not in page.text, path
        assert "&lt;script&gt;alert" in page.text or "&lt;script&gt;" in page.text, path


def test_raw_bodies_are_shown_as_binary(hostile_archive):
    page = get(hostile_archive, "/archive/raw_bodies")
    assert page.status_code == 200
    assert "Binary" in page.text and "alert(&#39;raw&#39;)" not in page.text and "alert('raw')" not in page.text


def test_serve_loads_no_plugin_that_could_render_html():
    from datasette import hookimpl
    from datasette.plugins import pm

    class RenderHtml:
        __name__ = "render_html_plugin"

        @staticmethod
        @hookimpl
        def render_cell(value):
            return value

    pm.register(RenderHtml, name="render_html_plugin")
    try:
        assert "render_html_plugin" in only_trusted_plugins()
        # Checked here, before the cleanup below unregisters the plugin whatever happened.
        assert not pm.is_registered(RenderHtml)
        # The cell renderers left are newsspider's (escapes first) and datasette-render-markdown's (no column configured).
        assert {impl.plugin.__name__ for impl in pm.hook.render_cell.get_hookimpls()} <= set(TRUSTED_PLUGINS)
    finally:
        if pm.is_registered(RenderHtml):
            pm.unregister(RenderHtml)
