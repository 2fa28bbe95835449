"""Where the crawler may go and what it may do: site boundaries, robots.txt, size caps, no JavaScript,
parameterised SQL, stored markup shown as text, archive files not writable by others."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import stat
import subprocess
import sys

import pytest

from tests.support.paths import ROOT
from newsspider.archive import Archive
from newsspider.runs.crawl import project_settings
from newsspider.archive.lock import ArchiveLock
from tests.support.faultcrawl import public, run_fault_crawl
from tests.support.faults import HOSTILE_BODY, HOSTILE_HEADLINE, SECURITY_SECTION, faults
from tests.support.serving import fetch, served

FAULTS = {f.name: f for f in faults()}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    return run_fault_crawl(tmp_path_factory.mktemp("security"), sections=SECURITY_SECTION, max_pages="1")


# ---- where the crawler goes --------------------------------------------------------------------
def test_off_site_links_and_redirects_are_never_fetched(crawl):
    assert crawl.run.returncode == 0, crawl.run.stderr[-3000:]
    # Every host name resolved to 127.0.0.1 and the off-site URLs carry the port of a server of ours:
    # one request to another site would be in its log, robots.txt included.
    assert crawl.offsite_requests == []
    assert crawl.stats["offsite/filtered"] == 1 and crawl.stats["newsspider/failures/redirect_offsite"] == 1


def test_robots_txt_is_obeyed(crawl):
    assert crawl.hits["/robots.txt"] == 1
    assert crawl.hits.get(FAULTS["robots_disallowed"].path, 0) == 0
    assert crawl.stats["robotstxt/forbidden"] == 1
    with Archive(crawl.db) as archive:
        assert archive.find_article(public(FAULTS["robots_disallowed"].path)) is None


def test_download_size_caps_are_set():
    settings = project_settings()
    assert settings.getint("DOWNLOAD_MAXSIZE") == 16 * 1024 * 1024
    assert settings.getint("DOWNLOAD_WARNSIZE") == 4 * 1024 * 1024
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS") is True
    # The stock decompression, which stops at DOWNLOAD_MAXSIZE, is replaced only by its counting subclass.
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] is None
    assert middlewares["newsspider.middlewares.compression.CountingHttpCompressionMiddleware"] == 590


# ---- no JavaScript ------------------------------------------------------------------------------
JS_COMPONENTS = re.compile(r"playwright|splash|selenium|pyppeteer|puppeteer|chrom|webdriver|js2py|dukpy|quickjs|v8", re.I)


def test_no_javascript_engine_is_configured():
    settings = project_settings()
    components = [
        *settings.getdict("DOWNLOAD_HANDLERS").values(), *settings.getdict("DOWNLOAD_HANDLERS_BASE").values(),
        *settings.getdict("DOWNLOADER_MIDDLEWARES"), *settings.getdict("SPIDER_MIDDLEWARES"),
        *settings.getdict("EXTENSIONS"), *settings.getdict("ITEM_PIPELINES"),
    ]
    assert [c for c in components if c and JS_COMPONENTS.search(str(c))] == []
    for module in ("scrapy_playwright", "scrapy_splash", "scrapy_selenium", "scrapy_pyppeteer"):
        assert importlib.util.find_spec(module) is None, module


def test_a_page_written_by_javascript_is_not_rendered(crawl):
    f = FAULTS["js_only"]
    assert crawl.hits[f.path] == 1
    assert crawl.stats["newsspider/dropped/missing_body"] == 1
    with Archive(crawl.db) as archive:
        assert archive.find_article(public(f.path)) is None
        # The script's text reaches no stored article either.
        assert archive.db.execute("select count(*) from articles where body like '%rendu par JavaScript%'").fetchone()[0] == 0


# ---- stored markup is shown as text -----------------------------------------------------------
def test_script_and_onerror_in_an_article_are_shown_escaped_by_serve(crawl):
    with Archive(crawl.db) as archive:
        article_id, headline, body = archive.db.execute(
            "select id, headline, body from articles where canonical_url = ?", [public(FAULTS["hostile_text"].path)]).fetchone()
    assert headline == HOSTILE_HEADLINE and body.startswith(HOSTILE_BODY)
    with served(crawl.db) as url:
        pages = {path: fetch(url + path) for path in (f"/archive/articles/{article_id}", "/archive/articles", "/archive/articles?_search=Canton")}
    for path, (status, page) in pages.items():
        assert status == 200, path
        assert "&lt;script&gt;alert(&#39;titre&#39;)&lt;/script&gt;" in page, path
        assert "<script>alert(" not in page and "<img src=x onerror" not in page, path
        assert "&lt;img src=x onerror=alert(&#39;corps&#39;)&gt;" in page, path


# ---- SQL is parameterised ------------------------------------------------------------------------
SQL_TEXT = re.compile(
    r"\b(select|insert\s+(or\s+\w+\s+)?into|update\s+\w+\s+set|delete\s+from|create\s+(unique\s+)?(table|index|virtual|trigger|view)"
    r"|drop\s+(table|index|trigger|view)|alter\s+table|pragma|where|values|order\s+by|group\s+by)\b|[=<>]\s*\?",
    re.I,
)
# Every place newsspider builds SQL text from pieces, and what it puts in. None is a value: values go
# through placeholders. (file, function) -> the interpolated expressions, as written.
ALLOWED_SQL_PIECES = {
    # PRAGMA takes no parameters; an int of a float argument (a setting, ARCHIVE_BUSY_TIMEOUT).
    ("newsspider/archive/db.py", "connect"): {"int(busy_timeout * 1000)"},
    ("newsspider/archive/db.py", "Archive.waiting"): {"int(seconds * 1000)", "int(self.busy_timeout * 1000)"},
    # Column names from article_row (the constant field lists), one placeholder per value.
    ("newsspider/archive/db.py", "Archive._insert"): {"', '.join(columns)", "marks"},
    # "a.fetched_at >= ?" and "a.site = ?": a table alias fixed by the callers, values as placeholders.
    ("newsspider/archive/export.py", "_article_filter"): {"alias", '" and ".join(clauses)'},
    ("newsspider/archive/export.py", "iter_raw"): {'" and ".join(clauses)', "where"},
    # Column names from the constant ARTICLE_COLUMNS / SNAPSHOT_COLUMNS (checked below), the where above.
    ("newsspider/archive/export.py", "iter_articles"): {"', '.join('a.' + c for c in ARTICLE_COLUMNS)", "where"},
    ("newsspider/archive/versions.py", "record"): {"', '.join(SNAPSHOT_COLUMNS)"},
    # "?,?,?": one placeholder per value.
    ("newsspider/archive/neardup.py", "link"): {"marks"},
    ("newsspider/archive/schema.py", "_m_link"): {"marks"},  # m004's frozen copy of neardup.link
    ("newsspider/archive/raw.py", "table_bytes"): {"marks"},
    ("newsspider/archive/db.py", "Archive.ingested"): {"marks"},
    ("newsspider/archive/frontier.py", "known_urls"): {"marks"},
    # A constant SQL fragment with named parameters.
    ("newsspider/archive/reparse_store.py", "count_pages"): {"_PAGES"},
    ("newsspider/archive/reparse_store.py", "next_pages"): {"_PAGES"},
}


def sql_pieces(source: str, path: str) -> dict[tuple[str, str], set[str]]:
    """(file, function) -> expressions interpolated into SQL-looking text by f-strings, % , + or .format()."""
    found: dict[tuple[str, str], set[str]] = {}

    class Visitor(ast.NodeVisitor):
        def __init__(self):
            self.scope: list[str] = []

        def record(self, text: str, exprs: list[ast.AST]) -> None:
            if exprs and SQL_TEXT.search(text):
                key = (path, ".".join(self.scope) or "<module>")
                found.setdefault(key, set()).update(ast.get_source_segment(source, e) for e in exprs)

        def visit_FunctionDef(self, node):
            self.scope.append(node.name)
            self.generic_visit(node)
            self.scope.pop()

        visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

        def visit_JoinedStr(self, node):
            self.record("".join(v.value for v in node.values if isinstance(v, ast.Constant)),
                        [v.value for v in node.values if isinstance(v, ast.FormattedValue)])

        def visit_BinOp(self, node):
            if not isinstance(node.op, (ast.Add, ast.Mod)):
                return self.generic_visit(node)
            texts, exprs = [], []

            def flatten(n):
                if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Mod)):
                    flatten(n.left)
                    flatten(n.right)
                elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                    texts.append(n.value)
                else:
                    exprs.append(n)

            flatten(node)
            if texts:
                self.record("".join(texts), exprs)
            for e in exprs:
                self.visit(e)

        def visit_Call(self, node):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "format" and isinstance(f.value, ast.Constant) and isinstance(f.value.value, str):
                self.record(f.value.value, [*node.args, *(k.value for k in node.keywords)])
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def test_the_sql_scan_catches_values_put_into_sql_text():
    bad = '''
def find(db, url, n):
    db.execute(f"select * from articles where url = '{url}'")
    db.execute("delete from articles where id = %s" % n)
    db.execute("select id from articles where site = '" + url + "'")
    db.execute("update articles set headline = '{}'".format(url))
'''
    assert sql_pieces(bad, "x.py") == {("x.py", "find"): {"url", "n"}}


def test_sql_is_always_parameterised():
    found: dict[tuple[str, str], set[str]] = {}
    for path in sorted((ROOT / "newsspider").rglob("*.py")):
        found.update(sql_pieces(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()))
    unexpected = {k: v - ALLOWED_SQL_PIECES.get(k, set()) for k, v in found.items() if v - ALLOWED_SQL_PIECES.get(k, set())}
    assert unexpected == {}, "SQL built from values: use placeholders (or add a justified entry to ALLOWED_SQL_PIECES)"
    assert set(ALLOWED_SQL_PIECES) <= set(found), "an allowed entry no longer exists: remove it"


def test_interpolated_column_names_come_from_fixed_lists():
    from newsspider.archive.export import ARTICLE_COLUMNS
    from newsspider.archive.versions import SNAPSHOT_COLUMNS

    for name in (*ARTICLE_COLUMNS, *SNAPSHOT_COLUMNS):
        assert re.fullmatch(r"[a-z_]+", name), name


# ---- files ---------------------------------------------------------------------------------------
def test_archive_wal_and_lock_files_are_not_writable_by_others(tmp_path):
    old = os.umask(0)
    try:
        with ArchiveLock(tmp_path / "a.db"), Archive(tmp_path / "a.db") as archive:
            archive.start_run("people_fr", {})  # a write: the WAL and its index exist while the archive is open
            names = ["a.db", "a.db-wal", "a.db-shm", "a.db.lock"]
            modes = {name: (tmp_path / name).stat().st_mode for name in names}
    finally:
        os.umask(old)
    for name, mode in modes.items():
        assert not mode & (stat.S_IWOTH | stat.S_IWGRP), f"{name} {oct(mode)}"


def test_the_lock_never_follows_a_symlink_nor_writes_through_a_hard_link(tmp_path):
    from newsspider.archive.lock import UnsafeLockFile

    precious = tmp_path / "precious.txt"
    precious.write_text("not yours to truncate\n")
    (tmp_path / "a.db.lock").symlink_to(precious)
    with pytest.raises(UnsafeLockFile, match="symbolic link"):
        ArchiveLock(tmp_path / "a.db").acquire()
    (tmp_path / "a.db.lock").unlink()
    os.link(precious, tmp_path / "a.db.lock")
    with pytest.raises(UnsafeLockFile, match="hard link"):
        ArchiveLock(tmp_path / "a.db").acquire()
    assert precious.read_text() == "not yours to truncate\n"
    # Through the command line: a clear line, exit 1, the target intact.
    (tmp_path / "a.db.lock").unlink()
    (tmp_path / "a.db.lock").symlink_to(precious)
    Archive(tmp_path / "a.db").close()
    run = subprocess.run([sys.executable, "-m", "newsspider", "reparse", "--quiet", "--db", str(tmp_path / "a.db")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "is a symbolic link: refusing to use it" in run.stderr and "Traceback" not in run.stderr
    assert precious.read_text() == "not yours to truncate\n"


def test_a_crawl_under_umask_000_makes_no_world_writable_folder_or_file(tmp_path, mirror_server):
    from tests.support.paths import people_fr_crawl_args

    db = tmp_path / "new" / "deeper" / "archive.db"
    log = tmp_path / "logs" / "today" / "crawl.log"
    args = people_fr_crawl_args(mirror_server.url, db, "--log-file", str(log), settings=["NEWSSPIDER_CONTACT=tests@example.org"])
    run = subprocess.run([sys.executable, "-m", "newsspider", *args], capture_output=True, text=True, timeout=300,
                         preexec_fn=lambda: os.umask(0))
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    made = [p for p in tmp_path.rglob("*")]
    assert {p.name for p in made} >= {"new", "deeper", "archive.db", "archive.db.lock", "logs", "today", "crawl.log"}
    for path in made:
        mode = path.lstat().st_mode
        assert not mode & (stat.S_IWOTH | stat.S_IWGRP), f"{path} {oct(mode)}"
