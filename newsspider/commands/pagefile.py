"""A saved page read back from disk, inflated if gzipped, never past the crawl's own size cap.

`extract`, `eval` and `save-fixture` read .html and .html.gz files; a 4 MB gzip bomb once
inflated to 2.2 GB (4.4 GB peak RSS) in `extract --batch`. Here the plain file and the
inflated bytes are both held to DOWNLOAD_MAXSIZE, the most a crawl would have downloaded, and
a larger page is a ValueError naming the cap: `extract --batch` reports it on the page's line.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

from ..settings import DOWNLOAD_MAXSIZE

GZIP_MAGIC = b"\x1f\x8b"


def inflate(fileobj: BinaryIO, max_size: int = DOWNLOAD_MAXSIZE) -> bytes:
    """A gzip stream inflated chunk by chunk, up to max_size bytes (0: no cap); ValueError past it or when corrupt."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=fileobj) as g:
            while chunk := g.read1(1 << 16):
                out += chunk
                if max_size and len(out) > max_size:
                    raise ValueError(f"larger than {max_size} bytes once decompressed (DOWNLOAD_MAXSIZE)")
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"corrupt gzip: {exc}") from exc
    return bytes(out)


def read_page(path: str | Path, max_size: int = DOWNLOAD_MAXSIZE) -> bytes:
    """The page saved at `path` (.html, or gzip whatever its name), at most max_size bytes once inflated."""
    with Path(path).open("rb") as f:
        if f.read(2) == GZIP_MAGIC:
            f.seek(0)
            return inflate(f, max_size)
        f.seek(0)
        data = f.read(max_size + 1) if max_size else f.read()
    if max_size and len(data) > max_size:
        raise ValueError(f"larger than {max_size} bytes (DOWNLOAD_MAXSIZE)")
    return data
