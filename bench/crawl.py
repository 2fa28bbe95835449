"""Crawl benchmark: pages/s and peak RSS of (a) bare Scrapy, (b) newsspider, (c) two workers via Redis.

    .venv/bin/python bench/crawl.py                          # 10000 articles, all three
    .venv/bin/python bench/crawl.py -n 2000 --skip-redis     # quicker, a and b only
    .venv/bin/python bench/crawl.py --profile                # and a profiled run of (b): where its time goes
    .venv/bin/python bench/crawl.py --crawl-setting CONCURRENT_ITEMS=100   # one setting changed in (b) and (c)

It generates a synthetic mirror of N article pages in People's Daily's layout (distinct
texts, so nothing is a duplicate) under section listings of 20 links a page, serves it from
memory with Twisted on 127.0.0.1 (its capacity is measured and printed too), and crawls it:

  (a) bench/bare_spider.py: the same listings and article requests, no parsing, no pipelines,
      Scrapy's default settings (--bare-setting changes one for this run only);
  (b) `newsspider crawl people_fr`: parse, validate, dedupe, store (raw responses,
      near-duplicate index, FTS) into a fresh archive;
  (c) two `newsspider crawl people_fr --redis` workers sharing the frontier, and one
      `newsspider ingest` writing the archive; timed until ingest has stored every article.

All three run with the same crawl settings: no politeness delays (it is our own server),
CONCURRENT_REQUESTS 32. pages/s counts article pages; peak RSS is the largest resident size
of each process (the largest one for c). Prints b/a and c/b against the targets (0.8, 1.6),
and the CPU each run used, the servers' (Twisted, Redis) and other processes' included:
(c) needs both cores, and another session's busy process takes one of them away.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.serving import free_port  # noqa: E402
from tests.support.synthetic import article_html, article_path  # noqa: E402

PYTHON = sys.executable
LINKS_PER_PAGE = 20
SECTIONS = 10
CRAWL_SETTINGS = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=32",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "ROBOTSTXT_OBEY=0", "-s", "RETRY_TIMES=0",
    "-s", "TELNETCONSOLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING",
]
WORDS = ("la Chine économie développement croissance province gouvernement entreprises marché commerce "
         "investissement exportations technologie innovation réforme coopération infrastructure région "
         "ville habitants autorités projet secteur production consommation agriculture énergie environnement "
         "transport industrie services tourisme culture éducation santé population emploi salaires").split()


def make_mirror(root: Path, n: int, seed: int = 1) -> tuple[list[str], int]:
    """N articles under SECTIONS sections; returns (sections, index pages per section)."""
    rng = random.Random(seed)
    sections = [f"Sec{i:02d}" for i in range(SECTIONS)]
    per_section = -(-n // SECTIONS)
    pages = -(-per_section // LINKS_PER_PAGE)
    article_id = 20_000_000
    made = 0
    for section in sections:
        links = []
        for _ in range(per_section):
            if made >= n:
                break
            article_id += 1
            made += 1
            day = 1 + article_id % 28
            path = article_path(section, article_id, year=2024, mmdd=f"03{day:02d}")
            paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60))).capitalize() + "." for _ in range(rng.randint(4, 9))]
            headline = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(article_html(path, headline, paragraphs), encoding="utf-8")
            links.append((path, headline))
        for page in range(pages):
            chunk = links[page * LINKS_PER_PAGE:(page + 1) * LINKS_PER_PAGE]
            items = "".join(f'<li><h3><a href="{p}">{h}</a></h3></li>' for p, h in chunk)
            name = "index.html" if page == 0 else f"index{page + 1}.html"
            (root / section).mkdir(parents=True, exist_ok=True)
            (root / section / name).write_text(f"<html><body><ul class='list_16'>{items}</ul></body></html>", encoding="utf-8")
    return sections, pages


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([PYTHON, str(ROOT / "bench" / "serve_static.py"), str(root), str(port)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, f"http://127.0.0.1:{port}"


def server_capacity(base: str, paths: list[str], seconds: float = 3.0) -> float:
    """Requests/s the server answers to 8 keep-alive-less clients: far above the crawl's rate, or the bench is void."""
    import concurrent.futures

    def hammer(offset):
        done, i, end = 0, offset, time.monotonic() + seconds
        while time.monotonic() < end:
            with urlopen(base + paths[i % len(paths)]) as r:
                r.read()
            done, i = done + 1, i + 7
        return done

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        total = sum(pool.map(hammer, range(8)))
    return total / seconds


