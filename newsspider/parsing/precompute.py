"""What the archive's write would compute from a parsed page, made in the parser process instead.

With a pool of parser processes (pool.py) the crawl's one thread still stores: compressing the raw
response and the near-duplicate band keys were some 10 % of its time (docs/PERFORMANCE.md), and
both are pure functions of what the worker already holds. So the worker makes them, and the
archive's write takes them only when they are provably of what it stores: the raw body's SHA-256
(which the write computes anyway, cheaply) must match, and the band keys are of the very body
string the write indexes (a pipeline that changed the body makes the write compute them again).
A write with or without them stores the same bytes (tests/test_precompute.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..archive import neardup, raw


@dataclass(frozen=True)
class Precomputed:
    raw_sha256: str  # of the response body the worker was sent
    raw_data: bytes  # that body, compressed as archive/raw.py stores it
    body: str | None  # the article body the band keys are of
    band_keys: tuple[int, ...]

    def data_for(self, digest: str) -> bytes | None:
        """The compressed body, if it is of the body whose SHA-256 is `digest`."""
        return self.raw_data if digest == self.raw_sha256 else None

    def keys_for(self, body: str | None) -> list[int] | None:
        """The band keys, if they are of `body`."""
        return list(self.band_keys) if body == self.body else None


def precompute(response_body: bytes, article_body: str | None) -> Precomputed:
    return Precomputed(raw_sha256=hashlib.sha256(response_body).hexdigest(), raw_data=raw.compress(response_body),
                       body=article_body, band_keys=tuple(neardup.keys(article_body)))
