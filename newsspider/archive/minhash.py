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
# Larger than any bin value (< 2**61 / NUM_PERM < 2**55), and small enough that a value
# borrowed from up to NUM_PERM bins away still fits the 64 bits a band key packs.
_DENSIFY_OFFSET = 1 << 55
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
    """NUM_PERM minimum hash values; empty for an empty set.

    One-permutation hashing (Li, Owen & Zhang 2012) with rotation densification
    (Shrivastava & Li 2014): each shingle is hashed once and lands in one of NUM_PERM
    bins, each bin keeps its minimum; an empty bin borrows the next non-empty bin's
    value, offset by the distance. Two bins agree with probability about the Jaccard
    similarity, as with NUM_PERM independent hash functions, for a NUM_PERM-th of the
    work: NUM_PERM separate permutations made this the crawl's largest cost.
    """
    if not shingle_set:
        return []
    bins: list[int | None] = [None] * NUM_PERM
    for shingle in shingle_set:
        h = _hash64(shingle)
        slot, value = h % NUM_PERM, h // NUM_PERM
        current = bins[slot]
        if current is None or value < current:
            bins[slot] = value
    signature = []
    for i in range(NUM_PERM):
        distance = 0
        while bins[(i + distance) % NUM_PERM] is None:
            distance += 1
        signature.append(bins[(i + distance) % NUM_PERM] + distance * _DENSIFY_OFFSET)
    return signature


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
