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


@pytest.fixture(scope="session")
def mirror_server():
    from newsspider.commands.mirror import MirrorServer, people_fr_mounts

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


@pytest.fixture(scope="session")
def redis_url():
    """A Redis on 127.0.0.1 for the scale-out tests: NEWSSPIDER_TEST_REDIS (set by `make test`), else one started here.

    Never a skip: without redis-server these tests fail and say how to get it.
    """
    import os
    import shutil
    import time

    import redis

    from newsspider.testing.serving import free_port

    def answers(url: str) -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    url = os.environ.get("NEWSSPIDER_TEST_REDIS")
    if url:
        if not answers(url):
            pytest.fail(f"NEWSSPIDER_TEST_REDIS={url} does not answer; `make redis` starts Debian's redis-server there")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `make test` installs Debian's (apt-get install redis-server) "
                    "and starts it; plain pytest starts one itself when the binary is on PATH")
    port = free_port()
    proc = subprocess.Popen([binary, "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
