"""The article page: versions as diffs, links only where a browser may follow them, raw responses as text, cells escaped."""

from __future__ import annotations

from newsspider.datasette import render_cell
from newsspider.datasette.article import lines_diff, safe_href, words_diff
from tests.support.factories import make_crawled
from tests.test_datasette_metadata import get, hostile_archive  # noqa: F401 (fixture)
from tests.test_pipelines import Chain


def test_diffs_fold_what_did_not_change_and_mark_words():
    assert words_diff("Le prix monte fort", "Le prix baisse fort") == [("same", "Le prix "), ("del", "monte "), ("ins", "baisse "), ("same", "fort")]
    blocks = lines_diff(["a", "b", "c"], ["a", "b", "c", "d"])
    assert blocks == [{"op": "same", "count": 3}, {"op": "ins", "text": "d"}]


def test_only_web_links_are_links():
    assert safe_href("https://example.org/a") == "https://example.org/a"
    assert safe_href("javascript:alert(1)") is None and safe_href("data:text/html,x") is None and safe_href("") is None


def test_an_updated_article_shows_its_versions_as_a_diff(tmp_path):
    path = tmp_path / "archive.db"
    changed = make_crawled(1, headline="Huawei renforce sa présence au Royaume-Uni", fetched_at="2026-01-02T00:00:00+00:00")
    changed.article.body += "\n\nUn paragraphe ajouté."
    with Chain(path) as chain:
        chain.feed(make_crawled(1, headline="Huawei renforce sa présence au Royaume-Uni"))
    with Chain(path) as chain:
        chain.feed(changed)
    page = get(path, "/archive/articles/1")
    assert page.status_code == 200
    assert "Huawei renforce sa présence au Royaume-Uni" in page.text
    assert "2 versions" in page.text and "<ins>Un paragraphe ajouté.</ins>" in page.text
    assert "minhash_bands" not in page.text  # the lookup index is not a link from the article


def test_raw_responses_are_served_as_text(hostile_archive):  # noqa: F811
    page = get(hostile_archive, "/-/raw/archive/1.txt")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert "<script>alert('raw')</script>" in page.text and page.headers["x-content-type-options"] == "nosniff"
    assert get(hostile_archive, "/-/raw/archive/99.txt").status_code == 404
    article = get(hostile_archive, "/archive/articles/1").text
    assert "<script>alert" not in article and "&lt;script&gt;" in article


def test_cells_are_escaped_before_they_are_marked_up():
    class Row(dict):
        pass

    long = "<script>x</script> " * 20
    html = str(render_cell(Row(), long, "body", "articles", "archive", None))
    assert "<script>" not in html and "&lt;script&gt;" in html and html.startswith("<details")
    assert str(render_cell(Row(), '["A", "B"]', "authors", "articles", "archive", None)) == '<span class="ns-json">A, B</span>'
    assert "<b>" not in str(render_cell(Row(), '{"k": "<b>x</b>"}', "stats", "crawl_runs", "archive", None))
    assert str(render_cell(Row(), "Jack **Alibaba** <i>", "headline", None, "archive", None)) == "Jack <mark>**Alibaba**</mark> &lt;i&gt;"
