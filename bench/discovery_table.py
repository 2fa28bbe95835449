"""Hostile discovery input, at full size: peak RSS, time and what was taken, per scenario (docs/RELIABILITY.md).

    .venv/bin/python bench/fault_table.py --discovery      # or this script directly

Each row is one `newsspider crawl news -a sitemap=...` in a subprocess against
tests.support.discovery.DiscoveryServer on 127.0.0.1, its peak RSS read from os.wait4.
The "in memory" rows are the same crawl with NEWSSPIDER_DISK_QUEUE=0, the frontier as it was
kept before: the baseline of the same command. A stopped row is sent SIGINT after the seconds
shown and reports how long it took to exit. Takes about 5 minutes.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.discovery import discovery_crawl  # noqa: E402

SCENARIOS = [
    # name, document, settings, stop after (s)
    ("one sitemap of 200,000 URLs (12 MB), default limits", "sitemap-200000.xml", (), 60),
    ("one sitemap of 200,000 URLs, NEWS_SITEMAP_MAX_URLS=0 (all taken)", "sitemap-200000.xml", ("NEWS_SITEMAP_MAX_URLS=0",), 60),
    ("the same, frontier in memory (NEWSSPIDER_DISK_QUEUE=0): baseline", "sitemap-200000.xml",
     ("NEWS_SITEMAP_MAX_URLS=0", "NEWSSPIDER_DISK_QUEUE=0"), 60),
    ("an index of 10 sitemaps of 200,000 URLs, default limits", "index-10-200000.xml", (), 60),
    ("self-generating index tree (10 children each, endless), default limits", "tree/0.xml", (), None),
]


def main() -> int:
    print("| scenario | peak RSS | sitemaps fetched | requests queued | pages fetched | limits hit | exit | stop |")
    print("|---|---|---|---|---|---|---|---|")
    bad = 0
    for name, document, settings, stop in SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            run = discovery_crawl(Path(tmp), document, *settings, stop_after=stop, stop_signal=signal.SIGINT, timeout=600)
        stats, hits = run["stats"], run["hits"]
        limits = ", ".join(f"{k.rsplit('/', 1)[1]} {v}" for k, v in sorted(stats.items()) if k.startswith("newsspider/limits/")) or "none"
        stopped = f"SIGINT at {stop} s: exited in {run['stop_seconds']:.1f} s" if run["stop_seconds"] is not None else "ran to its end"
        crashed = "Traceback" in run["stderr"] or run["killed"] or run["queues_left"]
        bad += bool(crashed)
        print(f"| {name} | {run['peak_rss_mib']:.0f} MiB | {hits.get('sitemap', 0) + hits.get('index', 0) + hits.get('tree', 0)} | "
              f"{stats.get('scheduler/enqueued', 0)} | {hits.get('article', 0)} | {limits} | {run['returncode']} | {stopped}"
              f"{' CRASHED' if crashed else ''} |")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
