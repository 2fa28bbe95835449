"""The generic `news` spider: a small fictional site served on 127.0.0.1, crawled through the CLI.

tests/fixtures/mirrors/news_site/README.md lists the pages and what each one is for.
"""

from __future__ import annotations

import gzip
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from tests.support.paths import FIXTURES, run_cli
from newsspider.archive import Archive
from newsspider.commands.mirror import MirrorServer
from newsspider.parsing import parse
from newsspider.spiders.feeds import parse_date, read, ungzip
from newsspider.spiders.pagekind import looks_like_article_url, looks_like_listing, looks_like_page_url

SITE = FIXTURES / "mirrors" / "news_site"
PUBLIC = "https://www.example.org"
BANK = f"{PUBLIC}/2024/05/14/central-bank-holds-rates.html"
FESTIVAL = f"{PUBLIC}/2024/05/13/river-festival-draws-record-crowds/"
TRAM = f"{PUBLIC}/news/12345/city-council-approves-new-tram-line/"
LIBRARY = f"{PUBLIC}/2024/05/12/library-reopens-after-renovation.html"
BRIDGE = f"{PUBLIC}/2019/03/02/old-bridge-closes-for-repairs.html"
DOSSIER = f"{PUBLIC}/2024/05/14/elections-2024-all-our-coverage.html"
PRIVATE_PATH = "/private/2024/05/14/embargoed-budget-report.html"


def path_of(url: str) -> str:
    return url.removeprefix(PUBLIC)


@dataclass
class Crawl:
    run: object  # subprocess.CompletedProcess
    db: Path
    requests: list[tuple[str, dict]]

    @property
    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def canonical_urls(self) -> set[str]:
        with Archive(self.db) as archive:
            return {r["canonical_url"] for r in archive.db["articles"].rows}

    def stats(self) -> dict:
        with Archive(self.db) as archive:
            row = list(archive.db.query("select stats from crawl_runs order by id desc limit 1"))[0]
        return json.loads(row["stats"])


