"""Read an archive in a tight loop while a crawl writes it, and print what the readers met.

    .venv/bin/python bench/concurrent_reads.py                      # 300 articles, batches of 5 (tests/test_concurrency.py)
    .venv/bin/python bench/concurrent_reads.py --per-section 200 --batch 1

A synthetic mirror (6 sections) is crawled with ARCHIVE_BATCH_SIZE=--batch while one process
reads the archive through SQLite (archive.db.connect, read-only) and through `newsspider serve`
(datasette over HTTP on 127.0.0.1). Printed per reader: queries, "database is locked" errors,
other errors, the slowest query, and how many distinct article counts it saw on the way.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.concurrency import crawl_while_reading  # noqa: E402

SECTIONS = ["Chine", "Economie", "Monde", "Culture", "Sport", "Sciences"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-section", type=int, default=50)
    ap.add_argument("--batch", type=int, default=5)
    args = ap.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        result = crawl_while_reading(Path(tmp), SECTIONS, args.per_section, args.batch)
    print(f"crawl: exit {result['crawl'].returncode}, {result['articles']} articles in "
          f"{result['stats'].get('newsspider/batches')} write transactions, {time.monotonic() - started:.0f} s in all")
    print("| reader | queries | locked | other errors | slowest query | article counts seen |")
    print("|---|---|---|---|---|---|")
    bad = 0
    for name, r in result["report"].items():
        print(f"| {name} | {r['queries']} | {r['locked']} | {len(r['errors'])} | {r['slowest'] * 1000:.0f} ms | "
              f"{len(r['counts'])} ({r['counts'][0]} → {r['counts'][-1]}) |")
        bad += r["locked"] + len(r["errors"])
    return 1 if bad or result["crawl"].returncode else 0


if __name__ == "__main__":
    sys.exit(main())
