"""Pages a plain static server sends as application/octet-stream are read as HTML when their bytes are,
and a candidate the news spider classes as a listing is kept raw, so that nothing fetched goes unstored."""

from __future__ import annotations

import json
import shutil

from scrapy.http import Response

from tests.support.paths import FIXTURES, run_cli
from newsspider.archive import Archive
from newsspider.commands.mirror import MirrorServer
from newsspider.spiders.base import content_kind, looks_like_html

SITE = FIXTURES / "mirrors" / "news_site"
PUBLIC = "https://www.example.org"
BANK_PATH = "/2024/05/14/central-bank-holds-rates.html"
UNTYPED_PATH = "/2024/05/15/rates-held-again-as-growth-slows"  # no extension: the server says application/octet-stream
DOSSIER = f"{PUBLIC}/2024/05/14/elections-2024-all-our-coverage.html"


def response(body: bytes, ctype: str | None) -> Response:
    return Response("https://example.org/a", body=body, headers={"Content-Type": ctype} if ctype else {})


def test_generic_types_are_decided_by_the_bytes():
    page = b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body><p>x</p></body></html>"
    for ctype in (None, "application/octet-stream", "binary/octet-stream", "application/unknown"):
        assert content_kind(response(page, ctype)) == "html", ctype
        assert content_kind(response(b"\x00\x01 not a page", ctype)) != "html", ctype
    assert content_kind(response(b"%PDF-1.4 ...", "application/octet-stream")) == "application/pdf"
    assert content_kind(response(page, "image/png")) == "image/png"  # a specific type is believed
    assert looks_like_html(b"<p>text") and looks_like_html(b"<!-- c --><div>")
    assert not looks_like_html(b"<pre>") and not looks_like_html(b"<person/>") and not looks_like_html(b"plain text <html>")


def test_an_untyped_article_is_stored_and_a_listing_is_kept_raw(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE / "site", site)
    page = (site / BANK_PATH.lstrip("/")).read_text(encoding="utf-8")
    page = page.replace(BANK_PATH, UNTYPED_PATH).replace("Central bank holds rates as inflation cools", "Rates held again as growth slows")
    page = page.replace("inflation", "slower growth")  # another story, not a copy of the first
    (site / UNTYPED_PATH.lstrip("/")).parent.mkdir(parents=True)
    (site / UNTYPED_PATH.lstrip("/")).write_text(page, encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    (site / "index.html").write_text(index.replace("</body>", f'<a href="{UNTYPED_PATH}">Rates held again</a></body>'), encoding="utf-8")
    db = tmp_path / "archive.db"
    with MirrorServer({"/": site}) as server:
        run = run_cli("crawl", "news", "--db", str(db), "-s", f"NEWS_HOST_MAP={json.dumps({'www.example.org': server.url})}",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSSPIDER_CONTACT=tests@example.org",
                      "-a", f"start={PUBLIC}/", timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    with Archive(db) as archive:
        [untyped] = archive.db.query("select a.headline, r.headers from articles a join raw_responses r on r.article_id = a.id "
                                     "where a.canonical_url = ?",
                                     [PUBLIC + UNTYPED_PATH])
        listing = list(archive.db.query("select outcome, status, body_sha256, fetched_at from raw_responses where url = ?", [DOSSIER]))
    assert untyped["headline"] == "Rates held again as growth slows"
    assert ["Content-Type", "application/octet-stream"] in json.loads(untyped["headers"])
    assert [(r["outcome"], r["status"]) for r in listing] == [("listing", 200)] and listing[0]["body_sha256"] and listing[0]["fetched_at"]
