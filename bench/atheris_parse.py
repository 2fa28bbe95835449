"""Coverage-guided fuzzing of parse() with atheris (libFuzzer), seeded with the fixture pages.

    .venv/bin/python bench/atheris_parse.py -runs=20000 -artifact_prefix=test-artifacts/fuzz-crashes/   # make fuzz-atheris
    .venv/bin/python bench/atheris_parse.py -max_total_time=600

Any exception other than ParseError is a finding: libFuzzer stops and writes the input as
crash-<hash> under -artifact_prefix (the directory must exist; without the flag, in the current
directory). The command-line flags go to libFuzzer as they are. The seed corpus is written to
test-artifacts/atheris-corpus.
"""

from __future__ import annotations

import gzip
import sys
from datetime import datetime, timezone
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["newsspider"]):
    from newsspider.parsers import ParseError
    from newsspider.parsing import parse

from tests.support.paths import PEOPLE_FR, generic_pages  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
URLS = [
    "http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html",
    "https://www.example.org/2024/05/01/story.html",
]


def one_input(data: bytes) -> None:
    if not data:
        return
    url = URLS[data[0] % len(URLS)]
    try:
        parse(data[1:], url, now=NOW)
    except ParseError:
        pass


def seed_corpus() -> Path:
    corpus = ROOT / "test-artifacts" / "atheris-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted((PEOPLE_FR / "site").rglob("c*.html"))):
        (corpus / f"people-{i}").write_bytes(b"\x00" + path.read_bytes())
    for i, path in enumerate(generic_pages()[:5]):
        (corpus / f"generic-{i}").write_bytes(b"\x01" + gzip.decompress(path.read_bytes()))
    return corpus


if __name__ == "__main__":
    corpus = seed_corpus()
    atheris.Setup(sys.argv + [str(corpus)], one_input)
    atheris.Fuzz()
