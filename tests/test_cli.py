from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from tests.support.archive_helpers import CASES
from tests.support.paths import FROZEN_NOW, run_cli
from newsspider.cli import main

SEED = CASES["9074390"]


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_extract_prints_the_article_as_json():
    result = invoke("extract", "--url", SEED["url"], "--now", FROZEN_NOW.isoformat(), str(SEED["path"]))
    assert result.exit_code == 0
    article = json.loads(result.output)
    assert {k: article[k] for k in SEED["expected"]} == SEED["expected"]


def test_extract_reads_gzip(tmp_path):
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(SEED["path"].read_bytes()))
    result = invoke("extract", "--url", SEED["url"], str(gz))
    assert json.loads(result.output)["headline"] == SEED["expected"]["headline"]


def test_extract_needs_url():
    result = CliRunner().invoke(main, ["extract", str(SEED["path"])])
    assert result.exit_code == 2 and "--url" in result.output


def test_batch_keeps_order_and_survives_bad_pages(tmp_path):
    gz = tmp_path / "a.html.gz"
    gz.write_bytes(gzip.compress(CASES["9311226"]["path"].read_bytes()))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    lines = [
        {"url": SEED["url"], "path": str(SEED["path"])},
        {"url": "http://example.org/missing", "path": str(tmp_path / "missing.html")},
        {"url": "http://example.org/empty", "path": str(empty)},
        "this is not json",
        {"url": CASES["9311226"]["url"], "path": str(gz)},
        {"path": str(SEED["path"])},  # no url
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = invoke("extract", "--batch", "--now", FROZEN_NOW.isoformat(), input=stdin)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["url"] == SEED["url"] and out[0]["path"] == str(SEED["path"])
    assert out[0]["article"]["body"] == SEED["expected"]["body"]
    assert set(out[0]["article"]) == {
        "url", "canonical_url", "site", "section", "language", "headline", "body", "published_at",
        "updated_at", "updated_at_raw", "authors", "agencies", "image_credits", "related_links", "fallback_fields",
    }
    assert "error" in out[1] and "article" not in out[1] and out[1]["url"] == "http://example.org/missing"
    assert "empty page" in out[2]["error"]
    assert "error" in out[3] and out[3]["url"] is None
    assert out[4]["article"]["updated_at"] == CASES["9311226"]["expected"]["updated_at"]
    assert "error" in out[5]


@pytest.mark.parametrize("command", [[], ["crawl"], ["extract"], ["demo"], ["reparse"], ["serve"], ["export"], ["ingest"]])
def test_help_has_examples(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_console_script_entry_point():
    result = run_cli("--version")
    assert result.returncode == 0 and "newsspider" in result.stdout


def _gzip_bomb(path, inflated: int) -> None:
    """A small .html.gz that inflates to `inflated` bytes, written without ever holding them."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    chunk = b"<p>" + b"A" * (1 << 20) + b"</p>"
    with open(path, "wb") as out:
        out.write(packer.compress(b"<html><body>"))
        for _ in range(inflated // len(chunk)):
            out.write(packer.compress(chunk))
        out.write(packer.flush())


def test_batch_refuses_a_gzip_bomb_on_its_line_in_bounded_memory(tmp_path):
    import resource

    from newsspider.settings import DOWNLOAD_MAXSIZE

    bomb = tmp_path / "bomb.html.gz"
    _gzip_bomb(bomb, 1 << 30)  # 1 GiB of page in about 1 MB
    assert bomb.stat().st_size < 2 * 1024 * 1024
    lines = [{"url": "https://example.org/bomb", "path": str(bomb)}, {"url": SEED["url"], "path": str(SEED["path"])}]
    # A subprocess, so that its peak RSS is its own.
    run = run_cli("extract", "--batch", "--now", FROZEN_NOW.isoformat(), input="".join(json.dumps(x) + "\n" for x in lines))
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert run.returncode == 0, run.stderr[-2000:]
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert out[0]["error"] == f"ValueError: larger than {DOWNLOAD_MAXSIZE} bytes once decompressed (DOWNLOAD_MAXSIZE)"
    assert out[1]["article"]["headline"] == SEED["expected"]["headline"]
    # The largest child of this test process so far, this one included: never the 1 GiB of the bomb.
    assert peak_mib < 600, peak_mib


def test_a_plain_page_over_the_cap_is_refused(tmp_path, monkeypatch):
    from newsspider.commands import pagefile

    page = tmp_path / "big.html"
    page.write_bytes(b"<html><body>" + b"x" * 2000 + b"</body></html>")
    with pytest.raises(ValueError, match="larger than 1000 bytes"):
        pagefile.read_page(page, max_size=1000)
    assert pagefile.read_page(page, max_size=0).endswith(b"</html>")


# ---- exit codes and messages ---------------------------------------------------------------

def _closed_port() -> int:
    from tests.support.serving import free_port

    return free_port()  # nothing listens there once free_port has closed its socket


@pytest.mark.parametrize("spider, args", [
    ("news", ["-a", "start=https://www.example.org/"]),
    ("people_fr", ["-a", "sections=Economie"]),
])
def test_an_unknown_spider_argument_is_a_usage_error(tmp_path, spider, args):
    port = _closed_port()
    run = run_cli("crawl", spider, "--db", str(tmp_path / "a.db"), *args, "-a", "sectoins=Chine",
                  "-s", f"PEOPLE_FR_BASE_URL=http://127.0.0.1:{port}", "-s", f'NEWS_HOST_MAP={{"www.example.org": "http://127.0.0.1:{port}"}}')
    assert run.returncode == 2
    [line] = [x for x in run.stderr.splitlines() if x.startswith("Error:")]
    assert "unknown argument -a sectoins" in line and "known: " in line
    assert not (tmp_path / "a.db").exists()


def test_a_site_that_refuses_every_connection_fails_in_one_clear_line(tmp_path):
    port = _closed_port()
    run = run_cli("crawl", "news", "--db", str(tmp_path / "a.db"), "-a", "start=https://www.example.org/",
                  "-s", f'NEWS_HOST_MAP={{"www.example.org": "http://127.0.0.1:{port}"}}', "-s", "RETRY_TIMES=0",
                  "-s", "NEWSSPIDER_CONTACT=tests@example.org", "--log-level", "WARNING", timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr[-2000:]
    assert " failed " in run.stdout and "2 HTTP errors" in run.stdout
    assert "Traceback" not in run.stderr
    assert "failed: no page could be fetched" in run.stderr


def test_extract_now_must_be_a_time():
    result = CliRunner().invoke(main, ["extract", "--now", "yesterday", "--url", SEED["url"], str(SEED["path"])])
    assert result.exit_code == 2 and "--now" in result.output and "yesterday" in result.output


def test_crawling_without_a_contact_warns(tmp_path):
    port = _closed_port()
    run = run_cli("crawl", "news", "--db", str(tmp_path / "a.db"), "-a", "start=https://www.example.org/",
                  "-s", f'NEWS_HOST_MAP={{"www.example.org": "http://127.0.0.1:{port}"}}', "-s", "RETRY_TIMES=0",
                  "--log-level", "ERROR", timeout=60)
    assert "warning: NEWSSPIDER_CONTACT is not set" in run.stderr
