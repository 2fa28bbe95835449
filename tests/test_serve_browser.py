"""`newsspider serve` on 127.0.0.1, and a real browser looking for the seed article in it.

The browser is Debian's Chromium (/usr/bin/chromium, which `make test` installs), driven by
Playwright; Playwright's own browser downloads are never used. Without Chromium the browser
test fails: CI must run it. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import ROOT
from newsspider.testing.serving import fetch
from newsspider.testing.serving import served as serve_in_background

CHROMIUM = Path("/usr/bin/chromium")
# A closed network: without the background-networking flags Chromium keeps trying
# Google's hosts; the sandbox needs user namespaces a root CI run may not have.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
SEED = "Jack Ma : Alibaba suit de près le développement des PME russes"


@pytest.fixture(scope="module")
def served(demo_archive):
    db = demo_archive[0]
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    # Its output goes to a file: a pipe nobody reads fills up with datasette's request log and stops it.
    with serve_in_background(db) as url:
        yield {"url": url, "db": db, "digest": digest}


def test_serve_answers_on_loopback_with_the_packaged_metadata(served):
    status, body = fetch(f"{served['url']}/-/metadata.json")
    metadata = json.loads(body)
    assert status == 200 and metadata["title"] == "newsspider news archive"
    assert "search" in metadata["databases"]["archive"]["queries"]
    assert json.loads(fetch(f"{served['url']}/-/plugins.json")[1]) == []
    rows = json.loads(fetch(f"{served['url']}/archive/articles.json?_search=Alibaba&_shape=array")[1])
    assert [r["headline"] for r in rows] == [SEED]
    # Read-only: datasette refuses anything but a query, and the file is left as it was.
    status, _ = fetch(f"{served['url']}/archive.json?sql=delete+from+articles")
    assert status >= 400
    assert hashlib.sha256(served["db"].read_bytes()).hexdigest() == served["digest"]


def test_a_browser_searches_for_alibaba_and_finds_the_seed_article(served, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium); "
                    "this test needs it and never downloads a browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"playwright is not installed ({exc}): `make test` installs the test extras")
    ARTIFACTS.mkdir(exist_ok=True)
    url = served["url"]
    with sync_playwright() as pw:
        # A persistent context in a fresh folder: the "new empty --user-data-dir" Chromium is given.
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 1000},
        )
        try:
            page = browser.new_page()
            page.goto(f"{url}/archive/articles")
            page.fill("input[name=_search]", "Alibaba")
            page.press("input[name=_search]", "Enter")
            page.wait_for_url("**_search=Alibaba**")
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() == 1
            assert SEED in rows.first.inner_text()
            page.screenshot(path=str(ARTIFACTS / "datasette-search-alibaba.png"), full_page=True)

            rows.first.locator("td a").first.click()  # the id column links to the row page
            page.wait_for_url("**/archive/articles/*")
            assert SEED in page.inner_text("body")
            credits_link = page.locator("li", has_text="from article_id in image_credits").locator("a").first
            related_link = page.locator("li", has_text="from article_id in related_links").locator("a").first
            assert credits_link.inner_text() == "1 row" and related_link.inner_text() == "12 rows"
            page.screenshot(path=str(ARTIFACTS / "datasette-seed-article.png"), full_page=True)
            row_page = page.url

            credits_link.click()
            page.wait_for_url("**/archive/image_credits**")
            assert "(Xinhua/Bai Xueqi)" in page.locator("table.rows-and-columns").inner_text()
            page.screenshot(path=str(ARTIFACTS / "datasette-seed-credits.png"), full_page=True)

            page.goto(row_page)
            page.locator("li", has_text="from article_id in related_links").locator("a").first.click()
            page.wait_for_url("**/archive/related_links**")
            assert page.locator("table.rows-and-columns tbody tr").count() == 12

            page.goto(f"{url}/archive/search?q=Alibaba")
            assert "**Alibaba**" in page.locator("table.rows-and-columns").inner_text()
        finally:
            browser.close()
    assert (ARTIFACTS / "datasette-seed-article.png").stat().st_size > 10_000
