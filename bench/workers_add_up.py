"""Politeness-bound scale-out: N Redis workers against one, when each is held back by its download delay, not by CPU.

    .venv/bin/python bench/workers_add_up.py                    # N = 1, 2, 4; 600 articles; delay 0.1 s
    .venv/bin/python bench/workers_add_up.py -n 300 --delay 0.2 --workers 1,2

bench/crawl.py's (c) is CPU-bound: two workers share two cores. Here each worker waits
DOWNLOAD_DELAY between requests to the site, one request at a time
(CONCURRENT_REQUESTS_PER_DOMAIN=1, no AutoThrottle, no random jitter), as a polite crawl of
a real site does, so one worker fetches about 1/delay pages a second and uses a few % of a
core. The synthetic mirror of bench/crawl.py is served from 127.0.0.1; `newsspider ingest`
stores what the workers push. The rate is taken from the archive, polled: articles stored
between 10 % and 90 % of the crawl, over the time that took (start-up and the end's
idleness, the same whatever N, left out; ingest waits 15 s for workers that are slow to start). Prints each N's rate and its ratio to N = 1
against the target 0.9 x N.

One site: Scrapy's politeness is per worker and per host, so N workers on one site make N
times the requests to it (the README says so); the delay is what each worker is bound by.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import PYTHON, ROOT, make_mirror, start_server  # noqa: E402


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(db, timeout=1)
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def run(n_workers: int, n: int, base: str, sections: list[str], pages: int, redis_url: str, delay: float, work: Path) -> dict:
    job = f"addup{os.getpid()}w{n_workers}"
    db = work / f"w{n_workers}.db"
    crawl = [PYTHON, "-m", "newsspider", "crawl", "people_fr", "--redis", redis_url, "--redis-job", job, "--redis-prefix", job,
             "-s", f"PEOPLE_FR_BASE_URL={base}", "-a", f"sections={','.join(sections)}", "-a", f"max_pages={pages}",
             "-s", f"DOWNLOAD_DELAY={delay}", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "ROBOTSTXT_OBEY=0", "-s", "RETRY_TIMES=0",
             "-s", "LOG_LEVEL=WARNING"]
    ingest = [PYTHON, "-m", "newsspider", "ingest", "--redis", redis_url, "--redis-prefix", job, "--db", str(db), "--idle-seconds", "15"]
    procs = [subprocess.Popen(ingest, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    procs += [subprocess.Popen(crawl, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n_workers)]
    samples = []
    while procs[0].poll() is None:
        samples.append((time.monotonic(), stored(db)))
        time.sleep(0.2)
    for p in procs[1:]:
        p.wait(timeout=60)
    codes = [p.returncode for p in procs]
    import redis

    server = redis.Redis.from_url(redis_url)
    doomed = list(server.scan_iter(match=f"{job}:*"))
    if doomed:
        server.delete(*doomed)
    total = stored(db)
    assert total == n and codes == [0] * len(procs), f"{n_workers} workers: {total}/{n} stored, exit codes {codes}"
    low = next(s for s in samples if s[1] >= 0.1 * n)
    high = next(s for s in samples if s[1] >= 0.9 * n)
    return {"workers": n_workers, "rate": (high[1] - low[1]) / (high[0] - low[0]), "seconds": high[0] - low[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=600, help="article pages (default 600)")
    ap.add_argument("--delay", type=float, default=0.1, help="DOWNLOAD_DELAY of each worker, seconds (default 0.1)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts to run (default 1,2,4)")
    ap.add_argument("--redis", default=os.environ.get("NEWSSPIDER_TEST_REDIS", "redis://127.0.0.1:6399/0"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsspider-addup-"))
    try:
        sections, pages = make_mirror(work / "site", args.n)
        server, base = start_server(work / "site")
        try:
            rows = [run(int(k), args.n, base, sections, pages, args.redis, args.delay, work) for k in args.workers.split(",")]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one = rows[0]["rate"] / rows[0]["workers"]
    print(f"{args.n} articles, DOWNLOAD_DELAY={args.delay} s per worker, one request at a time; rate over 10-90 % of the articles")
    print(f"{'workers':>7s} {'articles/s':>10s} {'x one':>6s} {'target':>7s} {'met':>4s}")
    for row in rows:
        ratio = row["rate"] / one
        target = 0.9 * row["workers"]
        print(f"{row['workers']:7d} {row['rate']:10.1f} {ratio:6.2f} {target:7.1f} {'yes' if ratio >= target else 'no':>4s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
