"""`newsspider demo` end to end, then the archive it made, opened in datasette."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(scope="module")
def demo_db(demo_archive):
    return demo_archive


def test_demo_reports_what_it_stored_and_how_to_browse(demo_db):
    _, out = demo_db
    assert "newsspider people_fr run 1 finished" in out
    assert "12 articles in" in out
    assert "datasette" in out
    assert "Jack Ma : Alibaba suit de près le développement des PME russes" in out


def _get(db_path, path):
    from datasette.app import Datasette

    async def go():
        ds = Datasette([str(db_path)])
        return await ds.client.get(path)

    return asyncio.run(go())


def test_datasette_shows_the_seed_article_with_its_credit_and_12_related_links(demo_db):
    db_path, _ = demo_db
    rows = _get(db_path, "/archive/articles.json?canonical_url__endswith=c31355-9074390.html&_shape=array").json()
    assert len(rows) == 1
    seed = rows[0]
    assert seed["headline"] == "Jack Ma : Alibaba suit de près le développement des PME russes"
    credits = _get(db_path, f"/archive/image_credits.json?article_id={seed['id']}&_shape=array").json()
    assert [(c["raw"], c["agency"], c["photographer"]) for c in credits] == [("(Xinhua/Bai Xueqi)", "Xinhua", "Bai Xueqi")]
    links = _get(db_path, f"/archive/related_links.json?article_id={seed['id']}&_shape=array&_size=max").json()
    assert len(links) == 12
    page = _get(db_path, f"/archive/articles/{seed['id']}")
    assert page.status_code == 200
    html = page.text
    assert "Jack Ma : Alibaba suit de près" in html
    # The row page links to the child tables through the foreign keys.
    assert "12 rows" in html and "related_links" in html
    assert "image_credits" in html
