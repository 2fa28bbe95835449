"""One big page cannot stall a crawl: linear parsing, capped inputs, and a hard time limit per parse."""

from __future__ import annotations

import random
import time

import pytest

from tests.support.archive_helpers import CASES
from tests.support.paths import FROZEN_NOW
from newsspider.archive import Archive
from newsspider.parsing.budget import ParseTimeout, time_limit
from newsspider.parsers import ParseError
from newsspider.parsing import parse
from newsspider.parsers import body as body_module
from newsspider.parsers.body import Searchable, token_key
from newsspider.parsers.page import MAX_HTML_CHARS
from newsspider.settings import DOWNLOAD_MAXSIZE
from tests.support.discovery import PUBLIC, discovery_crawl


def test_searchable_answers_as_in_does():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(30)]
    text = token_key(" ".join(rng.choice(words) for _ in range(40_000)))  # past the window: the windowed path
    assert len(text) > Searchable.WINDOW
    tokens = text.split()
    queries = []
    for _ in range(400):
        start = rng.randrange(len(tokens) - 6)
        queries.append(token_key(" ".join(tokens[start:start + rng.randint(1, 6)])))  # found, in any order
        queries.append(token_key(" ".join(rng.choice(words + ["nowhere"]) for _ in range(rng.randint(2, 7)))))
    searchable = Searchable(text)
    assert [q in searchable for q in queries] == [q in text for q in queries]


def test_time_limit_interrupts_and_cannot_be_swallowed():
    started = time.monotonic()
    with pytest.raises(ParseTimeout):
        with time_limit(0.2):
            while True:
                try:
                    sum(range(10_000))
                except Exception:  # what parsers and trafilatura do with a failing field
                    pass
    assert time.monotonic() - started < 5
    with time_limit(5):  # a parse within its limit is untouched, and the timer is off after it
        article = parse(CASES["9074390"]["path"].read_bytes(), CASES["9074390"]["url"], now=FROZEN_NOW)
    assert article.headline
    time.sleep(0.3)  # no stray alarm


def test_the_html_cap_is_the_download_cap():
    assert MAX_HTML_CHARS == DOWNLOAD_MAXSIZE
    with pytest.raises(ParseError, match="too large"):
        parse(b"<html><body><p>" + b"x" * DOWNLOAD_MAXSIZE + b"</p></body></html>", "https://x.org/a.html")


def test_a_page_past_the_trafilatura_cap_keeps_its_body(monkeypatch):
    case = CASES["9074390"]
    monkeypatch.setattr(body_module, "TRAFILATURA_MAX_ELEMENTS", 10)
    article = parse(case["path"].read_bytes(), case["url"], now=FROZEN_NOW)
    # The paragraph cluster alone: the article's own paragraphs, all of them.
    assert article.body and set(case["expected"]["body"].split("\n\n")) <= set(article.body.split("\n\n"))


def test_a_page_over_the_limit_is_kept_raw_and_the_crawl_goes_on(tmp_path):
    # 60,000 paragraphs (5 MB) take seconds to parse; the 5 articles of the sitemap, milliseconds.
    run = discovery_crawl(tmp_path, "sitemap-5.xml", "PARSE_TIME_LIMIT_SECONDS=1",
                          spider_args=(f"start={PUBLIC}/big/60000.html", "depth=0"))
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert run["hits"]["big"] == 1 and run["hits"]["article"] == 5
    assert run["stats"]["newsspider/limits/parse_time"] == 1
    assert "LIMITS: 1 pages kept raw, unparsed (PARSE_TIME_LIMIT_SECONDS)" in run["stdout"]
    with Archive(tmp_path / "archive.db") as archive:
        assert archive.db.execute("select count(*) from articles").fetchone()[0] == 5
        raw = list(archive.db.query("select * from raw_responses where url like '%/big/%'"))
    assert len(raw) == 1 and raw[0]["outcome"] == "parse_timeout"
    assert "Traceback" not in run["stderr"]
