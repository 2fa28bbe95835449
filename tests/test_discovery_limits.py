"""Hostile discovery input is bounded: huge sitemaps, endless index trees, and a stop asked mid-sitemap.

The sitemaps are made on the fly by tests.support.discovery.DiscoveryServer on 127.0.0.1;
each crawl runs in its own subprocess so that its peak RSS is its own (os.wait4). The 200,000-URL
cases and the default depth on an endless tree take minutes: rows of `bench/fault_table.py --discovery`.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.support.discovery import discovery_crawl


def crawl(tmp: Path, document: str, *settings: str, **measure) -> dict:
    run = discovery_crawl(tmp, document, *settings, **measure)
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]
    assert run["queues_left"] == []
    return run


def test_a_big_sitemap_waits_on_disk_not_in_memory(tmp_path):
    # 30,000 URLs: every request is queued before the crawl is stopped after 20 pages.
    stop = "CLOSESPIDER_PAGECOUNT=20"
    small = crawl(tmp_path / "small", "sitemap-10.xml", stop)
    disk = crawl(tmp_path / "disk", "sitemap-30000.xml", stop, "NEWS_SITEMAP_MAX_URLS=0")
    memory = crawl(tmp_path / "memory", "sitemap-30000.xml", stop, "NEWS_SITEMAP_MAX_URLS=0", "NEWSSPIDER_DISK_QUEUE=0")
    assert disk["stats"]["scheduler/enqueued/disk"] == 30_001
    assert memory["stats"]["scheduler/enqueued/memory"] == 30_001
    grown_on_disk = disk["peak_rss_mib"] - small["peak_rss_mib"]
    grown_in_memory = memory["peak_rss_mib"] - small["peak_rss_mib"]
    # Held in memory, 30,000 requests cost some 100 MiB (measured: ~3.5 KiB each); on disk, a few.
    assert grown_in_memory > 50, (small["peak_rss_mib"], memory["peak_rss_mib"])
    assert grown_on_disk < 30, (small["peak_rss_mib"], disk["peak_rss_mib"])


def test_one_sitemap_is_read_up_to_its_cap(tmp_path):
    run = crawl(tmp_path, "sitemap-300.xml", "NEWS_SITEMAP_MAX_URLS=40")
    assert run["hits"]["article"] == 40
    assert run["stats"]["newsspider/limits/urls_per_sitemap"] == 1
    assert run["returncode"] == 0
    assert "LIMITS: 1 sitemaps read in part (NEWS_SITEMAP_MAX_URLS)" in run["stdout"]


def test_a_crawl_takes_at_most_its_cap_of_entries(tmp_path):
    # An index of 3 sitemaps of 100: 3 index entries, then 57 articles make the 60.
    run = crawl(tmp_path, "index-3-100.xml", "NEWS_SITEMAP_MAX_URLS_PER_CRAWL=60")
    assert run["hits"]["article"] == 57 and run["hits"]["sitemap"] == 3
    assert run["stats"]["newsspider/limits/urls_per_crawl"] >= 1
    assert "(NEWS_SITEMAP_MAX_URLS_PER_CRAWL)" in run["stdout"]


@pytest.mark.parametrize("settings, fetched, stat, counted", [
    # An index of 10 indexes of 10 indexes ... : depth 1 reads the root and its 10 children.
    (("NEWS_SITEMAP_MAX_DEPTH=1",), 11, "depth", 100),
    (("NEWS_SITEMAP_MAX_DEPTH=0",), 1, "depth", 10),
    # Without a depth limit, the file limit ends it.
    (("NEWS_SITEMAP_MAX_DEPTH=1000", "NEWS_SITEMAP_MAX_FILES=25"), 25, "files", None),
])
def test_a_self_generating_index_tree_is_not_followed_forever(tmp_path, settings, fetched, stat, counted):
    run = crawl(tmp_path, "tree/0.xml", *settings)
    assert run["hits"]["tree"] == fetched
    assert run["stats"][f"newsspider/limits/{stat}"] == counted or (counted is None and run["stats"][f"newsspider/limits/{stat}"] > 0)
    assert run["returncode"] == 3  # no article anywhere: "nothing found" says so
    assert "LIMITS:" in run["stdout"]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_in_the_middle_of_a_huge_sitemap_is_prompt(tmp_path, stop_signal):
    # 200,000 URLs take some 40 s to queue; the stop comes after 6.
    run = crawl(tmp_path, "sitemap-200000.xml", "NEWS_SITEMAP_MAX_URLS=0", stop_after=6, stop_signal=stop_signal)
    assert run["stats"]["finish_reason"] == "shutdown"
    assert run["stats"]["newsspider/index/interrupted"] == 1
    assert run["stats"]["scheduler/enqueued"] < 200_001
    assert run["returncode"] == 1 and "failed (shutdown)" in run["stdout"]
    assert run["stop_seconds"] < 15, run["stop_seconds"]  # generous: it takes about one second
