"""The Python API: newsspider.parse, newsspider.fetch (127.0.0.1 only) and newsspider.Archive."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest

import newsspider
from tests.support.paths import ROOT, people_fr_articles
from newsspider.archive import Archive as Writer
from newsspider.archive.export import fts_query
from newsspider.archive.read import ArchiveOutdated
from newsspider.archive.schema import migrations
from newsspider.archive import connect
from newsspider.commands.fetch import FetchError, RobotsDisallowed
from tests.support import archives
from tests.support.pages_server import pages

README = (ROOT / "README.md").read_text(encoding="utf-8")
SEED = next(c for c in people_fr_articles() if c["id"] == "9074390")


def test_import_is_cheap_and_has_no_circle():
    code = ("import sys, newsspider; assert [m for m in sys.modules if m.startswith(('newsspider.', 'scrapy', 'pandas'))] == []; "
            "newsspider.Archive; newsspider.parse; newsspider.fetch")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_parse():
    article = newsspider.parse(SEED["path"].read_bytes(), SEED["url"])
    assert article.headline == SEED["expected"]["headline"]


ARTICLE_HTML = ("<html><head><meta property='article:published_time' content='2024-05-01T10:00:00+02:00'></head><body>"
                "<h1>A local headline</h1><p>" + "Words of the story told here. " * 30 + "</p></body></html>").encode()


def test_fetch_is_polite_and_parses():
    routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
              "/2024/05/01/story.html": (200, "text/html; charset=utf-8", ARTICLE_HTML),
              "/private/2024/05/01/story.html": (200, "text/html", ARTICLE_HTML)}
    with pages(routes) as (base, seen):
        article = newsspider.fetch(f"{base}/2024/05/01/story.html", contact="me@example.org")
        assert article.headline == "A local headline" and article.published_at == "2024-05-01T10:00:00+02:00"
        assert [p for p, _ in seen] == ["/robots.txt", "/2024/05/01/story.html"]
        assert all(ua.startswith("newsspider/") and "me@example.org" in ua for _, ua in seen)
        with pytest.raises(RobotsDisallowed):
            newsspider.fetch(f"{base}/private/2024/05/01/story.html")
        assert "/private/2024/05/01/story.html" not in [p for p, _ in seen]
        with pytest.raises(FetchError, match="404"):
            newsspider.fetch(f"{base}/missing.html")


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory):
    return archives.build(tmp_path_factory.mktemp("api") / "archive.db", 60, with_raw=True)


def test_archive_is_read_only(archive_path):
    before = archive_path.read_bytes()
    with newsspider.Archive(archive_path) as archive:
        with pytest.raises(Exception, match="readonly"):
            archive.db.execute("delete from articles")
        assert len(list(archive.articles())) == 60
    assert archive_path.read_bytes() == before
    with pytest.raises(FileNotFoundError):
        newsspider.Archive(archive_path.parent / "nothing.db")


def test_articles_filters(archive_path):
    with newsspider.Archive(archive_path) as archive:
        all_ = list(archive.articles())
        assert isinstance(all_[0], newsspider.ArchivedArticle) and all_[0].id == 1 and isinstance(all_[0].authors, list)
        lemonde = list(archive.articles(site="lemonde"))
        assert lemonde and {a.site for a in lemonde} == {"lemonde"}
        assert {a.section for a in archive.articles(section="economy")} == {"economy"}
        # Publication bounds compare UTC instants whatever the stated offset; no offset stated: outside any bound.
        june = list(archive.articles(published_since=date(2024, 1, 5), until="2024-01-10T00:00:00+00:00"))
        assert june and all("2024-01-05" <= a.published_at_utc < "2024-01-10" for a in june)
        expected = [a.id for a in all_ if a.published_at_utc and "2024-01-05T00:00:00Z" <= a.published_at_utc < "2024-01-10T00:00:00Z"]
        assert [a.id for a in june] == expected
        assert not [a for a in june if a.site == "naive_times"]
        # Full-text search, accents folded; the user's text is never FTS syntax.
        hits = list(archive.articles(search="Story 7"))
        assert [a.headline for a in hits if a.headline == "Story 7 from lemonde"]
        for nasty in ['"', "AND", "a OR", "NEAR(", "headline:x", "(", "*", "-x", "'; drop table articles; --"]:
            list(archive.articles(search=nasty + " story"))  # no sqlite3.OperationalError: fts5 syntax error
        assert len(list(archive.articles())) == 60
        assert fts_query('il "dit" chin*') == '"il" """dit""" "chin"*'


def test_versions_and_raw(archive_path, tmp_path):
    path = tmp_path / "a.db"
    path.write_bytes(archive_path.read_bytes())
    item = archives.article(4, with_raw=True)
    item.article.body += "\n\nA new paragraph."
    item.fetched_at = "2025-01-01T00:00:00+00:00"
    with Writer(path) as writer:
        writer.write([item])
    with newsspider.Archive(path) as archive:
        article = next(a for a in archive.articles() if a.canonical_url == item.article.canonical_url)
        assert article.body.endswith("A new paragraph.")
        [version] = archive.versions(article)
        assert version["cause"] == "refetch" and version["changed_fields"] == ["body"] and not version["body"].endswith("paragraph.")
        assert archive.versions(article.canonical_url) == [version]
        latest = archive.raw(article)
        assert latest["fetched_at"] == "2025-01-01T00:00:00+00:00" and latest["body"].startswith(b"<html>")
        assert len(archive.raw(article, all_fetches=True)) == 2
        assert archive.article(article.id) == article


def test_to_pandas_types(archive_path):
    pd = pytest.importorskip("pandas")
    with newsspider.Archive(archive_path) as archive:
        df = archive.to_pandas()
        table = archive.to_arrow(site="people_fr")
    assert len(df) == 60
    for name in ("published_at_utc", "updated_at_utc", "first_seen", "last_seen", "fetched_at"):
        assert isinstance(df[name].dtype, pd.DatetimeTZDtype) and str(df[name].dt.tz) == "UTC", name
    assert str(df["published_at_offset"].dtype) == "Int16" and str(df["published_at_offset_stated"].dtype) == "boolean"
    people = df[df["site"] == "people_fr"].dropna(subset=["published_at_utc"])
    assert set(people["published_at_offset"]) == {480}
    # The stated local time is the UTC instant plus the stated offset.
    local = people["published_at_utc"] + pd.to_timedelta(people["published_at_offset"].astype(int), unit="min")
    assert list(local.dt.strftime("%Y-%m-%dT%H:%M:%S")) == [s[:19] for s in people["published_at"]]
    naive = df[df["site"] == "naive_times"]
    assert naive["published_at_utc"].isna().all() and not naive["published_at_offset_stated"].dropna().any()
    assert isinstance(df["authors"][0], list) and isinstance(df["image_credits"][0], list) and isinstance(df["image_credits"][0][0], dict)
    ordered = df.dropna(subset=["published_at_utc"]).sort_values("published_at_utc")
    assert list(ordered["id"]) == sorted(ordered["id"])  # archives.article n is written in time order
    assert table.num_rows == len(df[df["site"] == "people_fr"])
    assert str(table.schema.field("published_at_utc").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("authors").type) == "list<item: string>"


def test_an_old_archive_is_refused_read_only_and_upgraded_on_request(tmp_path):
    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m011_timestamps_in_utc")
    db.close()
    with pytest.raises(ArchiveOutdated, match="readonly=False"):
        newsspider.Archive(path)
    newsspider.Archive(path, readonly=False).close()
    with newsspider.Archive(path) as archive:
        assert list(archive.articles()) == []


def test_readme_notebook_example(archive_path):
    pytest.importorskip("pandas")
    block = README.split("### From Python: `newsspider`", 1)[1]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    code = code.replace('"archive.db"', repr(str(archive_path))).replace('"page.html"', repr(str(SEED["path"])))
    code = code.replace('published_since="2016-06-01", until="2016-07-01", search="alibaba russ*"', 'published_since="2024-01-01", search="story"')
    code = "\n".join(line for line in code.splitlines() if "newsspider.fetch(" not in line)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert len(namespace["df"]) == 60 and namespace["table"].num_rows == 10 and namespace["page"]["status"] == 200
    assert namespace["article"].headline == SEED["expected"]["headline"]
