"""The README is checked against the code: schema, settings, exit codes, make targets."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT
from newsspider import settings
from newsspider.runs import crawl
from newsspider.archive import Archive

README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented_tables() -> dict[str, set[str]]:
    tables = {}
    for match in re.finditer(r"^### `(\w+)`\n(.*?)(?=^#|\Z)", README, re.M | re.S):
        tables[match[1]] = set(re.findall(r"^\| `(\w+)` \|", match[2], re.M))
    return tables


def fts_shadow_tables(db) -> set[str]:
    """SQLite's own storage behind each FTS5 table: documented as part of it, not one by one."""
    fts = [row[0] for row in db.execute("select name from sqlite_master where type = 'table' and sql like 'create virtual table%using fts5%'")]
    return {f"{name}_{suffix}" for name in fts for suffix in ("data", "idx", "docsize", "config", "content")}


def test_every_table_and_column_is_documented(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        shadow = fts_shadow_tables(archive.db)
        actual = {
            name: {c.name for c in archive.db[name].columns}
            for name in archive.db.table_names()
            if not name.startswith("_") and name not in shadow
        }
    assert "articles_fts" in actual and "articles_fts_data" in shadow
    assert documented_tables() == actual


def readme_queries() -> list[str]:
    block = re.search(r"^### Example queries\n.*?^```sql\n(.*?)^```", README, re.M | re.S)[1]
    return [q.strip() for q in block.split(";") if q.strip()]


def test_example_queries_run_on_the_demo_archive(demo_archive):
    from newsspider.archive import connect

    queries = readme_queries()
    assert len(queries) >= 4
    text = "\n".join(queries)
    for topic in ("per day and section", "photo agencies", "updated after publication", "full-text search"):
        assert topic in text
    db = connect(demo_archive[0], readonly=True)
    try:
        results = {q.splitlines()[0]: db.execute(q).fetchall() for q in queries}
    finally:
        db.close()
    by_topic = {next(t for t in ("per day", "agencies", "updated after", "full-text", "what changed", "republished", "crawls") if t in k): v
                for k, v in results.items()}
    assert sum(r[2] for r in by_topic["per day"]) == 12
    assert [tuple(r) for r in by_topic["agencies"]] == [("Xinhua", 10, 7), ("chinadaily.com.cn", 2, 2)]
    # Two mirror pages were updated hours after publication (13.3 h and 1.6 days); the rest within minutes.
    assert [r[4] for r in by_topic["updated after"]] == [39.5, 13.3]
    [hit] = by_topic["full-text"]
    assert hit[1] == "Jack Ma : Alibaba suit de près le développement des PME russes" and "**russes**" in hit[2]


def test_documented_settings_exist():
    names = set(re.findall(r"^\| `([A-Z_]+)`", README, re.M))
    names |= {n for pair in re.findall(r"^\| `([A-Z_]+)` / `([A-Z_]+)`", README, re.M) for n in pair}
    assert names, "the settings table is missing"
    missing = {n for n in names if not hasattr(settings, n)}
    assert not missing


def test_exit_codes_match():
    rows = dict(re.findall(r"^\| (\d) \| (.+?) \|$", README, re.M))
    assert set(rows) == {str(code) for code in (crawl.EXIT_OK, crawl.EXIT_FAILED, crawl.EXIT_USAGE, crawl.EXIT_EMPTY, crawl.EXIT_LOCKED,
                                                crawl.EXIT_ALARM)}
    assert "nothing" in rows[str(crawl.EXIT_EMPTY)]


def test_quick_start_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_test_runs_the_lint_first():
    makefile = (ROOT / "Makefile").read_text()
    lint = re.search(r"^lint:.*\n\t(?P<cmd>.*)", makefile, re.M)
    assert lint and lint["cmd"] == "$(BIN)/ruff check newsspider tests bench"
    prerequisites = re.search(r"^test:(?P<deps>.*)", makefile, re.M)["deps"].split()
    assert "lint" in prerequisites and prerequisites.index("lint") < prerequisites.index("redis")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ruff = pyproject["tool"]["ruff"]
    assert f"Python 3.11, lines up to {ruff['line-length']} characters" in README and ruff["target-version"] == "py311"
    rules = ruff["lint"]["select"]
    assert f"rules {', '.join(rules[:-1])} and {rules[-1]}" in README
    assert "make lint" in README
