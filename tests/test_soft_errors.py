"""Soft error pages (an error page served with status 200) are recognised by a plain rule, kept raw, counted, never stored as articles."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime, timezone

import pytest

from tests.support.paths import FIXTURES, run_cli
from newsspider.archive import Archive
from newsspider.commands.mirror import MirrorServer
from newsspider.parsers import ParseError
from newsspider.parsing import parse
from newsspider.parsers.softerror import page_title, soft_error

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
PEOPLE_FR_URL = "http://french.peopledaily.com.cn/Economie/n3/2024/0301/c31355-20000001.html"
GENERIC_URL = "https://www.example.org/2024/05/14/some-story-that-moved.html"
NGINX = (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
         b"<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")


def page(title: str, h1: str, text: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body><header><a href='/'>Home</a></header>"
            f"<main><h1>{h1}</h1><p>{text}</p><p><a href='/'>Back to the home page</a></p></main></body></html>").encode("utf-8")


ERROR_PAGES = {
    "nginx": NGINX,
    "english": page("Page not found – The Example Gazette", "Page not found",
                    "Sorry, the page you are looking for does not exist or has been moved."),
    "french": page("Page introuvable | Le Quotidien", "Oups ! Page introuvable", "La page que vous recherchez n'existe pas ou a été déplacée."),
    "german": page("Seite nicht gefunden - Die Zeitung", "Seite nicht gefunden",
                   "Die gesuchte Seite existiert nicht. Bitte versuchen Sie es erneut."),
    "spanish": page("Página no encontrada - El Diario", "Página no encontrada", "Lo sentimos, la página que buscas no existe."),
    "error_404": page("Error 404 - Example", "Error 404", "We could not find that."),
}


@pytest.mark.parametrize("name", sorted(ERROR_PAGES))
@pytest.mark.parametrize("url", [PEOPLE_FR_URL, GENERIC_URL])
def test_error_pages_are_recognised(name, url):
    reason = soft_error(*_extracted(ERROR_PAGES[name], url))
    assert reason is not None and reason.startswith("error page")


def _extracted(html, url):
    try:
        article = parse(html, url, now=NOW)
        return article.headline, article.body, page_title(html)
    except ParseError:
        return None, None, page_title(html)


def test_an_article_about_error_pages_is_not_one():
    body = "Le web perd ses pages. " * 60
    assert soft_error("Erreur 404 : quand le web oublie", body, "Erreur 404 : quand le web oublie") is None
    assert soft_error("Les 404 de l'été", "Un court texte.", None) is None
    assert soft_error(None, None, None) is None


def fixture_pages():
    for path in sorted(FIXTURES.rglob("*.html")) + sorted(FIXTURES.rglob("*.html.gz")):
        yield path


def test_no_fixture_page_is_taken_for_an_error_page():
    # Every page in tests/fixtures: the people_fr mirror (with its alias copies), the generic and news-site pages.
    fired, n = [], 0
    for path in fixture_pages():
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        n += 1
        reason = soft_error(*_extracted(data, "https://www.example.org/2024/01/01/story.html" if "people_fr" not in str(path) else PEOPLE_FR_URL))
        if reason:
            fired.append((path.relative_to(FIXTURES).as_posix(), reason))
    assert n >= 40 and fired == []


def test_a_crawl_keeps_a_soft_404_raw_and_stores_no_article(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "mirrors" / "news_site" / "site", site)
    gone = "/2024/05/15/the-story-that-was-taken-down.html"
    (site / gone.lstrip("/")).parent.mkdir(parents=True)
    (site / gone.lstrip("/")).write_bytes(ERROR_PAGES["english"])
    index = (site / "index.html").read_text(encoding="utf-8")
    (site / "index.html").write_text(index.replace("</body>", f'<a href="{gone}">Taken down</a></body>'), encoding="utf-8")
    db = tmp_path / "archive.db"
    with MirrorServer({"/": site}) as server:
        run = run_cli("crawl", "news", "--db", str(db), "-s", f"NEWS_HOST_MAP={json.dumps({'www.example.org': server.url})}",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSSPIDER_CONTACT=tests@example.org",
                      "-a", "start=https://www.example.org/", timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    with Archive(db) as archive:
        assert archive.db.execute("select count(*) from articles where url like ?", [f"%{gone}"]).fetchone()[0] == 0
        [row] = archive.db.query("select outcome, status, error from raw_responses where url like ?", [f"%{gone}"])
        stats = json.loads(next(archive.db.query("select stats from crawl_runs"))["stats"])
    assert row["outcome"] == "soft_error" and row["status"] == 200 and "Page not found" in row["error"]
    assert stats["newsspider/soft_errors"] == 1 and stats["newsspider/stored_raw_only/soft_error"] == 1


def test_extract_says_a_soft_error_page_is_no_article_and_exits_4(tmp_path):
    path = tmp_path / "gone.html"
    path.write_bytes(ERROR_PAGES["english"])
    run = run_cli("extract", "--url", "https://www.example.org/2024/05/15/gone.html", str(path))
    assert run.returncode == 4 and run.stdout == ""
    assert "is an error page served as a page, not an article (soft error page:" in run.stderr
    batch = json.dumps({"url": "https://www.example.org/2024/05/15/gone.html", "path": str(path)})
    run = run_cli("extract", "--batch", input=batch + "\n")
    assert run.returncode == 0
    [line] = [json.loads(x) for x in run.stdout.splitlines()]
    assert "article" not in line and line["error"].startswith("soft error page: ")


def test_eval_scores_a_soft_error_page_as_no_article_through_the_same_rule():
    from types import SimpleNamespace

    from newsspider.evaluation.run import NewsspiderExtractor
    from newsspider.parsers.normalize import normalize

    url = "https://www.example.org/2024/05/15/gone.html"
    verdict = normalize(parse(ERROR_PAGES["english"], url, now=NOW), NOW.isoformat(), html=ERROR_PAGES["english"])
    assert verdict.soft_error and not verdict.ok and verdict.reason.startswith("soft error page: ")
    prediction = NewsspiderExtractor().extract(ERROR_PAGES["english"], SimpleNamespace(url=url, now=NOW))
    assert (prediction.title, prediction.body) == (None, None)
    # An eval case's fetch time may come without an offset: taken as UTC, not a crash.
    from newsspider.items import Article

    article = Article(url=url, canonical_url=url, site="example", headline="A headline", body="A body.",
                      published_at="2025-12-31T10:00:00+00:00", updated_at="2026-01-02T10:00:00+00:00")
    assert normalize(article, "2026-01-01T00:00:00").ok
    assert (article.published_at, article.updated_at) == ("2025-12-31T10:00:00+00:00", None)  # after the fetch: null
