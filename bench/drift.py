"""Per-layout field counts of the people_fr parser on the drift generator (tests/support/layouts.py).

    .venv/bin/python bench/drift.py            # one line per layout: fields right / fields
    .venv/bin/python bench/drift.py -v         # and every wrong field, with what was found

Every mirror article (newsspider/demo_data/people_fr, alias copy left out) is rewritten by each layout
of tests/support/layouts.py (VARIANTS: markup-only rewrites; NO_RELATED; REDESIGNS: structural redesigns
whose expected answer follows the rewording), parsed as of 2026-01-01, and compared field by field
with the expected answer. `fallback` counts the fields the generic extractor supplied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.paths import FROZEN_NOW, people_fr_articles  # noqa: E402
from tests.support.layouts import NO_RELATED, REDESIGNS, VARIANTS  # noqa: E402
from newsspider.parsing import parse  # noqa: E402
from newsspider.parsers.page import decode_html  # noqa: E402


def layouts():
    for name, fn in VARIANTS.items():
        yield name, lambda html, expected, fn=fn: (fn(html), expected)
    for name, fn in NO_RELATED.items():
        yield name, lambda html, expected, fn=fn: (fn(html), {**expected, "related_links": []})
    yield from REDESIGNS.items()


def score(layout, cases):
    right = total = fallback = 0
    wrong = []
    for case in cases:
        html, expected = layout(decode_html(case["path"].read_bytes()), case["expected"])
        article = parse(html, case["url"], now=FROZEN_NOW)
        found = article.to_dict()
        fallback += len(getattr(article, "fallback_fields", ()))
        for field, value in expected.items():
            total += 1
            if found[field] == value:
                right += 1
            else:
                wrong.append((case["id"], field, found[field], value))
    return right, total, fallback, wrong


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cases = [c for c in people_fr_articles() if not c["id"].endswith("-alias")]
    all_right = all_total = 0
    for name, layout in layouts():
        right, total, fallback, wrong = score(layout, cases)
        all_right, all_total = all_right + right, all_total + total
        print(f"{name:32s} {right:4d} / {total:4d}  ({right / total:6.1%})  fallback fields: {fallback}")
        if args.verbose:
            for case_id, field, found, value in wrong:
                print(f"    {case_id} {field}: found {str(found)[:160]!r}\n{'':8s}expected {str(value)[:160]!r}")
    print(f"{'all layouts':32s} {all_right:4d} / {all_total:4d}  ({all_right / all_total:6.1%})")


if __name__ == "__main__":
    main()
