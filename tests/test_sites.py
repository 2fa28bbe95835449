"""Sites files (`sites check`, `crawl --sites`) and feed/sitemap discovery from a homepage, on 127.0.0.1 only."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import run_cli
from newsspider.archive import Archive
from tests.support.serving import free_port
from tests.support.pages_server import pages

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSSPIDER_CONTACT=tests@example.org")
HTML = "text/html; charset=utf-8"


def article(title: str) -> bytes:
    body = "".join(f"<p>{title}: paragraph {i} of a story long enough to be taken for an article's body text.</p>" for i in range(6))
    return (f"<html><head><title>{title}</title><meta property='og:title' content='{title}'>"
            f"<meta property='article:published_time' content='2024-05-14T10:00:00+02:00'></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def rss(base: str, *paths: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>f</title>{items}</channel></rss>".encode()


def sitemap(base: str, *paths: str) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode()


def homepage(head: str = "", links: str = "") -> bytes:
    return f"<html><head><title>Home</title>{head}</head><body><nav>{links}</nav></body></html>".encode()


A1, A2 = "/2024/05/14/first-story-on-the-river.html", "/2024/05/14/second-story-on-the-bridge.html"


class Site:
    """A 127.0.0.1 site whose routes are filled in once its base URL is known."""

    def __init__(self):
        self.routes: dict = {}

    def __enter__(self):
        self._cm = pages(self.routes)
        self.base, self.seen = self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)

    @property
    def paths(self):
        return [p for p, _ in self.seen]


def write_sites(tmp_path, text: str):
    path = tmp_path / "sites.toml"
    path.write_text(text)
    return path


def runs(db):
    with Archive(db) as archive:
        return list(archive.db.query("select spider, status, args, articles_new from crawl_runs order by id"))


# ---- crawl --sites ----------------------------------------------------------------------------

def test_two_sites_in_one_run_each_with_its_line_and_run_then_a_total(tmp_path):
    with Site() as one, Site() as two:
        one.routes.update({"/feed.rss": (200, "application/rss+xml", rss(one.base, A1, A2)),
                           A1: (200, HTML, article("River")), A2: (200, HTML, article("Bridge"))})
        two.routes.update({"/sitemap.xml": (200, "application/xml", sitemap(two.base, A1)), A1: (200, HTML, article("Tram"))})
        path = write_sites(tmp_path, f'''
[[site]]
name = "one"
feeds = ["{one.base}/feed.rss"]

[[site]]
name = "two"
sitemaps = ["{two.base}/sitemap.xml"]
download_delay = 0.25
recheck_days = 9
''')
        db = tmp_path / "archive.db"
        run = run_cli("crawl", "--sites", str(path), "--db", str(db), *FAST, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert lines[0].startswith("newsspider one run ") and "2 new" in lines[0]
    assert lines[1].startswith("newsspider two run ") and "1 new" in lines[1]
    assert lines[2].startswith("newsspider total (2 sites) finished") and "3 new" in lines[2]
    recorded = runs(db)
    assert [json.loads(r["args"])["args"]["site"] for r in recorded] == ["one", "two"]
    assert [r["articles_new"] for r in recorded] == [2, 1]
    assert {r["status"] for r in recorded} == {"finished"}
    # The site's own settings reached its crawler only, over -s.
    settings = [json.loads(r["args"])["settings"] for r in recorded]
    assert settings[1]["DOWNLOAD_DELAY"] == 0.25 and settings[1]["NEWSSPIDER_RECHECK_DAYS"] == 9
    assert settings[0]["DOWNLOAD_DELAY"] == "0" and "NEWSSPIDER_RECHECK_DAYS" not in settings[0]


def test_a_site_that_cannot_be_reached_fails_the_run_and_is_named(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with Site() as one:
        one.routes.update({"/feed.rss": (200, "application/rss+xml", rss(one.base, A1)), A1: (200, HTML, article("River"))})
        path = write_sites(tmp_path, f'''
[[site]]
name = "alive"
feeds = ["{one.base}/feed.rss"]

[[site]]
name = "dead"
feeds = ["{dead}/feed.rss"]
''')
        db = tmp_path / "archive.db"
        run = run_cli("crawl", "--sites", str(path), "--db", str(db), *FAST, "-s", "RETRY_TIMES=0", timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    total = run.stdout.strip().splitlines()[-1]
    assert "1 of 2 sites did not succeed: dead (exit 1)" in total
    assert [(json.loads(r["args"])["args"]["site"], r["status"]) for r in runs(db)] == [("alive", "finished"), ("dead", "failed")]


# ---- sites check ------------------------------------------------------------------------------

def test_sites_check_names_line_site_and_key_of_every_problem(tmp_path):
    path = write_sites(tmp_path, '''[[site]]
name = "a"
parser = "nosuch"
start = ["ftp://example.org/"]
colour = 1
max_pages = "ten"

[[site]]
name = "a"
feeds = 3
''')
    run = run_cli("sites", "check", str(path))
    assert run.returncode == 2
    err = run.stderr
    assert f"{path}:5: site 1 (a): unknown key 'colour'" in err
    assert f"{path}:3: site 1 (a): unknown parser 'nosuch'; known: generic," in err
    assert f"{path}:4: site 1 (a): 'start': not an http(s) URL: 'ftp://example.org/'" in err
    assert f"{path}:6: site 1 (a): 'max_pages' must be a number" in err
    assert f"{path}:9: site 2 (a): duplicate site name 'a'" in err
    assert f"{path}:10: site 2 (a): 'feeds' must be a URL or a list of URLs" in err


@pytest.mark.parametrize("text, message", [
    ("x = ", "not valid TOML"),
    ('sites = 1\n[[site]]\nname = "x"\nstart = "https://a.org/"\n', ":1: unknown top-level key 'sites'"),
    ('[[site]]\nname = "x"\n', "no sources"),
    ('[[site]]\nname = "p"\nparser = "people_fr"\ndepth = 2\n', ":4: site 1 (p): 'depth' is not an argument of the people_fr spider"),
])
def test_sites_check_refuses_broken_files(tmp_path, text, message):
    run = run_cli("sites", "check", str(write_sites(tmp_path, text)))
    assert run.returncode == 2 and message in run.stderr


def test_the_example_sites_file_is_valid_and_crawl_refuses_a_broken_one(tmp_path):
    run = run_cli("sites", "check", "examples/sites.toml")
    assert run.returncode == 0, run.stderr
    assert "3 sites, OK" in run.stdout
    crawl = run_cli("crawl", "--sites", str(write_sites(tmp_path, '[[site]]\nname = "x"\n')), "--db", str(tmp_path / "a.db"))
    assert crawl.returncode == 2 and "no sources" in crawl.stderr


# ---- discovery from a homepage ------------------------------------------------------------------

def discover(tmp_path, site: Site, *extra) -> object:
    return run_cli("crawl", "news", "--db", str(tmp_path / "archive.db"), "-a", f"feed={site.base}/", *FAST, *extra, timeout=120)


def stats(tmp_path) -> dict:
    with Archive(tmp_path / "archive.db") as archive:
        return json.loads(list(archive.db.query("select stats from crawl_runs order by id desc limit 1"))[0]["stats"])


def test_discovery_through_link_rel_alternate(tmp_path):
    with Site() as site, Site() as other:
        # "localhost" is another host than 127.0.0.1: its feed must never be asked for.
        offhost = f"http://localhost:{other.base.rsplit(':', 1)[1]}/feed.rss"
        head = (f"<link rel='alternate' type='application/rss+xml' href='/news.rss'>"
                f"<link rel='alternate' type='application/atom+xml' href='{offhost}'>")
        site.routes.update({"/": (200, HTML, homepage(head)), "/news.rss": (200, "application/rss+xml", rss(site.base, A1)),
                            A1: (200, HTML, article("River"))})
        other.routes.update({"/feed.rss": (200, "application/rss+xml", rss(other.base, A2))})
        run = discover(tmp_path, site)
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        assert "1 new" in run.stdout
        assert other.seen == []
    found = stats(tmp_path)
    assert found["newsspider/discovery/link_rel"] == 2 and found["newsspider/discovery/offhost"] == 1


def test_discovery_through_robots_txt_sitemap_lines(tmp_path):
    with Site() as site:
        site.routes.update({"/": (200, HTML, homepage()),
                            "/robots.txt": (200, "text/plain", f"User-agent: *\nSitemap: {site.base}/s/map.xml\n".encode()),
                            "/s/map.xml": (200, "application/xml", sitemap(site.base, A1, A2)),
                            A1: (200, HTML, article("River")), A2: (200, HTML, article("Bridge"))})
        run = discover(tmp_path, site)
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        assert "2 new" in run.stdout
        assert "/s/map.xml" in site.paths


def test_discovery_through_a_common_feed_path(tmp_path):
    with Site() as site:
        site.routes.update({"/": (200, HTML, homepage()), "/atom.xml": (200, "application/atom+xml",
                            f"<feed xmlns='http://www.w3.org/2005/Atom'><title>f</title><entry><title>t</title>"
                            f"<link href='{site.base}{A1}'/></entry></feed>".encode()),
                            A1: (200, HTML, article("River"))})
        run = discover(tmp_path, site)
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        assert "1 new" in run.stdout
        # Each common path asked once, and robots.txt read first (the crawl is polite).
        assert site.paths.count("/feed.xml") == 1 and site.paths[0] == "/robots.txt"
    assert stats(tmp_path)["newsspider/discovery/homepages"] == 1


def test_homepage_article_links_are_the_last_resort(tmp_path):
    with Site() as site:
        site.routes.update({"/": (200, HTML, homepage(links=f"<a href='{A1}'>River</a><a href='/tag/x'>tag</a>")),
                            A1: (200, HTML, article("River"))})
        run = discover(tmp_path, site)
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        assert "1 new" in run.stdout
        assert "/tag/x" not in site.paths
