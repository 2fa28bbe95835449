"""Parsing in a pool of processes: the same archive as in-process, runaway parses killed and counted, clean stops."""

from __future__ import annotations

import os
import signal
import time

import pytest

from newsspider.archive import Archive
from newsspider.parsing.pool import parse_workers
from tests.support.discovery import PUBLIC, discovery_crawl

BIG = (f"start={PUBLIC}/big/100.html", "depth=0")


def _articles(path):
    with Archive(path) as archive:
        return sorted(archive.db.execute("select url, headline, body, published_at, authors from articles").fetchall())


def _stored_bytes(path):
    """Raw bodies and near-duplicate keys, by URL: what parser processes precompute for the write (precompute.py)."""
    with Archive(path) as archive:
        bodies = sorted(archive.db.execute("select sha256, compression, size, data from raw_bodies").fetchall())
        bands = sorted(archive.db.execute("select a.url, b.band_key from minhash_bands b join articles a on a.id = b.article_id").fetchall())
        return bodies, bands


def _alive(pid_dir) -> list[int]:
    alive = []
    for name in os.listdir(pid_dir):
        try:
            os.kill(int(name), 0)
        except ProcessLookupError:
            continue
        alive.append(int(name))
    return alive


def test_parse_workers_setting():
    assert parse_workers({"NEWSSPIDER_PARSE_WORKERS": "3"}) == 3
    assert parse_workers({"NEWSSPIDER_PARSE_WORKERS": 0}) == 0
    assert parse_workers({}) == (len(os.sched_getaffinity(0)) if len(os.sched_getaffinity(0)) > 1 else 0)
    with pytest.raises(ValueError, match="NEWSSPIDER_PARSE_WORKERS"):
        parse_workers({"NEWSSPIDER_PARSE_WORKERS": "many"})


def test_a_crawl_through_the_pool_stores_what_an_in_process_crawl_stores(tmp_path):
    pooled = discovery_crawl(tmp_path / "pool", "sitemap-5.xml", "NEWSSPIDER_PARSE_WORKERS=2")
    local = discovery_crawl(tmp_path / "local", "sitemap-5.xml", "NEWSSPIDER_PARSE_WORKERS=0")
    assert pooled["returncode"] == 0 and local["returncode"] == 0, pooled["stderr"][-3000:] + local["stderr"][-3000:]
    assert pooled["stats"]["newsspider/parse_workers"] == 2 and "newsspider/parse_workers" not in local["stats"]
    rows = _articles(tmp_path / "pool" / "archive.db")
    assert len(rows) == 5 and rows == _articles(tmp_path / "local" / "archive.db")
    assert pooled["stats"]["newsspider/articles_parsed"] == local["stats"]["newsspider/articles_parsed"] == 5
    bodies, bands = _stored_bytes(tmp_path / "pool" / "archive.db")
    assert bodies and bands and (bodies, bands) == _stored_bytes(tmp_path / "local" / "archive.db")


@pytest.mark.parametrize("function, killed", [("endless", 0), ("deaf", 1)])
def test_a_runaway_parse_is_ended_kept_raw_and_counted(tmp_path, monkeypatch, function, killed):
    # "endless" ends by the worker's SIGALRM; "deaf" blocks it, so the pool kills its worker and starts another.
    monkeypatch.setenv("NEWSSPIDER_TEST_PID_DIR", str(tmp_path / "pids"))
    (tmp_path / "pids").mkdir()
    run = discovery_crawl(tmp_path / "crawl", "sitemap-5.xml", "PARSE_TIME_LIMIT_SECONDS=1", "NEWSSPIDER_PARSE_WORKERS=2",
                          f"NEWSSPIDER_PARSE_FUNCTION=tests.support.slowparse.{function}", spider_args=BIG)
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert run["hits"]["big"] == 1 and run["hits"]["article"] == 5
    assert run["stats"]["newsspider/limits/parse_time"] == 1
    assert run["stats"].get("newsspider/parse_workers_killed", 0) == killed
    assert "LIMITS: 1 pages kept raw, unparsed (PARSE_TIME_LIMIT_SECONDS)" in run["stdout"]
    with Archive(tmp_path / "crawl" / "archive.db") as archive:
        assert archive.db.execute("select count(*) from articles").fetchone()[0] == 5
        raw = list(archive.db.query("select outcome from raw_responses where url like '%/big/%'"))
    assert raw == [{"outcome": "parse_timeout"}]
    assert _alive(tmp_path / "pids") == []


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_crawl_stops_its_parser_processes(tmp_path, monkeypatch, stop_signal):
    # Every article page parses for ever (until its 10 s limit): the crawl is stopped while they are in the pool;
    # those in a worker end within their limit, those still waiting are kept raw at once.
    monkeypatch.setenv("NEWSSPIDER_TEST_PID_DIR", str(tmp_path / "pids"))
    monkeypatch.setenv("NEWSSPIDER_TEST_SLOW_URL", "/")
    (tmp_path / "pids").mkdir()
    started = time.monotonic()
    run = discovery_crawl(tmp_path / "crawl", "sitemap-5.xml", "PARSE_TIME_LIMIT_SECONDS=10", "NEWSSPIDER_PARSE_WORKERS=2",
                          "NEWSSPIDER_PARSE_FUNCTION=tests.support.slowparse.endless",
                          stop_after=8, stop_signal=stop_signal)
    assert os.listdir(tmp_path / "pids"), "no page reached the pool before the stop"
    # The pages in the pool end within their time limit, are kept raw, and the crawl exits: no process left.
    assert run["stop_seconds"] < 15, run["stderr"][-3000:]
    assert time.monotonic() - started < 90
    assert _alive(tmp_path / "pids") == []
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]


def test_worker_cpu_is_read_from_proc_and_the_file_closed():
    import gc
    import os
    import warnings
    from pathlib import Path

    from newsspider.parsing.pool import _cpu_seconds

    if not Path(f"/proc/{os.getpid()}/stat").exists():
        pytest.skip("no /proc here: _cpu_seconds answers 0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert _cpu_seconds(os.getpid()) > 0  # this process has parsed its imports at least
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert _cpu_seconds(None) == 0.0
