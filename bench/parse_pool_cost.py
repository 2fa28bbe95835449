"""What a page costs to send to a parser process and back: pickling time and bytes, beside its parse.

    .venv/bin/python bench/parse_pool_cost.py            # 200 synthetic People's Daily articles
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsspider.parsing.pool import DEFAULT_PARSE_FUNCTION, parse_for_crawl  # noqa: E402
from tests.support.synthetic import article_html, article_path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200)
    n = ap.parse_args().n
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pages = []
    for i in range(n):
        path = article_path("Economie", 1000 + i)
        text = [f"Paragraphe {j} de l'article {i}, sur l'économie de la province et ses entreprises." * 4 for j in range(12)]
        pages.append((article_html(path, f"Article numéro {i}", text).encode(), "http://fr.people.com.cn" + path))
    parse_s = pickle_s = 0.0
    sent = received = 0
    for body, url in pages:
        t = time.process_time()
        outcome = parse_for_crawl(DEFAULT_PARSE_FUNCTION, body, url, now, None, 0)
        parse_s += time.process_time() - t
        t = time.process_time()
        out = pickle.dumps((DEFAULT_PARSE_FUNCTION, body, url, now, None, 20.0), pickle.HIGHEST_PROTOCOL)
        back = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        pickle.loads(out), pickle.loads(back)
        pickle_s += time.process_time() - t
        sent, received = sent + len(out), received + len(back)
    print(f"{n} pages: parse {parse_s / n * 1000:.2f} ms/page; pickle+unpickle both ways {pickle_s / n * 1000:.3f} ms/page;"
          f" {sent / n / 1024:.1f} KiB sent, {received / n / 1024:.1f} KiB back per page")


if __name__ == "__main__":
    main()
