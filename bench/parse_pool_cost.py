"""What a page costs in a parser process: its parse, what it precomputes for the write, and the pickling both ways.

    .venv/bin/python bench/parse_pool_cost.py              # 300 pages of bench/crawl.py's synthetic mirror
    .venv/bin/python bench/parse_pool_cost.py --profile 30 # and cProfile's 30 costliest functions (cumulative)

CPU seconds of this one process (time.process_time), best of 3 rounds over the same pages.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import make_mirror  # noqa: E402
from newsspider.parsing.pool import DEFAULT_PARSE_FUNCTION, parse_for_crawl  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _pages(n: int) -> list[tuple[bytes, str]]:
    root = Path(tempfile.mkdtemp(prefix="newsspider-poolcost-"))
    try:
        make_mirror(root, n)
        # The articles (c<section>-<id>.html), not the listing pages (index<N>.html).
        return [(p.read_bytes(), "http://french.peopledaily.com.cn/" + p.relative_to(root).as_posix())
                for p in sorted(root.rglob("c*-*.html"))][:n]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _best(rounds: int, work) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        work()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--profile", type=int, default=0, metavar="TOP", help="also profile the parse, TOP functions")
    args = ap.parse_args()
    pages = _pages(args.n)
    n = len(pages)

    def parse(precompute: bool):
        return [parse_for_crawl(DEFAULT_PARSE_FUNCTION, body, url, NOW, None, 0, precompute) for body, url in pages]

    parse(False)  # imports, caches
    plain = _best(3, lambda: parse(False))
    with_pre = _best(3, lambda: parse(True))
    outcomes = parse(True)
    sent = [pickle.dumps((DEFAULT_PARSE_FUNCTION, body, url, NOW, None, 20.0, True), pickle.HIGHEST_PROTOCOL) for body, url in pages]
    back = [pickle.dumps(o, pickle.HIGHEST_PROTOCOL) for o in outcomes]

    def round_trip():
        for s, b in zip(sent, back):
            pickle.loads(s), pickle.loads(b)
        for (body, url), o in zip(pages, outcomes):
            pickle.dumps((DEFAULT_PARSE_FUNCTION, body, url, NOW, None, 20.0, True), pickle.HIGHEST_PROTOCOL)
            pickle.dumps(o, pickle.HIGHEST_PROTOCOL)

    pickling = _best(3, round_trip)
    ms = lambda s: s / n * 1000  # noqa: E731
    print(f"{n} pages: parse {ms(plain):.2f} ms/page; precompute for the write {ms(with_pre - plain):.2f} ms/page;"
          f" pickle+unpickle both ways {ms(pickling):.3f} ms/page;"
          f" {sum(map(len, sent)) / n / 1024:.1f} KiB sent, {sum(map(len, back)) / n / 1024:.1f} KiB back per page")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        parse(False)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