def wait_rss(proc: subprocess.Popen) -> tuple[int, float]:
    """Peak RSS (KiB) and CPU seconds of the finished child, from wait4's rusage of that child alone."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _stat(pid) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (fields[1] the parent, [11]/[12] user/system ticks,
    [19] the start time); None if the process is gone or not ours to see."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return None


def _ticks_seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float:
    """CPU seconds a running process has used so far (for the servers, which outlive each run); 0 if not ours to see."""
    fields = _stat(pid)
    return _ticks_seconds(fields) if fields else 0.0


def machine_cpu_seconds() -> float:
    """CPU seconds all cores have been busy so far, whoever used them: the rest is other people's load.

    A CPU-hungry process of another login session halves what the crawl gets (the kernel's
    autogroup shares the cores between sessions, whatever their nice values), and makes (c),
    the only run that needs both cores, look slow: the bench reports it rather than hide it.
    """
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def redis_pid(url: str) -> int | None:
    """The Redis server's process id when it runs on this machine (its CPU is part of c's cost)."""
    try:
        import redis

        info = redis.Redis.from_url(url).info("server")
    except Exception:
        return None
    pid = info.get("process_id")
    return pid if pid and Path(f"/proc/{pid}").exists() else None


def measure(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, int, str, str, int, float]:
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    # Read output on the side so a chatty child cannot block on a full pipe.
    import threading

    chunks = {"out": b"", "err": b""}

    def drain(stream, key):
        chunks[key] = stream.read()

    threads = [threading.Thread(target=drain, args=(proc.stdout, "out")), threading.Thread(target=drain, args=(proc.stderr, "err"))]
    for t in threads:
        t.start()
    rss, cpu = wait_rss(proc)
    for t in threads:
        t.join()
    return time.monotonic() - started, rss, chunks["out"].decode(), chunks["err"].decode(), proc.returncode, cpu


def bare(base: str, sections: list[str], pages: int, out_dir: Path, n: int, extra: list[str]) -> dict:
    items = out_dir / "bare.jsonl"
    cmd = [PYTHON, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"), "-a", f"base={base}",
           "-a", f"sections={','.join(sections)}", "-a", f"max_pages={pages}", "-o", f"{items}:jsonlines", *CRAWL_SETTINGS, *extra]
    # Outside the repository: run from it, `scrapy runspider` finds scrapy.cfg and runs the bare spider
    # with newsspider's settings, pipelines and extensions (which then record runs in ./archive.db).
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    seconds, rss, _, err, code, cpu = measure(cmd, cwd=out_dir, env=env)
    got = sum(1 for _ in items.open()) if items.exists() else 0
    assert code == 0 and got == n, f"bare spider: exit {code}, {got}/{n} items\n{err[-2000:]}"
    return {"pages": got, "seconds": seconds, "rss_kib": rss, "cpu": cpu}


def full(base: str, sections: list[str], pages: int, out_dir: Path, n: int, profile: bool, extra: list[str]) -> dict:
    db = out_dir / ("profiled.db" if profile else "full.db")
    cmd = [PYTHON, "-m", "newsspider", "crawl", "people_fr", "--db", str(db), "-s", f"PEOPLE_FR_BASE_URL={base}",
           "-a", f"sections={','.join(sections)}", "-a", f"max_pages={pages}", *CRAWL_SETTINGS, *extra]
    if profile:
        cmd = [PYTHON, "-m", "cProfile", "-o", str(out_dir / "full.prof"), *cmd[1:]]
    seconds, rss, out, err, code, cpu = measure(cmd)
    stored = _articles(db)
    assert code == 0 and stored == n, f"newsspider crawl: exit {code}, {stored}/{n} articles\n{out}\n{err[-2000:]}"
    # The parser processes are the forkserver's children, not the crawl's: their CPU comes from the run's stats.
    cpu += _run_stat(db, "newsspider/parse_workers_cpu_seconds")
    return {"pages": stored, "seconds": seconds, "rss_kib": rss, "summary": out.strip(), "cpu": cpu}


def _run_stat(db: Path, name: str) -> float:
    import json
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        row = conn.execute("select stats from crawl_runs order by id desc limit 1").fetchone()
    finally:
        conn.close()
    return float(json.loads(row[0] or "{}").get(name, 0)) if row else 0.0


def redis_workers(base: str, sections: list[str], pages: int, out_dir: Path, n: int, redis_url: str,
                  extra: list[str], ingest_extra: list[str]) -> dict:
    db = out_dir / "redis.db"
    job = f"bench{os.getpid()}"
    worker = [PYTHON, "-m", "newsspider", "crawl", "people_fr", "--redis", redis_url, "--redis-job", job, "--redis-prefix", job,
              "-s", f"PEOPLE_FR_BASE_URL={base}", "-a", f"sections={','.join(sections)}", "-a", f"max_pages={pages}", *CRAWL_SETTINGS, *extra]
    ingest = [PYTHON, "-m", "newsspider", "ingest", "--redis", redis_url, "--redis-prefix", job, "--db", str(db), "--idle-seconds", "3",
              *ingest_extra]
    import threading

    started = time.monotonic()
    results = {}

    def run(name, cmd):
        results[name] = measure(cmd)

    threads = [threading.Thread(target=run, args=(name, cmd)) for name, cmd in (("w1", worker), ("w2", worker), ("ingest", ingest))]
    sampler = GrandchildrenCPU()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started - 3  # ingest waits --idle-seconds after the last item
    stored = _articles(db)
    for name, (_, _, out, err, code, _) in results.items():
        assert code == 0, f"{name}: exit {code}\n{out}\n{err[-2000:]}"
    assert stored == n, f"redis crawl stored {stored}/{n}"
    # A worker's parser processes are its forkserver's children: the worker's wait4 does not count them,
    # and a worker has no archive to record the pool's stats in. The sampler read them from /proc.
    grandchildren = sampler.stop()
    cpu_each = {k: r[5] for k, r in results.items()}
    cpu_each["parser processes"] = grandchildren
    return {"pages": stored, "seconds": seconds, "rss_kib": max(r[1] for r in results.values()),
            "rss_each_kib": {k: r[1] for k, r in results.items()}, "cpu": sum(cpu_each.values()), "cpu_each": cpu_each}


class GrandchildrenCPU:
    """CPU seconds of this script's grandchildren and deeper (a crawl's forkserver and parser processes), read
    from /proc every `interval` seconds while they live: a lower bound, short by at most their last interval."""

    def __init__(self, interval: float = 0.2):
        import threading

        self.interval = interval
        self.seen: dict[tuple[int, str], float] = {}  # (pid, start time) -> CPU seconds at the last look
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _look(self) -> None:
        parents, cpu = {}, {}
        for entry in Path("/proc").iterdir():
            fields = _stat(entry.name) if entry.name.isdigit() else None
            if fields is None:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            cpu[(pid, fields[19])] = _ticks_seconds(fields)
        me = os.getpid()
        for (pid, start), seconds in cpu.items():
            depth, parent = 0, pid
            while parent in parents and parent != me and depth < 50:
                parent, depth = parents[parent], depth + 1
            if parent == me and depth >= 2:  # depth 1 is a child: its wait4 counts it
                self.seen[(pid, start)] = seconds

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            self._look()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return sum(self.seen.values())


def _articles(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from articles").fetchone()[0]
    finally:
        conn.close()


# newsspider's own work in (b), by entry point: the rest of the time is Scrapy's, Twisted's and asyncio's.
OWN_ENTRY_POINTS = (
    ("parse an article (and keep its raw response)", "newsspider/spiders/base.py", "article_item"),
    ("store: archive writes, in batches", "newsspider/pipelines/store.py", "flush"),
    ("validate and clean", "newsspider/pipelines/validate.py", "process_item"),
    ("listing pages: links, frontier lookups", "newsspider/sites/people_fr/spider.py", "parse_section"),
    ("field coverage counts", "newsspider/runs/coverage.py", "item_scraped"),
)


def print_profile(path: Path, top: int = 25) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt
    print(f"\nprofile of (b) (a separate, profiled run: cProfile slows it down), {total:.1f} s in all:")
    own = 0.0
    for label, filename, function in OWN_ENTRY_POINTS:
        seconds = sum(v[3] for (f, _, name), v in stats.stats.items() if f.endswith(filename) and name == function)
        own += seconds
        print(f"  {seconds:6.2f} s {seconds / total:6.1%}  {label} ({filename.rsplit('/', 1)[-1]}:{function})")
    print(f"  {total - own:6.2f} s {(total - own) / total:6.1%}  the rest: Scrapy, Twisted, asyncio, start-up")
    print(f"\ntop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10_000, help="article pages (default 10000)")
    ap.add_argument("--redis", default=os.environ.get("NEWSSPIDER_TEST_REDIS", "redis://127.0.0.1:6399/0"), help="Redis for (c)")
    ap.add_argument("--skip-redis", action="store_true", help="measure a and b only")
    ap.add_argument("--bare-setting", action="append", default=[], metavar="NAME=VALUE",
                    help="a Scrapy setting for (a) only, e.g. CONCURRENT_ITEMS=1 as newsspider sets it (repeatable)")
    ap.add_argument("--crawl-setting", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for newsspider's crawls, (b) and (c)'s workers, e.g. CONCURRENT_ITEMS=100 (repeatable)")
    ap.add_argument("--ingest-setting", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for (c)'s ingest, e.g. INGEST_LINGER_SECONDS=0 or ARCHIVE_BATCH_SIZE=1 (repeatable)")
    ap.add_argument("--profile", action="store_true", help="also run (b) under cProfile and print where its time goes")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsspider-bench-"))
    try:
        t = time.monotonic()
        sections, pages = make_mirror(work / "site", args.n)
        print(f"mirror: {args.n} articles, {len(sections)} sections x {pages} listing pages, made in {time.monotonic() - t:.0f}s ({work})")
        server, base = start_server(work / "site")
        try:
            sample = [p.relative_to(work / "site").as_posix() for p in list((work / "site").rglob("c*.html"))[:200]]
            print(f"server: {server_capacity(base, ['/' + s for s in sample]):.0f} pages/s with 8 clients (Twisted, pages in memory)")
            def as_args(pairs: list[str]) -> list[str]:
                return [arg for setting in pairs for arg in ("-s", setting)]

            crawl_settings = as_args(args.crawl_setting)
            runs = [("a", lambda: bare(base, sections, pages, work, args.n, as_args(args.bare_setting))),
                    ("b", lambda: full(base, sections, pages, work, args.n, False, crawl_settings))]
            if not args.skip_redis:
                runs.append(("c", lambda: redis_workers(base, sections, pages, work, args.n, args.redis, crawl_settings,
                                                        as_args(args.ingest_setting))))
            rows = {}
            rpid = None if args.skip_redis else redis_pid(args.redis)
            for key, run in runs:
                before = cpu_seconds(server.pid), cpu_seconds(rpid), machine_cpu_seconds()
                rows[key] = run()
                after = cpu_seconds(server.pid), cpu_seconds(rpid), machine_cpu_seconds()
                row = rows[key]
                row["server_cpu"] = after[0] - before[0]
                row["redis_cpu"] = after[1] - before[1] if key == "c" else 0.0
                # Our own processes are all counted above; the bench script itself is idle while they run.
                row["other_cpu"] = max(0.0, after[2] - before[2] - row["cpu"] - row["server_cpu"] - row["redis_cpu"])
            if args.profile:
                full(base, sections, pages, work, args.n, True, crawl_settings)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        labels = {"a": "bare Scrapy spider", "b": "newsspider crawl (parse, dedupe, store)", "c": "2 workers via Redis + ingest"}
        print(f"\n{'run':44s} {'articles':>8s} {'seconds':>8s} {'pages/s':>8s} {'peak RSS':>9s} {'CPU s':>6s} {'server CPU s':>12s}"
              f" {'Redis CPU s':>11s} {'others CPU s':>12s}")
        for key, row in rows.items():
            print(f"({key}) {labels[key]:40s} {row['pages']:8d} {row['seconds']:8.1f} {row['pages'] / row['seconds']:8.1f} "
                  f"{row['rss_kib'] / 1024:7.0f} MB {row['cpu']:6.1f} {row['server_cpu']:12.1f} {row['redis_cpu']:11.1f} {row['other_cpu']:12.1f}")
        cores = os.cpu_count()
        for key, row in rows.items():
            busy = (row["cpu"] + row["server_cpu"] + row["redis_cpu"]) / row["seconds"]
            print(f"({key}) crawl and servers together kept {busy:.2f} of {cores} cores busy, "
                  f"{row['cpu'] / row['pages'] * 1000:.1f} ms of crawl CPU per article")
        loaded = {k: r["other_cpu"] / r["seconds"] for k, r in rows.items() if r["other_cpu"] / r["seconds"] > 0.1}
        if loaded:
            print("WARNING: other processes kept " + ", ".join(f"{v:.2f} cores busy during ({k})" for k, v in loaded.items())
                  + ": the figures are low, (c) most of all; run the bench on an idle machine")
        rate = {k: r["pages"] / r["seconds"] for k, r in rows.items()}
        print(f"\nb/a = {rate['b'] / rate['a']:.2f} (target >= 0.8)")
        print(f"peak RSS of b = {rows['b']['rss_kib'] / 1024:.0f} MB (target <= 300 MB)")
        if "c" in rows:
            c = rows["c"]
            print(f"c/b = {rate['c'] / rate['b']:.2f} (target >= 1.6); peak RSS per process: "
                  + ", ".join(f"{k} {v / 1024:.0f} MB" for k, v in c["rss_each_kib"].items())
                  + "; CPU s per process: " + ", ".join(f"{k} {v:.1f}" for k, v in c["cpu_each"].items()))
            # (b) is one process, bound to one core; (c) can use them all, but needs more CPU in total.
            ceiling = cores * rows["b"]["seconds"] / (c["cpu"] + c["server_cpu"] + c["redis_cpu"])
            print(f"c/b ceiling with {cores} cores fully used: {ceiling:.2f} ({cores} x b's {rows['b']['seconds']:.1f} s"
                  f" / c's {c['cpu'] + c['server_cpu'] + c['redis_cpu']:.1f} CPU s, servers included)")
        print(f"\n(b) said: {rows['b']['summary']}")
        if args.profile:
            print_profile(work / "full.prof")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
