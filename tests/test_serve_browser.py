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

from tests.support.paths import ROOT
from tests.support.serving import fetch
from tests.support.serving import served as serve_in_background

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
    # Only newsspider's own plugin and the chart plugin with what it needs (TRUSTED_PLUGINS).
    assert {p["name"] for p in json.loads(fetch(f"{served['url']}/-/plugins.json")[1])} == {
        "newsspider", "datasette-dashboards", "datasette-leaflet", "datasette-render-markdown"}
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


def _chromium(pw, tmp_path, width):
    return pw.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": width, "height": 1000},
    )


def test_the_reading_room_at_1400_px(served, tmp_path):
    """Home, articles, the seed's page, three searches and the charts: no error box, an article that reads like one."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    url = served["url"]
    outside = []
    with sync_playwright() as pw:
        browser = _chromium(pw, tmp_path, 1400)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(url) or r.url.startswith("data:") else outside.append(r.url))

            def visit(path, name):
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                assert page.locator(".message-error").count() == 0, path
                assert "Error 500" not in page.inner_text("body") and "Error 400" not in page.inner_text("body"), path
                page.screenshot(path=str(ARTIFACTS / f"reading-room-{name}.png"), full_page=True)

            visit("/", "home")
            tables = page.locator("p", has_text="Tables:").locator("a")
            assert tables.first.inner_text() == "articles"
            assert "minhash_bands" not in page.inner_text("body")

            visit("/archive/articles", "articles")
            assert SEED in page.inner_text("table.rows-and-columns")
            # 12 rows fit a screen or two: long bodies fold into one line, not 10,000 px of page.
            assert page.evaluate("document.querySelector('table.rows-and-columns').getBoundingClientRect().height") < 1500

            seed = json.loads(fetch(f"{url}/archive/articles.json?canonical_url__endswith=c31355-9074390.html&_shape=array")[1])[0]
            visit(f"/archive/articles/{seed['id']}", "seed-article")
            assert page.locator("h1.ns-headline").inner_text() == SEED
            assert "(Xinhua/Bai Xueqi)" in page.locator(".ns-credits").inner_text()
            assert "Dernière mise à jour" in page.locator(".ns-meta").inner_text()
            links = page.locator(".ns-related > ol > li > a:first-child")
            assert links.count() == 12
            assert all(links.nth(i).get_attribute("href") for i in range(12))
            # A readable measure: the rendered first line of the first paragraph, in characters.
            chars_per_line = page.evaluate("""() => {
                const p = document.querySelector('.ns-body p');
                const text = p.firstChild; const range = document.createRange();
                const top = p.getClientRects()[0].top; let n = 0;
                for (let i = 1; i <= text.length; i++) {
                    range.setStart(text, i - 1); range.setEnd(text, i);
                    const r = range.getClientRects()[0];
                    if (r && r.top > top + 5) break;
                    n = i;
                }
                return n; }""")
            assert 40 < chars_per_line < 100, chars_per_line
            raw_href = page.locator("a.ns-raw-link").first.get_attribute("href")
            status, raw_text = fetch(url + raw_href)
            assert status == 200 and "<html" in raw_text.lower()  # the page's HTML, as text

            for name, q in [("search-leau", "l%27eau"), ("search-xi-jinping", "Xi-Jinping"), ("search-empty", "")]:
                visit(f"/archive/search?q={q}", name)
                assert page.locator("table.rows-and-columns tbody tr").count() >= 1, name
            assert page.locator("table.rows-and-columns tbody tr").count() == 12  # the empty search: latest articles

            visit("/-/dashboards/archive", "charts")
            page.wait_for_selector("#chart-articles-per-day svg, #chart-articles-per-day canvas", timeout=15000)
            page.wait_for_selector("#chart-coverage svg, #chart-coverage canvas", timeout=15000)
            page.screenshot(path=str(ARTIFACTS / "reading-room-charts.png"), full_page=True)
        finally:
            browser.close()
    assert outside == []  # no CDN: every script and style came from the local server
    print(f"seed article: {chars_per_line} characters in the first body line at 1400 px")
