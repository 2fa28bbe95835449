"""The README is checked against the code: schema, settings, exit codes, make targets."""

from __future__ import annotations

import re

from conftest import ROOT
from newsspider import crawl, settings
from newsspider.archive import Archive

README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented_tables() -> dict[str, set[str]]:
    tables = {}
    for match in re.finditer(r"^### `(\w+)`\n(.*?)(?=^#|\Z)", README, re.M | re.S):
        tables[match[1]] = set(re.findall(r"^\| `(\w+)` \|", match[2], re.M))
    return tables


def test_every_table_and_column_is_documented(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        actual = {
            name: {c.name for c in archive.db[name].columns}
            for name in archive.db.table_names()
            if not name.startswith("_")
        }
    assert documented_tables() == actual


def test_documented_settings_exist():
    names = set(re.findall(r"^\| `([A-Z_]+)`", README, re.M))
    names |= {n for pair in re.findall(r"^\| `([A-Z_]+)` / `([A-Z_]+)`", README, re.M) for n in pair}
    assert names, "the settings table is missing"
    missing = {n for n in names if not hasattr(settings, n)}
    assert not missing


def test_exit_codes_match():
    rows = dict(re.findall(r"^\| (\d) \| (.+?) \|$", README, re.M))
    assert set(rows) == {str(crawl.EXIT_OK), str(crawl.EXIT_FAILED), str(crawl.EXIT_USAGE), str(crawl.EXIT_EMPTY)}
    assert "nothing" in rows[str(crawl.EXIT_EMPTY)]


def test_quick_start_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
