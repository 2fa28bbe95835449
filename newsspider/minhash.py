"""MinHash over word shingles: finding the same story republished with small edits.

Pure functions, no database. A body becomes a set of word 5-shingles; two
bodies are near-duplicates when the Jaccard similarity of those sets reaches
THRESHOLD. MinHash signatures cut into LSH bands only find the candidates
cheaply (an index lookup per band); the decision is the exact Jaccard of the
two shingle sets, so it never depends on the luck of the hash functions.

Why 5-word shingles: stories on the same topic share names and stock phrases
("les petites et moyennes entreprises", "a indiqué que"), which 2- or 3-word
shingles would count as shared text; five words in the same order rarely
recur except when the text itself was copied.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import unicodedata

SHINGLE_WORDS = 5
# Jaccard of the shingle sets at or above which two bodies are the same story.
# Measured on tests/fixtures/near_duplicates/pairs.json: reprints with another
# intro sentence and small edits score 0.66-0.75; different stories on the same
# topic 0.01-0.05. A copy cut to less than about half of the original falls
# below it: a heavily trimmed reprint stays a separate, unlinked article.
THRESHOLD = 0.5
# 40 bands of 3 rows: a pair at Jaccard 0.5 becomes a candidate with probability
# 1 - (1 - 0.5**3)**40 = 0.995, at 0.3 with 0.66, unrelated stories (< 0.02)
# almost never, so lookups stay cheap and matches are not missed.
BANDS = 40
ROWS = 3
NUM_PERM = BANDS * ROWS

_MERSENNE = (1 << 61) - 1
_rng = random.Random(20240619)  # fixed: band keys stored in an archive must stay comparable
_PERMS = [(_rng.randrange(1, _MERSENNE), _rng.randrange(0, _MERSENNE)) for _ in range(NUM_PERM)]
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    # NFKC + casefold: typographic variants (ligatures, full-width digits, case) are not edits.
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str | None, k: int = SHINGLE_WORDS) -> set[str]:
    words = tokens(text or "")
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(body_a: str | None, body_b: str | None) -> float:
    return jaccard(shingles(body_a), shingles(body_b))


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big") % _MERSENNE


def signature(shingle_set: set[str]) -> list[int]:
    """NUM_PERM minimum hash values; empty for an empty set."""
    if not shingle_set:
        return []
    xs = [_hash64(s) for s in shingle_set]
    return [min((a * x + b) % _MERSENNE for x in xs) for a, b in _PERMS]


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (SQLite INTEGER), the band number mixed in."""
    keys = []
    for band in range(len(sig) // ROWS):
        chunk = sig[band * ROWS:(band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f">I{ROWS}Q", band, *chunk), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def body_band_keys(body: str | None) -> list[int]:
    return band_keys(signature(shingles(body)))
