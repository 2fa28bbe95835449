from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PEOPLE_FR = FIXTURES / "people_fr"
# Parsing fixtures as of a fixed day keeps "never a future date" checks reproducible.
FROZEN_NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


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


@pytest.fixture(scope="session")
def mirror_server():
    from newsspider.mirror import MirrorServer, people_fr_mounts

    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as server:
        yield server


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


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory):
    """`newsspider demo` run once for the session: (path of its archive, what it printed). Treat it as read-only."""
    cwd = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--db", str(cwd / "archive.db"), cwd=cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    return cwd / "archive.db", result.stdout
