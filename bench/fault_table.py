"""Crawl the mirror plus every injected fault and print, per fault, what happened (the table of docs/RELIABILITY.md).

    .venv/bin/python bench/fault_table.py
    .venv/bin/python bench/fault_table.py --data-loss   # the scenarios of "Data lost while the run says finished"
    .venv/bin/python bench/fault_table.py --discovery   # hostile sitemaps at full size (bench/discovery_table.py)

The same crawl as tests/test_faults.py: the people_fr mirror and the Pannes section of
tests/support/faults.py, with the real spider and settings (DOWNLOAD_TIMEOUT 2 s,
DOWNLOAD_MAXSIZE 256 KiB). For each fault: the requests the server received for it, the
outcome (stored, or skipped and counted), and the stat that counts it. Then the totals and
whether anything crashed: a spider or pipeline exception, or a crawl that did not finish.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsspider.archive import Archive  # noqa: E402
from newsspider.commands.demo import mirror_plan  # noqa: E402
from tests.support.faultcrawl import PEOPLE_FR, public, run_fault_crawl  # noqa: E402
from tests.support.faults import SECTION, faults  # noqa: E402


def data_loss() -> int:
    """Each scenario of docs/RELIABILITY.md "Data lost while the run says finished": tried, lost, duplicated, crashed."""
    from newsspider.commands.mirror import MirrorServer
    from tests.support import smallfs, writefaults
    from tests.support.synthetic import write_mirror

    print("| scenario | tried | exit codes | stored by the failed run | lost | duplicated | crashed |")
    print("|---|---|---|---|---|---|---|")
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_mirror(tmp / "site", writefaults.SECTIONS, writefaults.PER_SECTION)
        scenarios = {"disk full (3 MB tmpfs, then 64 MB)": writefaults.disk_full, "another writer holds the lock for 4 s": writefaults.locked}
        with MirrorServer({"/": tmp / "site"}) as mirror:
            for n, (name, scenario) in enumerate(scenarios.items()):
                if scenario is writefaults.disk_full and not smallfs.available():
                    print(f"| {name} | not run: needs root to mount a tmpfs | | | | | |")
                    continue
                (tmp / str(n)).mkdir()
                r = scenario(tmp / str(n), mirror.url)
                codes = " then ".join(str(run.returncode) for run in r.runs)
                print(f"| {name} | {writefaults.ARTICLES} articles | {codes} | {r.after_first} | {r.lost} | {r.twice} | {r.crashed} |")
                bad += r.lost + r.twice + r.crashed + (r.runs[0].returncode != 1)
    return 1 if bad else 0


def main() -> int:
    if "--data-loss" in sys.argv[1:]:
        return data_loss()
    plan = mirror_plan(PEOPLE_FR)
    query_variant = public(next(f for f in faults() if f.name == "query_variants").path) + "?page=2"
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        crawl = run_fault_crawl(Path(tmp), sections=f"{plan['sections']},{SECTION}", max_pages=plan["max_pages"],
                                urls=f"{plan['urls']},{query_variant}")
        with Archive(crawl.db) as archive:
            stored = {row[0] for row in archive.db.execute("select canonical_url from articles")}
            from_faults = sum(f"/{SECTION}/" in url for url in stored)
            garbled = archive.db.execute("select count(*) from articles where headline || body like '%\ufffd%'").fetchone()[0]
    elapsed = time.monotonic() - started
    stats = crawl.stats
    print(f"crawl: exit {crawl.run.returncode}, {stats.get('finish_reason')}, {elapsed:.0f} s; "
          f"off-site server requests: {len(crawl.offsite_requests)}")
    print("| fault | requests | outcome | stat |")
    print("|---|---|---|---|")
    outcomes = {"stored": 0, "skipped and counted": 0, "not counted": 0}
    for f in crawl.faults:
        path = f.extra_paths[0] if f.name == "redirect_onsite" else f.path
        hits = crawl.hits.get(f.path, 0) + sum(crawl.hits.get(p, 0) for p in f.extra_paths)
        value = stats.get(f.stat) if "/" in f.stat else None
        if public(path) in stored:
            outcome = "stored"
        elif value or (f.name == "offsite_link" and not crawl.offsite_requests):
            outcome = "skipped and counted"
        else:
            outcome = "not counted"
        outcomes[outcome] += 1
        shown = f"`{f.stat}` = {value}" if value is not None else f.stat
        print(f"| {f.name} | {hits} | {outcome} | {shown} |")
    crashes = stats.get("spider_exceptions/count", 0) + ("Error processing" in crawl.run.stderr) + (stats.get("finish_reason") != "finished")
    print(f"\n{len(crawl.faults)} faults, {sum(crawl.hits.get(p, 0) for f in crawl.faults for p in (f.path, *f.extra_paths))} requests to them: "
          + ", ".join(f"{n} {k}" for k, n in outcomes.items()) + f"; crashed: {crashes}")
    print(f"archive: {len(stored)} articles ({from_faults} from the faults' section), {garbled} with U+FFFD")
    failures = {k.rsplit('/', 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("newsspider/failures/")}
    print("newsspider/failures/*: " + ", ".join(f"{k} {v}" for k, v in failures.items()))
    return 1 if crashes or outcomes["not counted"] else 0


if __name__ == "__main__":
    if "--discovery" in sys.argv[1:]:
        from discovery_table import main as discovery  # bench/ is the script's folder, first on sys.path

        sys.exit(discovery())
    sys.exit(main())