def crawl(db: Path, *args: str) -> Crawl:
    """One crawl against its own server, so its requests are its own."""
    with MirrorServer({"/": SITE / "site", "/offsite": SITE / "offsite"}) as server:
        # The off-site host is mapped too, onto /offsite: a spider that wrongly followed
        # it would show up in server.requests instead of reaching the internet.
        host_map = {"www.example.org": server.url, "news.elsewhere.example.net": f"{server.url}/offsite"}
        run = run_cli(
            "crawl", "news", "--db", str(db),
            "-s", f"NEWS_HOST_MAP={json.dumps(host_map)}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0",
            "-s", "NEWSSPIDER_CONTACT=tests@example.org",
            *args,
            timeout=60,
        )
        requests = list(server.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    return Crawl(run, db, requests)


@pytest.fixture(scope="module")
def from_start(tmp_path_factory):
    db = tmp_path_factory.mktemp("start") / "archive.db"
    first = crawl(db, "-a", f"start={PUBLIC}/")
    with Archive(db) as archive:
        after_first = archive.counts()
    second = crawl(db, "-a", f"start={PUBLIC}/")
    return {"first": first, "second": second, "after_first": after_first}


@pytest.fixture(scope="module")
def depth_two(tmp_path_factory):
    return crawl(tmp_path_factory.mktemp("depth2") / "archive.db", "-a", f"start={PUBLIC}/", "-a", "depth=2")


@pytest.fixture(scope="module")
def from_sitemap(tmp_path_factory):
    return crawl(tmp_path_factory.mktemp("sitemap") / "archive.db", "-a", f"sitemap={PUBLIC}/sitemap_index.xml")


@pytest.fixture(scope="module")
def from_feeds(tmp_path_factory):
    return crawl(tmp_path_factory.mktemp("feeds") / "archive.db", "-a", f"feed={PUBLIC}/feed.rss,{PUBLIC}/atom.xml")


@pytest.fixture(scope="module")
def since(tmp_path_factory):
    # The sitemaps come through robots.txt's Sitemap: line here.
    return crawl(
        tmp_path_factory.mktemp("since") / "archive.db",
        "-a", f"sitemap={PUBLIC}/robots.txt", "-a", f"feed={PUBLIC}/feed.rss,{PUBLIC}/atom.xml", "-a", "since=2024-05-10",
    )


@pytest.fixture(scope="module")
def every_crawl(from_start, depth_two, from_sitemap, from_feeds, since):
    return [from_start["first"], from_start["second"], depth_two, from_sitemap, from_feeds, since]


# ---- each way in stores exactly its articles ---------------------------------------------

def test_start_page_stores_the_articles_it_links_to(from_start):
    run = from_start["first"]
    assert run.canonical_urls() == {BANK, FESTIVAL, TRAM}
    assert run.run.stdout.startswith("newsspider news run 1 finished") and "3 new" in run.run.stdout


def test_start_page_at_depth_one_does_not_explore_listings(from_start):
    paths = from_start["first"].paths
    assert "/tag/economy/" not in paths and "/about/" not in paths
    assert path_of(BRIDGE) not in paths  # linked from an article, one hop too far


def test_listing_with_an_article_like_url_is_fetched_but_not_stored(from_start, depth_two):
    for run in (from_start["first"], depth_two):
        assert path_of(DOSSIER) in run.paths
        assert DOSSIER not in run.canonical_urls()
    assert from_start["first"].stats()["newsspider/listing_pages"] == 1


def test_depth_two_goes_through_the_tag_page_and_article_links(depth_two):
    assert "/tag/economy/" in depth_two.paths
    assert depth_two.canonical_urls() == {BANK, FESTIVAL, TRAM, LIBRARY, BRIDGE}


def test_sitemap_index_and_gzipped_news_sitemap(from_sitemap):
    assert {"/sitemap_index.xml", "/sitemaps/news.xml.gz", "/sitemaps/archive-2019.xml"} <= set(from_sitemap.paths)
    assert from_sitemap.canonical_urls() == {BANK, FESTIVAL, TRAM, BRIDGE}


def test_rss_and_atom_feeds(from_feeds):
    # BANK and BRIDGE (a guid permalink) are only in the RSS feed, FESTIVAL (a relative link) only in Atom.
    assert from_feeds.canonical_urls() == {BANK, FESTIVAL, TRAM, BRIDGE}
    assert not [p for p in from_feeds.paths if "utm_" in p]


def test_since_skips_older_entries_and_older_sitemaps(since):
    assert since.canonical_urls() == {BANK, FESTIVAL}
    assert "/sitemap_index.xml" in since.paths  # found through robots.txt
    assert "/sitemaps/news.xml.gz" in since.paths
    for skipped in ("/sitemaps/archive-2019.xml", path_of(TRAM), path_of(BRIDGE)):
        assert skipped not in since.paths


# ---- staying on site, politely ----------------------------------------------------------

def test_robots_disallowed_page_is_never_fetched(every_crawl, from_start, from_sitemap):
    for run in every_crawl:
        assert "/robots.txt" in run.paths
        assert PRIVATE_PATH not in run.paths
    # Both the home page and the news sitemap list it: the spider did ask, robots.txt said no.
    assert from_start["first"].stats()["robotstxt/forbidden"] == 1
    assert from_sitemap.stats()["robotstxt/forbidden"] == 1


def test_offsite_pages_are_never_requested(every_crawl, from_start, from_feeds):
    for run in every_crawl:
        assert not [p for p in run.paths if p.startswith("/offsite")]
    assert from_start["first"].stats()["newsspider/offsite_links"] >= 1
    assert from_feeds.stats()["newsspider/offsite_links"] == 1


def test_domains_argument_lets_another_site_in(tmp_path):
    # The counterpart of the test above: the off-site page is reachable, only the domain rule kept it out.
    run = crawl(tmp_path / "a.db", "-a", f"start={PUBLIC}/", "-a", "domains=elsewhere.example.net")
    assert "/offsite/2024/05/14/some-story.html" in run.paths
    assert "https://news.elsewhere.example.net/2024/05/14/some-story.html" in run.canonical_urls()


def test_requests_are_identified(every_crawl):
    agents = {h.get("User-Agent") for run in every_crawl for _, h in run.requests}
    assert agents == {"newsspider/0.1.0 (news archiver for research; contact: tests@example.org)"}


def test_articles_are_stored_under_public_urls(from_start):
    with Archive(from_start["first"].db) as archive:
        rows = {r["canonical_url"]: r for r in archive.db["articles"].rows}
        urls = [r["url"] for r in archive.db["article_urls"].rows]
    assert {r["site"] for r in rows.values()} == {"example.org"}
    assert not [u for u in urls + [r["url"] for r in rows.values()] if "127.0.0.1" in u]
    # The home page links the tram story on the bare host: fetched there, kept as an alias.
    assert rows[TRAM]["url"] == "http://example.org/news/12345/city-council-approves-new-tram-line/"
    assert rows[BANK]["headline"] == "Central bank holds rates as inflation cools"


def test_second_run_adds_no_article_rows(from_start):
    second = from_start["second"]
    # Incremental: the three known articles, older than the re-check window, are not fetched again.
    assert " 0 new" in second.run.stdout and "3 known skipped" in second.run.stdout
    with Archive(second.db) as archive:
        counts = archive.counts()
    before = dict(from_start["after_first"])
    assert counts.pop("crawl_runs") == before.pop("crawl_runs") + 1
    assert counts == before


# ---- arguments ---------------------------------------------------------------------------

# A host map onto a closed local port: should a bad argument ever be accepted, the
# crawl fails on 127.0.0.1 rather than reaching the real site.
DEAD_MAP = json.dumps({"www.example.org": "http://127.0.0.1:9"})


@pytest.mark.parametrize("args, message", [
    ((), "start=URL"),
    (("-a", "start=www.example.org"), "not an http(s) URL"),
    (("-a", f"start={PUBLIC}/", "-a", "depth=two"), "depth"),
    (("-a", f"feed={PUBLIC}/feed.rss", "-a", "since=last week"), "since"),
    (("-a", "start=https://elsewhere.example.net/"), "NEWS_HOST_MAP has no base URL for elsewhere.example.net"),
    (("-a", f"start={PUBLIC}/", "-s", "NEWS_HOST_MAP=not json"), "NEWS_HOST_MAP must be JSON"),
])
def test_bad_arguments_exit_2(tmp_path, args, message):
    run = run_cli("crawl", "news", "--db", str(tmp_path / "a.db"), "-s", f"NEWS_HOST_MAP={DEAD_MAP}", *args, timeout=60)
    assert run.returncode == 2, run.stderr[-2000:]
    assert message in run.stderr


# ---- what looks like an article -----------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    (BANK, True),
    (FESTIVAL, True),
    (TRAM, True),
    ("https://x.org/article/12345678", True),
    ("https://x.org/sport/football-club-wins-the-cup", True),
    ("https://x.org/2024-05-14-council", True),
    ("http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html", True),
    ("https://www.example.org/", False),
    ("https://x.org/2024/05/14/", False),  # a day's archive
    ("https://x.org/world/europe", False),
    ("https://x.org/tag/economy/", False),
    ("https://x.org/author/maria-example-senior-reporter", False),
    ("https://x.org/page/2/", False),
    ("https://x.org/Economie/index2.html", False),
    ("https://x.org/2024/05/14/photo-of-the-day-large.jpg", False),
])
def test_article_urls(url, expected):
    assert looks_like_article_url(url) is expected


