"""Reading a 10,000-article archive for analysis: Archive.to_pandas(), the Parquet export, and
pd.read_sql of the same table as the baseline, each in a fresh process: seconds and peak RSS.

    .venv/bin/python bench/analysis.py                 # builds /tmp/newsspider-analysis.db once (10,000 articles)
    .venv/bin/python bench/analysis.py --articles 2000 --db /tmp/small.db

The archive is written through the archive's write path (Archive.write in batches, as a
crawl writes) from synthetic Articles of six sites (tests/support/archives.py), with
the mirror's kind of French body text (tests/support/synthetic.py), raw responses
included. Peak RSS is the process's maximum resident size (ru_maxrss); "over imports" is
that minus the RSS once pandas, pyarrow and newsspider are imported, which is what the
measured call itself costs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "pd.read_sql (baseline)": "import sqlite3; con = sqlite3.connect(f'file:{DB}?mode=ro', uri=True); "
                              "df = pd.read_sql('select * from articles', con); n = len(df)",
    "pd.read_sql + UTC parse": "import sqlite3; con = sqlite3.connect(f'file:{DB}?mode=ro', uri=True); "
                               "df = pd.read_sql('select * from articles', con); "
                               "df['published_at_utc'] = pd.to_datetime(df['published_at_utc'], utc=True, format='ISO8601'); n = len(df)",
    "Archive.to_pandas()": "import newsspider; df = newsspider.Archive(DB).to_pandas(); n = len(df)",
    "Archive.to_arrow()": "import newsspider; t = newsspider.Archive(DB).to_arrow(); n = t.num_rows",
    "export --format parquet": "from newsspider.archive import connect; from newsspider.archive.bundles import write_parquet; "
                               "n = write_parquet(connect(DB, readonly=True), OUT)",
}

RUNNER = """
import json, resource, sys, time
import pandas as pd, pyarrow, newsspider, newsspider.archive.read, newsspider.archive.bundles
DB, OUT = sys.argv[1], sys.argv[2]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
_started = time.perf_counter()
exec(sys.argv[3])
took = time.perf_counter() - _started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n": n, "seconds": took, "peak_mb": peak / 1024, "over_imports_mb": (peak - base) / 1024}))
"""


def build(db: Path, articles: int) -> None:
    from tests.support import archives

    t = time.perf_counter()
    archives.build(db, articles, with_raw=True)
    print(f"built {db}: {articles} articles in {time.perf_counter() - t:.1f}s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsspider-analysis.db")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the best time and its peak are printed")
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.articles)
    results = {}
    for name, code in CASES.items():
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run([sys.executable, "-c", RUNNER, str(args.db), str(Path(tmp) / "p"), code],
                                     capture_output=True, text=True, check=True, cwd=ROOT)
            runs.append(json.loads(out.stdout))
        results[name] = min(runs, key=lambda r: r["seconds"])
    base = results["pd.read_sql (baseline)"]["seconds"]
    print(f"archive: {args.db} ({args.db.stat().st_size / 1e6:.1f} MB), best of {args.repeat}")
    print(f"{'case':<26} {'articles':>8} {'seconds':>8} {'x read_sql':>10} {'peak RSS':>9} {'over imports':>12}")
    for name, r in results.items():
        print(f"{name:<26} {r['n']:>8} {r['seconds']:>8.2f} {r['seconds'] / base:>10.2f} {r['peak_mb']:>7.0f}MB {r['over_imports_mb']:>10.0f}MB")


if __name__ == "__main__":
    main()
