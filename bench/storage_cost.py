"""Print what keeping raw responses costs per page in an archive.

    .venv/bin/newsspider demo --db /tmp/demo.db && .venv/bin/python bench/storage_cost.py /tmp/demo.db

Figures: responses stored, distinct bodies, average page size as fetched,
average size compressed, ratio, header bytes, and bytes per response in all
(compressed body shared between identical responses + headers + row).
`dbstat` (the SQLite table of page usage) is used when compiled in, for the
on-disk size of each table with its indexes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsspider.archive import connect  # noqa: E402
from newsspider.archive.raw import storage, table_bytes  # noqa: E402


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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "archive.db")
