"""How often the soft-error rule (newsspider/parsers/softerror.py) fires on real articles: it should never.

    .venv/bin/python bench/soft_error_check.py [--shared ../shared]

Parses every page of tests/fixtures, the Fundus pages (../shared/data/fundus, MIT, flairNLP/fundus)
and the people_fr mirror (../shared/sites/people_fr) and prints each page the rule takes for an
error page, then the count.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsspider.parsers import ParseError  # noqa: E402
from newsspider.parsing import parse  # noqa: E402
from newsspider.parsers.softerror import page_title, soft_error  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
PEOPLE_FR_URL = "http://french.peopledaily.com.cn/Economie/n3/2024/0301/c31355-20000001.html"


def main() -> int:
    shared = Path(sys.argv[sys.argv.index("--shared") + 1]) if "--shared" in sys.argv else ROOT.parent / "shared"
    pages: list[tuple[Path, str]] = []
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.html")) + sorted((ROOT / "tests" / "fixtures").rglob("*.html.gz")):
        pages.append((path, PEOPLE_FR_URL if "people_fr" in str(path) else "https://www.example.org/2024/01/01/story.html"))
    for path in sorted((shared / "sites" / "people_fr").rglob("*.html")):
        pages.append((path, PEOPLE_FR_URL))
    cases = shared / "data" / "fundus" / "cases.jsonl"
    if cases.exists():
        for line in cases.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            pages.append((cases.parent / case["file"], case["url"]))
    fired = 0
    for path, url in pages:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            article = parse(data, url, now=NOW)
            headline, body = article.headline, article.body
        except ParseError:
            headline = body = None
        reason = soft_error(headline, body, page_title(data))
        if reason:
            fired += 1
            print(f"fired: {path}: {reason}")
    print(f"{len(pages)} pages, the rule fired on {fired}")
    return 1 if fired else 0


if __name__ == "__main__":
    sys.exit(main())
