"""`newsspider save-fixture` against pages served on 127.0.0.1, writing into tmp_path."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from tests.support.paths import PEOPLE_FR, people_fr_articles
from newsspider.cli import main
from newsspider.commands.mirror import MirrorServer, people_fr_mounts
from newsspider.parsing import parse
from newsspider.commands.save_fixture import case_slug, fixture_paths
from newsspider.distributed import RedisKeys

SEED = next(c for c in people_fr_articles() if c["id"] == "9074390")
SEED_PATH = "/" + SEED["page"]["path"].removeprefix("site/")
CONTACT = "fixtures@example.org"
UA = f"newsspider/0.1.0 (news archiver for research; contact: {CONTACT})"


@pytest.fixture(scope="module")
def mirror():
    # Its own server: the session mirror's request log is checked by the crawl tests.
    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as server:
        yield server


class _Odd(BaseHTTPRequestHandler):
    """Redirects /moved to the mirror's seed page; /slow answers too late."""

    target = ""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", self.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def odd_server(mirror):
    handler = type("Odd", (_Odd,), {"target": mirror.url + SEED_PATH})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def save(*args):
    return CliRunner().invoke(main, ["save-fixture", *args], catch_exceptions=False)


def test_saves_the_page_and_a_draft_from_the_parser(mirror, tmp_path):
    url = mirror.url + SEED_PATH
    before = len(mirror.requests)
    result = save(url, "--site", "people_fr", "--fixtures-dir", str(tmp_path), "--case", "seed", "-s", f"NEWSSPIDER_CONTACT={CONTACT}")
    assert result.exit_code == 0, result.output
    html, draft_path = tmp_path / "people_fr" / "seed.html.gz", tmp_path / "people_fr" / "seed.json"
    body = SEED["path"].read_bytes()
    assert gzip.decompress(html.read_bytes()) == body
    draft = json.loads(draft_path.read_text(encoding="utf-8"))
    assert draft["_draft"] is True and "_note" in draft and "_parse_error" not in draft
    assert draft["url"] == url and "requested_url" not in draft
    assert draft["fetched_at"].endswith("+00:00")
    article = parse(body, url).to_dict()
    assert {k: draft[k] for k in article} == article
    assert draft["headline"]
    assert f"wrote {html}" in result.output and f"wrote {draft_path}" in result.output
    assert "Review seed.json" in result.output and "draft from GenericParser" in result.output
    assert [h.get("User-Agent") for _, h in mirror.requests[before:]] == [UA]


def test_never_overwrites_without_force(mirror, tmp_path):
    url = mirror.url + SEED_PATH
    target = tmp_path / "people_fr" / "seed.json"
    target.parent.mkdir()
    target.write_text("{}", encoding="utf-8")
    before = len(mirror.requests)
    result = CliRunner().invoke(main, ["save-fixture", url, "--site", "people_fr", "--fixtures-dir", str(tmp_path), "--case", "seed"])
    assert result.exit_code == 1 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "{}" and not (tmp_path / "people_fr" / "seed.html.gz").exists()
    assert len(mirror.requests) == before  # refused before fetching
    assert save(url, "--site", "people_fr", "--fixtures-dir", str(tmp_path), "--case", "seed", "--force").exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["_draft"] is True


def test_follows_redirects_and_names_the_case_after_the_url(odd_server, mirror, tmp_path):
    result = save(odd_server + "/moved", "--site", "x", "--fixtures-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    draft = json.loads((tmp_path / "x" / "moved.json").read_text(encoding="utf-8"))
    assert draft["url"] == mirror.url + SEED_PATH and draft["requested_url"] == odd_server + "/moved"
    assert "redirected from" in result.output


@pytest.mark.parametrize("path, options, message", [
    ("/nowhere.html", [], "HTTP 404"),
    ("/slow", ["--timeout", "0.3"], "timed out"),
])
def test_fetch_failures_write_nothing(odd_server, tmp_path, path, options, message):
    result = CliRunner().invoke(main, ["save-fixture", odd_server + path, "--site", "x", "--fixtures-dir", str(tmp_path), *options])
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "x").exists()


