"""Where the tests' data is, the People's Daily mirror's pages with their truth, and the console entry point.

Every test reaches the mirror through PEOPLE_FR here, never through a path of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from newsspider.cli import DEFAULT_MIRROR

from . import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
# The People's Daily mirror: package data, the one `newsspider demo` serves.
PEOPLE_FR = DEFAULT_MIRROR
# Parsing fixtures as of a fixed day keeps "never a future date" checks reproducible.
FROZEN_NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def generic_pages() -> list[Path]:
    """The generic parser's regression pages (tests/fixtures/generic/*.json name theirs in eval/fundus/), by case name."""
    folder = FIXTURES / "generic"
    return [folder / json.loads(p.read_text(encoding="utf-8"))["file"] for p in sorted(folder.glob("*.json"))]


def people_fr_manifest() -> dict:
    return json.loads((PEOPLE_FR / "manifest.json").read_text(encoding="utf-8"))


def people_fr_articles() -> list[dict]:
    """Every article page of the mirror with its expected extraction (canonical and alias copies)."""
    cases = []
    for page in people_fr_manifest()["pages"]:
        if page["kind"] != "article":
            continue
        expected = json.loads((PEOPLE_FR / page["expected"]).read_text(encoding="utf-8"))
        case_id = page["article_id"] + ("-alias" if page["path"].startswith("alias/") else "")
        cases.append({"id": case_id, "path": PEOPLE_FR / page["path"], "url": page["url"], "expected": expected, "page": page})
    return cases


def people_fr_crawl_args(base_url: str, db, *extra: str, alias: bool = True, settings: tuple[str, ...] | list[str] = (),
                         sections: str | None = None, max_pages: int | str | None = None) -> list[str]:
    """Arguments of `newsspider crawl people_fr` against the mirror (or a stand-in) at base_url, into db.

    No politeness delays. The alias copy is at base_url/alias/... unless alias=False; `settings`
    (NAME=VALUE) are given with -s after the common ones; sections and max_pages default to the
    whole mirror (newsspider.commands.demo.mirror_plan); `extra` comes last.
    """
    args = ["crawl", "people_fr", "--db", str(db), "-s", f"PEOPLE_FR_BASE_URL={base_url}"]
    if alias:
        args += ["-s", f"PEOPLE_FR_ALIAS_BASE_URL={base_url}/alias/french.people.com.cn"]
    args += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0"]
    for setting in settings:
        args += ["-s", setting]
    if sections is None or max_pages is None:
        from newsspider.commands.demo import mirror_plan

        plan = mirror_plan(PEOPLE_FR)
        sections = plan["sections"] if sections is None else sections
        max_pages = plan["max_pages"] if max_pages is None else max_pages
    return [*args, "-a", f"sections={sections}", "-a", f"max_pages={max_pages}", *extra]


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None, timeout: int = 180) -> subprocess.CompletedProcess:
    """The real console entry point, in a subprocess: a Twisted reactor cannot be restarted in-process."""
    return subprocess.run(
        [sys.executable, "-m", "newsspider", *args],
        cwd=cwd or ROOT,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
