"""A crawl of the mirror plus a section of broken article URLs (tests/support/faults.py).

The real people_fr spider and settings, with small caps so the faults bite fast: it must finish,
store every good article with its right text, store no garbage, and count every failure by kind
in Scrapy's stats and in crawl_runs.stats. The counts are exact; each is derived in a comment.
Off-site links and redirects point at a second local server, and every host name resolves to
127.0.0.1 (LoopbackResolver): a crawler that wrongly followed them would show in that server's log.
"""

from __future__ import annotations

import pytest

from tests.support.paths import PEOPLE_FR, people_fr_articles
from newsspider.archive import Archive
from newsspider.commands.demo import mirror_plan
from tests.support.faultcrawl import public, run_fault_crawl
from tests.support.faults import SECTION, faults

FAULTS = {f.name: f for f in faults()}
MIRROR_ARTICLES = 12
# Article links on the mirror's section pages that the mirror lacks (manifest "absent"): 404s.
MIRROR_NOT_FOUND = 36
QUERY_URL = public(FAULTS["query_variants"].path) + "?page=2"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    plan = mirror_plan(PEOPLE_FR)
    return run_fault_crawl(tmp_path_factory.mktemp("faults"), sections=f"{plan['sections']},{SECTION}",
                           max_pages=plan["max_pages"], urls=f"{plan['urls']},{QUERY_URL}")


def stored_faults():
    return [f for f in FAULTS.values() if f.stored]


def stored_path(f) -> str:
    # A 301 stores the article under the URL it moved to.
    return f.extra_paths[0] if f.name == "redirect_onsite" else f.path


def test_the_crawl_finishes_without_an_error_of_its_own(crawl):
    assert crawl.run.returncode == 0, crawl.run.stderr[-3000:]
    assert crawl.stats["finish_reason"] == "finished" and crawl.run_row["status"] == "finished"
    # Download failures are logged as errors; a bug in a callback or a pipeline would show here.
    assert "spider_exceptions/count" not in crawl.stats and "log_count/CRITICAL" not in crawl.stats
    assert "Spider error processing" not in crawl.run.stderr and "Error processing" not in crawl.run.stderr


def test_every_good_article_is_stored_with_its_text(crawl):
    with Archive(crawl.db) as archive:
        for case in people_fr_articles():
            want = case["expected"]
            got = archive.find_article(want["canonical_url"]).to_dict()
            assert {k: got[k] for k in ("headline", "body", "updated_at")} == {k: want[k] for k in ("headline", "body", "updated_at")}
        for f in stored_faults():
            article = archive.find_article(public(stored_path(f)))
            assert article is not None, f.name
            assert article.headline == f.headline, f.name
            assert article.body and len(article.body) > 200, f.name


def test_nothing_else_is_stored_and_no_text_is_garbled(crawl):
    expected = {c["expected"]["canonical_url"] for c in people_fr_articles()} | {public(stored_path(f)) for f in stored_faults()}
    with Archive(crawl.db) as archive:
        rows = list(archive.db.query("select canonical_url, headline, body from articles"))
    assert len(rows) == MIRROR_ARTICLES + 13 == len(expected)
    assert {r["canonical_url"] for r in rows} == expected
    for r in rows:
        text = r["headline"] + r["body"]
        # U+FFFD is a byte lost to decoding; "Ã©" and "Ã¨" are UTF-8 read as Latin-1; "ŕ" is windows-1252 read as cp1250.
        assert "\ufffd" not in text and "Ã" not in text and "ŕ" not in text, r["canonical_url"]


def test_failures_are_counted_by_kind_in_the_stats_and_in_crawl_runs(crawl):
    expected = {
        # 12 mirror articles + 13 good faults; the alias copy and the ?page=2 copy come second to their article.
        "newsspider/stored/new": MIRROR_ARTICLES + 13,
        "newsspider/stored/unchanged": 2,
        # 500 x3 (server_error), x1 (server_error_once), x1 (redirect_offsite_after_retry);
        # 503 x1 (retry_after) and x4 (retry_after_always: the first answer and RETRY_AFTER_MAX_TIMES=3 more).
        "newsspider/failures/server_error": 3 + 1 + 1 + 1 + 4,
        "newsspider/failures/not_found": MIRROR_NOT_FOUND + 2,  # + 404 and 410
        "newsspider/failures/timeout": 3 + 3,  # timeout and slow_drip, each tried 1 + RETRY_TIMES (2)
        "newsspider/failures/connection_lost": 3,
        "newsspider/failures/dataloss": 3,
        "newsspider/failures/too_large": 2,  # announced by Content-Length, and not; never retried
        "newsspider/failures/too_large_decompressed": 1,
        "newsspider/failures/redirect_loop": 1,
        "newsspider/failures/redirect_offsite": 1,  # the redirect a retried (dont_filter) request met
        "offsite/filtered": 1,  # the plain off-site redirect, refused by Scrapy's own rule
        "robotstxt/forbidden": 1,
        "newsspider/retry_after/waited": 1 + 3,
        "newsspider/retry_after/gave_up": 1,
        # Retries by RetryMiddleware: 2 each for server_error, timeout, slow_drip, connection_reset,
        # truncated; 1 each for server_error_once and redirect_offsite_after_retry.
        "retry/count": 2 * 5 + 1 + 1,
        "retry/max_reached": 5,
        "newsspider/not_html": 3,
        "newsspider/not_html/application/pdf": 2,  # pdf and pdf_as_html
        "newsspider/not_html/image/jpeg": 1,
        "newsspider/dropped": 2,
        "newsspider/dropped/missing_body": 1,  # js_only
        "newsspider/dropped/garbled_headline": 1,  # charset_garbage
        "newsspider/dropped/garbled_body": 1,
        "newsspider/parse_errors": 0,
    }
    assert {k: crawl.stats.get(k, 0) for k in expected} == expected
    assert {k for k in crawl.stats if k.startswith("newsspider/failures/")} == {k for k in expected if k.startswith("newsspider/failures/")}
    assert crawl.run_row["articles_new"] == MIRROR_ARTICLES + 13 and crawl.run_row["dropped"] == 2
    assert crawl.run_row["not_found"] == MIRROR_NOT_FOUND + 2


