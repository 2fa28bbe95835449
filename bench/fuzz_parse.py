"""Long fuzz run of parse(): N mutated real pages and random documents, in 2 processes.

    .venv/bin/python bench/fuzz_parse.py            # 100000 cases (make fuzz)
    .venv/bin/python bench/fuzz_parse.py -n 5000 --seed 7

Prints, per kind of input, how many cases gave an Article, how many a ParseError, and how many
crashed (any other exception: must be 0), with the first crashes' inputs saved to
test-artifacts/fuzz-crashes/ for a person to reproduce.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import random
import sys
import time
import traceback
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsspider.parsers import ParseError  # noqa: E402
from newsspider.parsing import parse  # noqa: E402
from tests.support.mutate import mutate  # noqa: E402
from tests.support.paths import PEOPLE_FR, generic_pages  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
CRASH_DIR = ROOT / "test-artifacts" / "fuzz-crashes"


def corpus() -> list[tuple[str, bytes, str]]:
    pages = []
    manifest = json.loads((PEOPLE_FR / "manifest.json").read_text())
    for page in manifest["pages"]:
        pages.append(("people_fr", (PEOPLE_FR / page["path"]).read_bytes(), page["url"]))
    for path in generic_pages():
        pages.append(("generic", gzip.decompress(path.read_bytes()), "https://www.example.org/2024/05/01/story.html"))
    return pages


def random_document(rng: random.Random) -> bytes:
    tags = ["div", "p", "span", "h1", "a", "figure", "figcaption", "img", "time", "script", "table", "td", "meta", "li"]
    words = ["Dernière mise à jour à 13h34 le 19/06", "(Xinhua/Bai Xueqi)", "Foto: A/dpa", "By Jane Doe", "© AFP", "related",
             '{"@type":"NewsArticle","headline":"x","datePublished":"2024-01-01"}', "\x00", "\ufeff", "é" * 50, "<", "&amp;&#xD800;"]
    def element(depth):
        tag = rng.choice(tags)
        inner = rng.choice(words) if depth > 5 or rng.random() < 0.4 else "".join(element(depth + 1) for _ in range(rng.randint(0, 4)))
        return f'<{tag} class="{rng.choice(words)}">{inner}</{tag}>'
    return ("<html><body>" + "".join(element(0) for _ in range(rng.randint(0, 8))) + "</body></html>").encode("utf-8", "surrogatepass")


def run(args) -> tuple[Counter, list]:
    seed, count = args
    rng = random.Random(seed)
    pages = corpus()
    outcomes: Counter = Counter()
    crashes = []
    for _ in range(count):
        if rng.random() < 0.2:
            kind, html, url = "random", random_document(rng), rng.choice([pages[0][2], "https://x.test/a"])
        else:
            kind, page, url = pages[rng.randrange(len(pages))]
            html = mutate(page, rng)
        try:
            parse(html, url, now=NOW)
            outcomes[(kind, "article")] += 1
        except ParseError:
            outcomes[(kind, "parse_error")] += 1
        except Exception:  # the one outcome that must never happen
            outcomes[(kind, "crash")] += 1
            if len(crashes) < 20:
                crashes.append((url, html, traceback.format_exc()))
    return outcomes, crashes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="cases (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    started = time.monotonic()
    share = [(args.seed * 1000 + i, args.n // args.workers + (1 if i < args.n % args.workers else 0)) for i in range(args.workers)]
    with multiprocessing.Pool(args.workers) as pool:
        results = pool.map(run, share)
    elapsed = time.monotonic() - started
    total: Counter = Counter()
    crashes = []
    for outcomes, found in results:
        total.update(outcomes)
        crashes.extend(found)
    print(f"{args.n} cases in {elapsed:.0f}s ({args.n / elapsed:.0f} cases/s, {args.workers} processes, seed {args.seed})")
    print(f"{'input':12s} {'article':>9s} {'ParseError':>11s} {'crash':>7s}")
    for kind in ("people_fr", "generic", "random"):
        print(f"{kind:12s} {total[(kind, 'article')]:9d} {total[(kind, 'parse_error')]:11d} {total[(kind, 'crash')]:7d}")
    crashed = sum(v for (k, o), v in total.items() if o == "crash")
    if crashes:
        CRASH_DIR.mkdir(parents=True, exist_ok=True)
        for i, (url, html, tb) in enumerate(crashes):
            (CRASH_DIR / f"crash-{i}.html").write_bytes(html)
            (CRASH_DIR / f"crash-{i}.txt").write_text(f"{url}\n\n{tb}")
        print(f"crashes saved in {CRASH_DIR}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
