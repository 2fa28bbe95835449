"""`newsspider reparse`: stored pages read again, changes applied and counted, resumable."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.support.archive_helpers import CASES, canonical_cases, crawled, raw_fetch
from newsspider.archive import Archive
from newsspider.cli import main
from newsspider.items import UnparsedPage
from newsspider.commands.reparse import reparse
from tests.test_pipelines import Chain

FETCHED = "2026-01-01T00:00:00+00:00"


@pytest.fixture
def archive_path(tmp_path):
    path = tmp_path / "a.db"
    with Chain(path) as chain:
        chain.feed(*(crawled(cid, FETCHED) for cid in canonical_cases()))
    return path


def url_of(case_id):
    return CASES[case_id]["expected"]["canonical_url"]


def older_parser_output(path):
    """Make the stored rows look like an older parser's: what reparse should now correct."""
    with Archive(path) as archive:
        db = archive.db
        ids = {r["canonical_url"]: r["id"] for r in db["articles"].rows}
        with db.atomic():
            for cid in ("9073012", "9104237"):
                db["articles"].update(ids[url_of(cid)], {"headline": "Titre extrait par un ancien parseur"})
            db.execute("delete from image_credits where article_id = ?", [ids[url_of("9074390")]])
            db["articles"].update(ids[url_of("9872415")], {"body": "Un seul paragraphe."})
    return ids


def test_unchanged_parsers_change_nothing(archive_path):
    with Archive(archive_path) as archive:
        before = list(archive.db["articles"].rows)
        result = reparse(archive)
        run = archive.db["reparse_runs"].get(result.run_id)
        assert list(archive.db["articles"].rows) == before
        assert archive.db["article_versions"].count == 0
    assert (result.pages, result.changed, dict(result.field_counts)) == (12, 0, {})
    assert result.outcomes == {"unchanged": 12}
    assert run["status"] == "finished" and run["pages"] == 12 and run["last_raw_id"] == 12


def test_changed_fields_are_applied_versioned_and_counted(archive_path):
    ids = older_parser_output(archive_path)
    with Archive(archive_path) as archive:
        seen = {r["id"]: (r["first_seen"], r["last_seen"]) for r in archive.db["articles"].rows}
        result = reparse(archive)
        versions = list(archive.db.query("select * from article_versions order by article_id"))
        huawei = archive.db["articles"].get(ids[url_of("9073012")])
        credits = archive.db.execute("select raw from image_credits where article_id = ?", [ids[url_of("9074390")]]).fetchall()
        assert {r["id"]: (r["first_seen"], r["last_seen"]) for r in archive.db["articles"].rows} == seen
    assert dict(result.field_counts) == {"headline": 2, "image_credits": 1, "body": 1}
    assert result.changed == 4 and result.outcomes == {"changed": 4, "unchanged": 8}
    assert huawei["headline"] == CASES["9073012"]["expected"]["headline"]
    assert credits == [("(Xinhua/Bai Xueqi)",)]
    assert {v["cause"] for v in versions} == {"reparse"} and len(versions) == 4
    by_article = {v["article_id"]: v for v in versions}
    assert by_article[ids[url_of("9073012")]]["headline"] == "Titre extrait par un ancien parseur"
    assert json.loads(by_article[ids[url_of("9074390")]]["image_credits"]) == []
    assert json.loads(by_article[ids[url_of("9872415")]]["changed_fields"]) == ["body"]


def test_an_interrupted_run_resumes_where_it_stopped(archive_path):
    older_parser_output(archive_path)

    def interrupt(n):
        raise KeyboardInterrupt

    with Archive(archive_path) as archive:
        with pytest.raises(KeyboardInterrupt):
            reparse(archive, batch_size=5, on_batch=interrupt)
        [run] = archive.db["reparse_runs"].rows
        assert run["status"] == "running" and run["pages"] == 5 and run["last_raw_id"] == 5
    totals = []
    with Archive(archive_path) as archive:
        result = reparse(archive, batch_size=5, on_start=totals.append)
        [run] = archive.db["reparse_runs"].rows
    assert result.resumed and result.run_id == run["id"] and totals == [7]
    assert run["status"] == "finished" and result.pages == 12
    # The counts of both sessions together, as one uninterrupted run gives.
    assert dict(result.field_counts) == {"headline": 2, "image_credits": 1, "body": 1} and result.changed == 4