def test_each_fault_url_was_requested_as_often_as_its_fault_allows(crawl):
    tries = 1 + 2  # RETRY_TIMES = 2
    expected = {
        "server_error": tries, "server_error_once": 2, "retry_after": 2, "retry_after_always": 1 + 3,
        "not_found": 1, "gone": 1, "timeout": tries, "slow_drip": tries, "slow_but_complete": 1,
        "connection_reset": tries, "truncated": tries, "too_large": 1, "too_large_unannounced": 1, "gzip_bomb": 1,
        "redirect_offsite": 1, "redirect_offsite_after_retry": 2, "redirect_loop": 1, "redirect_onsite": 1,
        "query_variants": 2,  # once for the four listing links, once for ?page=2 given in -a urls
        "robots_disallowed": 0, "offsite_link": 0,
    }
    assert {name: crawl.hits.get(FAULTS[name].path, 0) for name in expected} == expected
    assert crawl.hits[FAULTS["redirect_loop"].extra_paths[0]] == 1
    assert crawl.hits[FAULTS["redirect_onsite"].extra_paths[0]] == 1


def test_off_site_links_and_redirects_are_never_followed(crawl):
    assert crawl.offsite_requests == []


def test_query_variants_give_one_article_and_one_request(crawl):
    f = FAULTS["query_variants"]
    listed = [p for p in crawl.requests if p.split("?")[0] == f.path]
    assert sorted(listed) == [f.path, f.path + "?page=2"]
    with Archive(crawl.db) as archive:
        assert archive.db.execute("select count(*) from articles where canonical_url = ?", [public(f.path)]).fetchone()[0] == 1
        reason = archive.db.execute("select reason from article_urls where url = ?", [QUERY_URL]).fetchone()[0]
    assert reason == "alias"


def test_pages_that_give_no_article_keep_their_response_and_say_why(crawl):
    with Archive(crawl.db) as archive:
        rows = {r["url"]: (r["outcome"], r["status"])
                for r in archive.db.query("select url, outcome, status from raw_responses where article_id is null")}
    assert rows == {
        public(FAULTS["pdf"].path): ("not_html", 200),
        public(FAULTS["pdf_as_html"].path): ("not_html", 200),
        public(FAULTS["jpeg"].path): ("not_html", 200),
        public(FAULTS["js_only"].path): ("dropped", 200),
        public(FAULTS["charset_garbage"].path): ("dropped", 200),
    }


def test_the_redirected_article_records_where_it_was_asked_for(crawl):
    f = FAULTS["redirect_onsite"]
    with Archive(crawl.db) as archive:
        [row] = archive.db.query("select r.url, r.final_url from raw_responses r join articles a on a.id = r.article_id where a.canonical_url = ?",
                                 [public(f.extra_paths[0])])
    assert row == {"url": public(f.path), "final_url": public(f.extra_paths[0])}


def test_truncated_bodies_are_not_stored_even_when_scrapy_lets_them_through(tmp_path):
    # With DOWNLOAD_FAIL_ON_DATALOSS off, Scrapy hands over the half page flagged "dataloss".
    f = FAULTS["truncated"]
    result = run_fault_crawl(tmp_path, sections="Vide", max_pages="1", urls=public(f.path),
                             extra=("-s", "DOWNLOAD_FAIL_ON_DATALOSS=False"))
    assert result.run.returncode == 3, result.run.stderr[-2000:]  # finished, nothing stored
    assert result.stats["newsspider/failures/dataloss"] == 1 and "retry/count" not in result.stats
    with Archive(result.db) as archive:
        assert archive.counts()["articles"] == 0
        assert [r["outcome"] for r in archive.db.query("select outcome from raw_responses")] == ["dataloss"]


def test_every_page_fetched_is_accounted_for_by_kind_in_crawl_runs(crawl):
    import json

    from newsspider.runs.counts import NOT_FETCHED_KINDS, PAGE_KINDS, RunCounts, page_accounting

    pages = json.loads(crawl.run_row["pages"])
    assert pages == page_accounting(crawl.stats)
    fetched = RunCounts.from_stats(crawl.stats).pages_fetched
    assert fetched > 0 and pages["unaccounted"] == 0
    assert sum(pages[name] for name, _, _ in PAGE_KINDS) == fetched
    # This crawl meets these kinds (the fault table and the mirror's section pages and 404s).
    for name in ("new", "unchanged", "dropped", "not_html", "link_pages", "http_errors"):
        assert pages[name] > 0, name
    assert pages["robots_forbidden"] == 1 and {n for n, _, _ in NOT_FETCHED_KINDS} <= set(pages)
