"""Every page a crawl fetches is accounted for by kind (newsspider/runs/counts.py's PAGE_KINDS): the kinds in
crawl_runs.pages sum to the pages fetched, and the summary line names the non-zero ones."""

from __future__ import annotations

import json
import shutil

from tests.support.paths import FIXTURES, run_cli
from newsspider.archive import Archive
from newsspider.commands.mirror import MirrorServer
from newsspider.runs.counts import PAGE_KINDS, RunCounts, page_accounting

PUBLIC = "https://www.example.org"
BANK_PATH = "/2024/05/14/central-bank-holds-rates.html"
UNTYPED_PATH = "/2024/05/15/rates-held-again-as-growth-slows"  # no extension: sent as application/octet-stream
SOFT_404_PATH = "/2024/05/15/the-story-that-was-taken-down.html"
PDF_PATH = "/2024/05/15/annual-report-in-full"  # a PDF at an article URL, told by its bytes
MISSING_PATH = "/2024/05/15/a-story-the-site-lost.html"
SOFT_404 = (b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
            b"<p>Sorry, the page you are looking for does not exist.</p></body></html>")


def build_site(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "mirrors" / "news_site" / "site", site)
    page = (site / BANK_PATH.lstrip("/")).read_text(encoding="utf-8")
    page = page.replace(BANK_PATH, UNTYPED_PATH).replace("Central bank holds rates as inflation cools", "Rates held again as growth slows")
    page = page.replace("inflation", "slower growth")
    for path, body in ((UNTYPED_PATH, page.encode()), (SOFT_404_PATH, SOFT_404), (PDF_PATH, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")):
        (site / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (site / path.lstrip("/")).write_bytes(body)
    links = "".join(f'<a href="{p}">x</a>' for p in (UNTYPED_PATH, SOFT_404_PATH, PDF_PATH, MISSING_PATH))
    index = (site / "index.html").read_text(encoding="utf-8")
    (site / "index.html").write_text(index.replace("</body>", links + "</body>"), encoding="utf-8")
    return site


def test_the_kinds_of_pages_fetched_sum_to_the_pages_fetched(tmp_path):
    db = tmp_path / "archive.db"
    with MirrorServer({"/": build_site(tmp_path)}) as server:
        run = run_cli("crawl", "news", "--db", str(db), "-s", f"NEWS_HOST_MAP={json.dumps({'www.example.org': server.url})}",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSSPIDER_CONTACT=tests@example.org",
                      "-a", f"start={PUBLIC}/", "-a", f"sitemap={PUBLIC}/sitemap_index.xml", timeout=90)
    assert run.returncode == 0, run.stderr[-3000:]
    with Archive(db) as archive:
        [row] = archive.db.query("select pages, stats from crawl_runs")
    pages, stats = json.loads(row["pages"]), json.loads(row["stats"])
    assert pages == page_accounting(stats)
    fetched = RunCounts.from_stats(stats).pages_fetched
    assert fetched > 0 and pages["unaccounted"] == 0
    assert sum(pages[name] for name, _, _ in PAGE_KINDS) == fetched
    # The kinds this site meets: articles (one served as application/octet-stream), a listing at an
    # article URL, a soft 404, a PDF, a 404, sections and tag pages, the sitemaps, and /private/ (robots.txt).
    met = {"new", "listings", "soft_errors", "not_html", "http_errors", "link_pages", "indexes", "robots_forbidden"}
    assert {name for name, n in pages.items() if n} >= met, pages
    line = run.stdout + run.stderr
    assert "PAGES: " in line
    for name in met:
        assert f"{pages[name]} {name}" in line, name
