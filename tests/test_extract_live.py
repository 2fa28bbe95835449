"""`newsspider extract URL` (127.0.0.1 only), `extract -` from stdin, and the errors of each."""

from __future__ import annotations

import json
import socket

from click.testing import CliRunner

from tests.support.paths import people_fr_articles
from newsspider.cli import EXTRACT_CANNOT_FETCH, main
from tests.support.pages_server import pages
from tests.test_api import ARTICLE_HTML

SEED = next(c for c in people_fr_articles() if c["id"] == "9074390")
ROUTES = {"/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
          "/2024/05/01/story.html": (200, "text/html; charset=utf-8", ARTICLE_HTML),
          "/private/story.html": (200, "text/html", ARTICLE_HTML),
          "/2024/05/01/broken.html": (500, "text/html", b"oops")}


def invoke(*args, input=None):
    return CliRunner().invoke(main, ["extract", *args], input=input)


def test_extract_a_live_url():
    with pages(ROUTES) as (base, seen):
        result = invoke(f"{base}/2024/05/01/story.html", "-s", "NEWSSPIDER_CONTACT=me@example.org")
        assert result.exit_code == 0, result.output
        article = json.loads(result.output)
        assert article["headline"] == "A local headline" and article["published_at_utc"] == "2024-05-01T08:00:00Z"
        assert [p for p, _ in seen] == ["/robots.txt", "/2024/05/01/story.html"] and "me@example.org" in seen[1][1]


def test_unreachable_and_refused_urls_exit_3_with_the_reason():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    result = invoke(f"http://127.0.0.1:{port}/2024/05/01/story.html")
    assert result.exit_code == EXTRACT_CANNOT_FETCH == 3
    assert "cannot fetch" in result.output and "Connection refused" in result.output
    with pages(ROUTES) as (base, seen):
        refused = invoke(f"{base}/private/story.html")
        assert refused.exit_code == 3 and "robots.txt" in refused.output
        assert "/private/story.html" not in [p for p, _ in seen]
        broken = invoke(f"{base}/2024/05/01/broken.html")
        assert broken.exit_code == 3 and "HTTP 500" in broken.output


def test_extract_stdin_with_url():
    result = invoke("-", "--url", SEED["url"], input=SEED["path"].read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["headline"] == SEED["expected"]["headline"]
    assert invoke("-", input=b"<html></html>").exit_code == 2
    missing = invoke("no-such-page.html", "--url", SEED["url"])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_extract_a_live_url_judges_the_page_as_extract_file_does(tmp_path):
    # One rule for a URL and a FILE: the soft-error verdict (exit 4, no article) and the cleaning.
    from tests.test_soft_errors import ERROR_PAGES

    gone = "/2024/05/15/gone.html"
    routes = {**ROUTES, gone: (200, "text/html; charset=utf-8", ERROR_PAGES["english"])}
    with pages(routes) as (base, seen):
        live_error = invoke(f"{base}{gone}")
        live_story = invoke(f"{base}/2024/05/01/story.html")
    assert gone in [p for p, _ in seen]  # fetched, then judged
    (tmp_path / "gone.html").write_bytes(ERROR_PAGES["english"])
    (tmp_path / "story.html").write_bytes(ARTICLE_HTML)
    file_error = invoke("--url", f"{base}{gone}", str(tmp_path / "gone.html"))
    file_story = invoke("--url", f"{base}/2024/05/01/story.html", str(tmp_path / "story.html"))
    assert live_error.exit_code == file_error.exit_code == 4
    assert "is an error page served as a page, not an article (soft error page: " in live_error.output
    assert live_error.output.split("(soft error page: ")[1] == file_error.output.split("(soft error page: ")[1]
    assert live_story.exit_code == file_story.exit_code == 0
    assert json.loads(live_story.output) == json.loads(file_story.output)