def test_a_page_the_parser_cannot_read_is_kept_with_an_empty_draft(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "empty.html").write_bytes(b"")
    with MirrorServer({"/": site}) as server:
        result = save(server.url + "/empty.html", "--site", "x", "--fixtures-dir", str(tmp_path / "fixtures"))
    assert result.exit_code == 0, result.output
    assert "the parser failed on this page" in result.output
    assert gzip.decompress((tmp_path / "fixtures" / "x" / "empty.html.gz").read_bytes()) == b""
    draft = json.loads((tmp_path / "fixtures" / "x" / "empty.json").read_text(encoding="utf-8"))
    assert draft["_draft"] is True and "empty page" in draft["_parse_error"]
    assert draft["headline"] is None and draft["url"] == server.url + "/empty.html"


def test_refuses_a_page_over_the_size_cap(mirror, tmp_path):
    result = CliRunner().invoke(main, ["save-fixture", mirror.url + SEED_PATH, "--site", "x", "--fixtures-dir", str(tmp_path), "--max-bytes", "1000"])
    assert result.exit_code == 1 and "too large" in result.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("args", [["--site", "../up"], ["--site", "ok", "--case", "a/b"]])
def test_names_stay_inside_the_fixtures_dir(tmp_path, args):
    result = CliRunner().invoke(main, ["save-fixture", "http://127.0.0.1:9/a.html", "--fixtures-dir", str(tmp_path), *args])
    assert result.exit_code == 2 and "plain file name" in result.output


def test_refuses_other_schemes(tmp_path):
    result = CliRunner().invoke(main, ["save-fixture", "file:///etc/passwd", "--site", "x", "--fixtures-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not an http(s) URL" in result.output


@pytest.mark.parametrize("url, slug", [
    ("http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html", "economie-n3-2016-0619-c31355-9074390"),
    ("https://orf.at/stories/3376705/", "stories-3376705"),
    ("https://www.example.org/", "index"),
    ("https://example.org/Nachrichten/Großbrand-in-Nußdorf?id=1", "nachrichten-grobrand-in-nudorf"),
    ("https://example.org/" + "section/" * 20 + "the-story-42.php", "section-" * 8 + "the-story-42"),
])
def test_case_slug(url, slug):
    assert case_slug(url) == slug


def test_help_has_examples():
    assert "Examples:" in CliRunner().invoke(main, ["save-fixture", "--help"]).output


def test_writes_the_layout_the_collecting_test_reads(mirror, tmp_path, monkeypatch):
    # By default into tests/fixtures/sites/, and once the draft markers are gone the case is
    # one tests/test_site_fixtures.py collects and passes: what save-fixture writes is tested.
    from tests.test_site_fixtures import check_case

    from newsspider.commands.save_fixture import DRAFT_KEYS

    monkeypatch.chdir(tmp_path)
    url = mirror.url + SEED_PATH
    site = parse(SEED["path"].read_bytes(), url).site  # the mirror's host: the generic parser's site
    result = save(url, "--site", site, "--case", "seed")
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output
    case = tmp_path / "tests" / "fixtures" / "sites" / site / "seed.json"
    draft = json.loads(case.read_text(encoding="utf-8"))
    with pytest.raises(AssertionError, match="draft"):
        check_case(case)
    case.write_text(json.dumps({k: v for k, v in draft.items() if k not in DRAFT_KEYS}), encoding="utf-8")
    check_case(case)


def test_says_when_the_site_is_not_the_parsers(mirror, tmp_path):
    result = save(mirror.url + SEED_PATH, "--site", "people_fr", "--fixtures-dir", str(tmp_path), "--case", "seed")
    assert result.exit_code == 0 and "note: GenericParser reads this page as site" in result.output


@pytest.mark.parametrize("bad", ["", "a b", "a:b", "50%", "-x", ".hidden", "../up", "a/b", "a..b"])
def test_fixture_names_and_redis_key_names_follow_one_rule(tmp_path, bad):
    # newsspider/names.py is the one check: a name refused for a fixture file is refused for a Redis key part.
    with pytest.raises(ValueError, match="plain file name"):
        fixture_paths(tmp_path, bad, "case")
    with pytest.raises(ValueError, match="plain name"):
        RedisKeys.for_job(bad, "people_fr")
    assert fixture_paths(tmp_path, "people_fr", "seed-1.2_b").html.name == "seed-1.2_b.html.gz"
    assert RedisKeys.for_job("archive2", "people_fr.b-1").requests == "archive2:people_fr.b-1:requests"
