"""The canned full-text search never errors: whatever is typed is searched as words, and nothing typed lists the latest articles."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsspider.commands.serve import metadata_for
from tests.test_datasette_metadata import get
from tests.test_pipelines import Chain
from tests.support.factories import make_crawled, paragraphs_for

SEARCH_SQL = metadata_for("archive.db")["databases"]["archive"]["queries"]["search"]["sql"]
NO_FILTER = {"site": "", "since": "", "until": ""}
# What people type that FTS5 would read as syntax: apostrophes (French is full of them),
# hyphens (column filters to FTS5), its operators and punctuation, quotes, stars, nothing.
HOSTILE = ["l'eau", "Xi-Jinping", "COVID-19", '"', '""', "*", "**", "NEAR", "NEAR(a b)", "AND", "OR", "NOT x",
           "(", ")", "-", ":", "^", "+", "headline:Alibaba", '"Alibaba', "Alibaba*", "a\tb\nc", "", "   ", "'", "\\",
           "{headline body}: x", "x AND", "chin* OR", "%", "_"]


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "archive.db"
    # Two stories with the words the tests below type (accents, hyphens, a prefix).
    seed = make_crawled(1, headline="Jack Ma : Alibaba suit de près le développement des PME russes",
                        body="\n\n".join(["Jack Ma, fondateur d'Alibaba, suit le développement des PME russes.", *paragraphs_for(1)]))
    huawei = make_crawled(2, headline="Huawei renforce sa présence au Royaume-Uni",
                          body="\n\n".join(["Huawei ouvre un centre de recherche au Royaume-Uni et y recrute.", *paragraphs_for(2)]))
    with Chain(path) as chain:
        chain.feed(seed, huawei)
    return path


def search(db_path, q, **filters):
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        # A query that loops fails here ("interrupted") with the input that made it, instead of hanging the suite.
        conn.set_progress_handler(lambda: 1, 20_000_000)
        return [dict(r) for r in conn.execute(SEARCH_SQL, {"q": q, **NO_FILTER, **filters})]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_is_searched_as_words(small_archive, q):
    rows = search(small_archive, q)
    if not q.strip():
        assert len(rows) == 2  # the latest articles
    assert all(set(r) == {"id", "published", "site", "section", "headline", "snippet"} for r in rows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_no_text_makes_the_search_fail(small_archive, q):
    search(small_archive, q)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["Alibaba", "PME", "russes", "Jack", "Huawei", "Royaume-Uni", "l'eau", "NEAR", '"']),
                      min_size=1, max_size=4))
def test_every_word_must_appear(small_archive, words):
    """Tokens are ANDed, in any order: a result holds every word typed (as FTS5 tokenizes it; punctuation alone is no word)."""
    rows = search(small_archive, " ".join(words))
    with sqlite3.connect(small_archive) as conn:
        for r in rows:
            for word in filter(lambda w: any(ch.isalnum() for ch in w), words):
                quoted = '"' + word.replace('"', '""') + '"'
                assert conn.execute("select 1 from articles_fts where rowid = ? and articles_fts match ?", [r["id"], quoted]).fetchone()


def test_prefix_and_accents(small_archive):
    assert [r["id"] for r in search(small_archive, "Aliba*")] == [r["id"] for r in search(small_archive, "alibaba")]
    assert search(small_archive, "developpement") == search(small_archive, "développement")


def test_search_through_datasette_on_the_demo_archive(demo_archive):
    db = demo_archive[0]

    def rows(query):
        page = get(db, f"/archive/search.json?_shape=array&{query}")
        assert page.status_code == 200, (query, page.text[:300])
        return page.json()

    eau = rows("q=l%27eau")
    assert eau and all("**l'eau**" in (r["headline"] + r["snippet"]).lower() for r in eau)
    assert eau[0]["headline"] == "Chine : les sorties estivales au bord de **l'eau** séduisent les familles"
    xi = rows("q=Xi-Jinping")
    assert xi[0]["headline"].startswith("**Xi Jinping** fixe les objectifs")
    assert rows("q=COVID-19")  # found in a body, not "no such column: 19"
    # Nothing typed: the latest articles, newest first, not "fts5: syntax error".
    latest = rows("q=")
    assert len(latest) == 12 and latest[0]["published"] == "2023-07-24T15:02:17+08:00"
    assert [r["published"] for r in latest] == sorted((r["published"] for r in latest), reverse=True)
    assert rows("") == latest
    # Filters by site and by date, inclusive.
    assert rows("q=&site=people_fr") == latest and rows("q=&site=nowhere") == []
    assert {r["id"] for r in rows("q=&since=2021-07-14")} == {r["id"] for r in latest if r["published"] >= "2021-07-14"}
    assert {r["id"] for r in rows("q=Chine&until=2016-12-31")} <= {r["id"] for r in latest if r["published"] < "2017"}
    # Ranked: a headline match comes before body-only matches.
    jack = rows("q=Alibaba")
    assert jack[0]["headline"].startswith("Jack Ma : **Alibaba**")
    for q in HOSTILE:
        page = get(db, "/archive/search?" + urlencode({"q": q}))
        assert page.status_code == 200 and 'class="message-error"' not in page.text, q
