"""Parse time of one generated page of N paragraphs, for N given (default 10,000 20,000 50,000 200,000).

    .venv/bin/python bench/big_page.py [N ...]

The page is DiscoveryServer's /big/N.html (tests/support/discovery.py). No time limit
applies here: this measures the parser itself. Before the fix of #10 it was quadratic in N.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsspider.parsing import parse  # noqa: E402
from tests.support.discovery import big_page  # noqa: E402


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 20_000, 50_000, 200_000]
    parse(big_page(10), "https://www.example.org/big/10.html")  # imports and caches, outside the timing
    print("| paragraphs | bytes | parse seconds |")
    print("|---|---|---|")
    for n in sizes:
        html = big_page(n)
        started = time.monotonic()
        parse(html, f"https://www.example.org/big/{n}.html")
        print(f"| {n:,} | {len(html):,} | {time.monotonic() - started:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
