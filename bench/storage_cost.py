"""Print what keeping raw responses costs per page in an archive.

    .venv/bin/newsspider demo --db /tmp/demo.db && .venv/bin/python bench/storage_cost.py /tmp/demo.db
    .venv/bin/python bench/storage_cost.py --pages tests/fixtures/generic     # the codecs on real pages

Figures: responses stored, distinct bodies, average page size as fetched,
average size compressed, ratio, header bytes, and bytes per response in all
(compressed body shared between identical responses + headers + row).
`dbstat` (the SQLite table of page usage) is used when compiled in, for the
on-disk size of each table with its indexes.

With --pages DIR, no archive: the pages in DIR (*.html, *.html.gz, and those its *.json cases name in
`file`) compressed as the archive
stores them (Brotli, quality 5), with zlib 6 and with Brotli 11: average size, ratio, and
milliseconds a page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import zlib
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsspider.archive import connect  # noqa: E402
from newsspider.archive.raw import BROTLI_QUALITY, compress, storage, table_bytes  # noqa: E402


def main(path: str) -> None:
    db = connect(path, readonly=True)
    s = storage(db)
    if not s["responses"]:
        sys.exit(f"{path}: no raw responses stored")
    print(f"archive: {path} ({Path(path).stat().st_size:,} bytes on disk)")
    print(f"responses stored:                  {s['responses']}")
    print(f"distinct bodies:                   {s['bodies']}")
    print(f"average page as fetched:           {s['body_bytes'] / s['bodies']:,.0f} bytes")
    print(f"average page compressed (brotli):  {s['compressed_bytes'] / s['bodies']:,.0f} bytes "
          f"(ratio {s['body_bytes'] / max(1, s['compressed_bytes']):.2f})")
    print(f"average headers (JSON):            {s['header_bytes'] / s['responses']:,.0f} bytes")
    per_response = (s["compressed_bytes"] + s["header_bytes"]) / s["responses"]
    print(f"raw storage per response:          {per_response:,.0f} bytes (bodies + headers, before SQLite page overhead)")
    sizes = table_bytes(db, ("raw_responses", "raw_bodies"))
    if sizes:
        total = sum(sizes.values())
        print(f"on disk (dbstat, with indexes):    {total:,} bytes = {total / s['responses']:,.0f} bytes per response")
    db.close()


def compare_codecs(folder: str) -> None:
    paths = sorted(Path(folder).glob("*.html")) + sorted(Path(folder).glob("*.html.gz"))
    # Fixture cases that name their page elsewhere (tests/fixtures/generic/*.json: "file", a page of eval/fundus/).
    cases = [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(folder).glob("*.json"))]
    paths += [p.parent / case["file"] for p, case in cases if isinstance(case, dict) and "file" in case]
    pages = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in paths]
    if not pages:
        sys.exit(f"{folder}: no *.html or *.html.gz pages")
    total = sum(map(len, pages))
    print(f"{len(pages)} pages from {folder}: {total / len(pages) / 1000:,.0f} kB on average as fetched "
          f"({min(map(len, pages)) / 1000:,.0f} to {max(map(len, pages)) / 1000:,.0f} kB)")
    codecs = {
        f"brotli {BROTLI_QUALITY} (stored)": compress,
        "zlib 6": lambda b: zlib.compress(b, 6),
        "brotli 11": lambda b: brotli.compress(b, quality=11),
    }
    reference = None
    for name, codec in codecs.items():
        started = time.perf_counter()
        size = sum(len(codec(page)) for page in pages)
        ms = (time.perf_counter() - started) * 1000 / len(pages)
        reference = reference or size
        print(f"{name:<18} ratio {total / size:.2f}  {size / reference - 1:+.0%} size against brotli {BROTLI_QUALITY}  {ms:,.1f} ms a page")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="What keeping raw responses costs per page.")
    parser.add_argument("db", nargs="?", default="archive.db", help="the archive (default: archive.db)")
    parser.add_argument("--pages", metavar="DIR", help="instead: compare the codecs on the pages in DIR")
    args = parser.parse_args()
    if args.pages:
        compare_codecs(args.pages)
    else:
        main(args.db)
