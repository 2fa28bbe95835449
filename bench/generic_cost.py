"""Where the generic parser's time goes on labelled pages, and whether a change altered what it extracts.

    .venv/bin/python bench/generic_cost.py ../shared/data/fundus/cases.jsonl                  # CPU s/page, ours and trafilatura's
    .venv/bin/python bench/generic_cost.py CASES --dump out.jsonl     # every field of every page, to diff before/after a change
    .venv/bin/python bench/generic_cost.py CASES --profile 40         # cProfile, the 40 costliest functions (--sort tottime: own time)
    .venv/bin/python bench/generic_cost.py CASES --rules-off          # also once per rule switched off (what eval --folds runs)

Each page is parsed as eval parses it (GenericParser, now = crawl date + 1 day). The times are CPU
seconds of this process (time.process_time), which other jobs on a shared machine disturb less
than the wall clock; trafilatura alone is timed as eval's baseline calls it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsspider.evaluation.cases import load_cases  # noqa: E402
from newsspider.evaluation.run import NewsspiderExtractor, TrafilaturaExtractor  # noqa: E402
from newsspider.parsers import GenericParser, rules  # noqa: E402
from newsspider.parsing import parse  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases")
    ap.add_argument("--dump", metavar="OUT.jsonl", help="write every field of every page's article, one JSON line a page")
    ap.add_argument("--profile", type=int, metavar="N", help="print the N costliest functions of our parse (cumulative time)")
    ap.add_argument("--sort", default="cumulative", help="with --profile: pstats order (cumulative, tottime)")
    ap.add_argument("--rounds", type=int, default=1, help="parse every page this many times (times are the sum)")
    ap.add_argument("--rules-off", action="store_true", help="with --dump: also each rule switched off (one line per page and rule)")
    args = ap.parse_args()
    cases, _ = load_cases(args.cases)
    pages = [(case, case.read_html()) for case in cases]
    ours, theirs = NewsspiderExtractor(), TrafilaturaExtractor()
    ours.setup()
    theirs.setup()

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            variants = [()] + ([(r,) for r in rules.RULES] if args.rules_off else [])
            for off in variants:
                for case, html in pages:
                    with rules.disabled(*off):
                        article = parse(html, case.url, now=case.now, parser=GenericParser)
                    out.write(json.dumps({"url": case.url, "off": list(off), "article": article.to_dict()}, ensure_ascii=False) + "\n")

    profiler = cProfile.Profile() if args.profile else None
    # name -> per page, the CPU seconds of each round
    spent: dict[str, list[list[float]]] = {"newsspider": [[] for _ in pages], "trafilatura": [[] for _ in pages]}
    for _ in range(args.rounds):
        for i, (case, html) in enumerate(pages):
            started = time.process_time()
            if profiler:
                profiler.enable()
            ours.extract(html, case)
            if profiler:
                profiler.disable()
            spent["newsspider"][i].append(time.process_time() - started)
            started = time.process_time()
            theirs.extract(html, case)
            spent["trafilatura"][i].append(time.process_time() - started)
    total = {name: sum(map(sum, times)) for name, times in spent.items()}
    # The fastest round of each page: what the code costs, with less of what other jobs cost it.
    best = {name: sum(map(min, times)) for name, times in spent.items()}
    n = len(pages) * args.rounds
    for name, seconds in total.items():
        print(f"{name:12s} {seconds:7.2f} CPU s  {1000 * seconds / n:6.1f} ms/page  {n / seconds:6.1f} pages/s"
              f"  (fastest round per page: {1000 * best[name] / len(pages):6.1f} ms/page)")
    print(f"speed ratio newsspider/trafilatura (CPU): {total['trafilatura'] / total['newsspider']:.3f}x"
          f"  (fastest round per page: {best['trafilatura'] / best['newsspider']:.3f}x)")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