def test_restart_abandons_the_unfinished_run(archive_path):
    with Archive(archive_path) as archive:
        with pytest.raises(KeyboardInterrupt):
            reparse(archive, batch_size=5, on_batch=lambda n: (_ for _ in ()).throw(KeyboardInterrupt))
        result = reparse(archive, batch_size=5, restart=True)
        runs = list(archive.db.query("select status, pages from reparse_runs order by id"))
    assert not result.resumed and result.pages == 12
    assert runs == [{"status": "abandoned", "pages": 5}, {"status": "finished", "pages": 12}]


def test_site_and_since_select_pages(archive_path):
    with Archive(archive_path) as archive:
        assert reparse(archive, site="people_fr").pages == 12
        assert reparse(archive, site="example").pages == 0
        assert reparse(archive, since="2026-01-01T00:00:01+00:00").pages == 0
        assert reparse(archive, since=FETCHED).pages == 12


def test_a_page_that_gave_no_article_is_recovered_once_it_parses(tmp_path):
    path = tmp_path / "a.db"
    with Chain(path) as chain:
        chain.feed(crawled("9074390", FETCHED),
                   UnparsedPage(raw=raw_fetch("9073012"), fetched_at=FETCHED, error="missing headline", outcome="dropped"))
    with Archive(path) as archive:
        result = reparse(archive)
        again = reparse(archive)
        article = archive.db.execute("select id, headline from articles where canonical_url = ?", [url_of("9073012")]).fetchone()
        raw_row = archive.db.execute("select article_id, outcome from raw_responses where outcome = 'dropped'").fetchone()
    assert result.outcomes == {"recovered": 1, "unchanged": 1}
    assert article[1] == CASES["9073012"]["expected"]["headline"]
    assert raw_row == (article[0], "dropped")  # the fetch's outcome stays; it now has its article
    assert again.outcomes == {"unchanged": 2}


def test_a_parser_that_loses_a_required_field_erases_nothing(archive_path, monkeypatch):
    import newsspider.commands.reparse as module

    real = module.parse

    def worse(*args, **kwargs):
        article = real(*args, **kwargs)
        article.body = None
        return article

    monkeypatch.setattr(module, "parse", worse)
    with Archive(archive_path) as archive:
        before = list(archive.db["articles"].rows)
        result = reparse(archive)
        assert list(archive.db["articles"].rows) == before
    assert result.outcomes == {"invalid": 12} and result.changed == 0


def test_the_command_shows_progress_and_ends_with_counts_per_field(archive_path):
    older_parser_output(archive_path)
    result = CliRunner().invoke(main, ["reparse", "--db", str(archive_path), "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "re-parsing" in result.output  # the progress bar (on stderr, mixed in by CliRunner)
    assert "reparse run 1: 12 pages, 4 articles changed" in lines
    table = lines[lines.index("field            articles changed") + 1:]
    assert table == ["headline         2", "body             1", "image_credits    1"]


def test_the_command_refuses_a_missing_archive_and_a_bad_date(tmp_path, archive_path):
    result = CliRunner().invoke(main, ["reparse", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no archive" in result.output
    assert not (tmp_path / "none.db").exists()
    result = CliRunner().invoke(main, ["reparse", "--db", str(archive_path), "--since", "yesterday"])
    assert result.exit_code == 2 and "--since" in result.output


def test_reparse_records_and_reports_the_parser_and_version_that_changed_each_article(archive_path):
    older_parser_output(archive_path)
    result = CliRunner().invoke(main, ["reparse", "--db", str(archive_path)])
    assert result.exit_code == 0, result.output
    assert "changed by: PeopleFrParser current (4)" in result.output.splitlines()
    with Archive(archive_path) as archive:
        rows = archive.db.execute("select parser, parser_version, count(*) from articles group by 1, 2 order by 1").fetchall()
    # The helper stored the others without saying which parser read them; an unchanged re-parse leaves them so.
    assert rows == [(None, None, 8), ("PeopleFrParser", "current", 4)]
