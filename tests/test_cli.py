from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from archive_helpers import CASES
from conftest import FROZEN_NOW, run_cli
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
        "updated_at", "updated_at_raw", "authors", "image_credits", "related_links", "fallback_fields",
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