def test_page_urls():
    assert looks_like_page_url("https://x.org/about/") and looks_like_page_url("https://x.org/a.html")
    assert not looks_like_page_url("https://x.org/report.pdf") and not looks_like_page_url("https://x.org/feed.xml")


def tree(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def test_the_dossier_page_is_a_listing_though_it_parses_as_an_article():
    page = SITE / "site" / path_of(DOSSIER).lstrip("/")
    article = parse(page.read_bytes(), DOSSIER)
    # Headline and body: the validate pipeline alone would store it.
    assert article.headline and article.body
    assert looks_like_listing(tree(page))


def test_articles_and_the_home_page_are_told_apart():
    pages = SITE / "site"
    assert looks_like_listing(tree(pages / "index.html"))
    for url in (BANK, FESTIVAL, TRAM, LIBRARY, BRIDGE):
        rel = path_of(url).lstrip("/")
        path = pages / (rel + "index.html" if rel.endswith("/") else rel)
        assert not looks_like_listing(tree(path)), url


NAV = "".join(f'<a href="/s{i}">Section {i}</a>' for i in range(12))


def test_listing_without_markup_is_told_by_its_link_text():
    links = "".join(f'<li><a href="/2024/05/{i:02d}/story-number-{i}-of-the-day">Story number {i} of the day</a></li>' for i in range(1, 20))
    page = lxml.html.fromstring(f"<html><body><nav>{NAV}</nav><h1>Latest</h1><ul>{links}</ul></body></html>")
    assert looks_like_listing(page)


def test_article_without_markup_is_not_a_listing_despite_its_navigation():
    text = "".join(f"<p>{'Paragraph %d of a long report on the council budget. ' % i * 4}</p>" for i in range(8))
    page = lxml.html.fromstring(f"<html><body><nav>{NAV}</nav><h1>Budget</h1><div>{text}</div></body></html>")
    assert not looks_like_listing(page)
    # Declared as a website, the same page is still an article: its text is not link text.
    declared = lxml.html.fromstring(f'<html><head><meta property="og:type" content="website"></head>'
                                    f'<body><nav>{NAV}</nav><div>{text}</div></body></html>')
    assert not looks_like_listing(declared)


# ---- sitemaps and feeds ----------------------------------------------------------------

def test_news_sitemap_entries_carry_their_publication_date():
    body = ungzip((SITE / "site" / "sitemaps" / "news.xml.gz").read_bytes())
    listing = read(body, f"{PUBLIC}/sitemaps/news.xml.gz")
    assert listing.kind == "urlset"
    dates = {e.url: e.date.isoformat() for e in listing.entries}
    assert dates[FESTIVAL] == "2024-05-13T18:30:00+02:00"
    assert f"{PUBLIC}/img/central-bank.jpg" not in dates  # image:loc is not a page


def test_rss_1_and_undated_entries():
    rdf = b"""<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel><title>x</title><link>https://x.org/</link></channel>
      <item><title>a</title><link>https://x.org/2024/05/01/a-story</link><dc:date>2024-05-01</dc:date></item>
      <item><title>b</title><link>https://x.org/b-story-without-a-date</link></item>
    </rdf:RDF>"""
    listing = read(rdf, "https://x.org/rss")
    assert listing.kind == "rss"
    assert [(e.url, e.date and e.date.date().isoformat()) for e in listing.entries] == [
        ("https://x.org/2024/05/01/a-story", "2024-05-01"), ("https://x.org/b-story-without-a-date", None)]


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"\x00\x01 binary", b"<urlset"])
def test_anything_else_is_unknown_or_empty(body):
    listing = read(body, "https://x.org/sitemap.xml")
    assert listing.kind in ("unknown", "urlset") and listing.entries == []


@pytest.mark.parametrize("text, iso", [
    ("2024-05-14", "2024-05-14T00:00:00+00:00"),
    ("2024-05-14T08:00:00Z", "2024-05-14T08:00:00+00:00"),
    ("2024-05-14T08:00+02:00", "2024-05-14T08:00:00+02:00"),
    ("2024-05", "2024-05-01T00:00:00+00:00"),
    ("Tue, 14 May 2024 08:00:00 +0200", "2024-05-14T08:00:00+02:00"),
    ("Tue, 14 May 2024 08:00:00 GMT", "2024-05-14T08:00:00+00:00"),
    ("last week", None),
    ("", None),
])
def test_dates(text, iso):
    moment = parse_date(text)
    assert (moment.isoformat() if moment else None) == iso


def test_ungzip_is_bounded():
    packed = gzip.compress(b"<urlset/>" * 1000)
    assert ungzip(packed) == b"<urlset/>" * 1000
    assert ungzip(b"<urlset/>") == b"<urlset/>"
    with pytest.raises(ValueError):
        ungzip(packed, max_size=100)


def test_mirror_serves_gzip_files_as_gzip():
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    with MirrorServer({"/": SITE / "site"}) as server:
        with direct.open(f"{server.url}/sitemaps/news.xml.gz") as response:
            assert response.headers["Content-Type"] == "application/gzip"
            assert response.headers.get("Content-Encoding") is None
            assert gzip.decompress(response.read()).startswith(b"<?xml")
        with direct.open(f"{server.url}/sitemap_index.xml") as response:
            assert response.headers["Content-Type"].endswith("xml")  # the rest is served as before
