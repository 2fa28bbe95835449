"""Scores of one extraction against one expected record: pure functions, no I/O.

What each row of `newsspider eval`'s table means is written once, in DEFINITIONS below:
the command's help prints it, and docs/EVALUATION.md's table is checked against it
(tests/test_evaluation_docs.py).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

# Row of `newsspider eval`'s table -> what it measures: the one definition (see the module docstring).
DEFINITIONS: dict[str, str] = {
    "title (exact)": "share of pages whose headline equals the expected title, NFC and whitespace collapsed "
                     "(case and punctuation count)",
    "authors F1": "per page, F1 of the two sets of names; both lists empty = 1.0; expected empty but some predicted = "
                  "0.0; expected names but none predicted = 0.0; averaged over pages. Names are NFC-normalised, "
                  "casefolded and their whitespace collapsed; blank names are dropped",
    "date (same day)": "published_at on the same calendar day as publishing_date, on the expected value's clock: an "
                       "aware prediction is converted to the expected offset; a naive one, or a bare date "
                       "(trafilatura's), is compared as it stands, and so is any prediction when the expected value is "
                       "naive. No prediction, or an unreadable one: 0",
    "body F1 (Zyte, pooled)": "the shingle metric of the Zyte article-extraction benchmark: `\\w+` tokens (Unicode, "
                              "case kept), 4-token shingles counted as a multiset (a text of 1-3 tokens is one shingle, "
                              "a text without tokens has none); per page tp = |pred ∩ true|, fp = |pred| − tp, fn = "
                              "|true| − tp, scaled to tp + fp + fn = 1; then summed over pages, P = TP/(TP+FP), R = "
                              "TP/(TP+FN), F1 = 2PR/(P+R). An empty prediction adds only to fn (it lowers recall); a "
                              "page empty on both sides adds nothing",
    "body F1 (mean per page)": "per-page P and R averaged over pages, then F1 of the two means. On a page with text, an "
                               "empty prediction has P = R = 0 (an extractor that gives up must not look precise); both "
                               "empty: P = R = 1; nothing expected but something predicted: P = 0, R = 1",
    "image-credit recall": "among expected images with a credit (a name with a word character; \"-\" is none), the "
                           "share found: an image is found when one of its credit names and the raw text, agency or "
                           "photographer of a predicted credit contain one another as whole casefolded words in order "
                           "(\"AP\" is in \"AP/Mandel Ngan\", not in \"Japan\"). One predicted credit finds one image "
                           "at most (greedy, in page order). Pooled over images; trafilatura extracts no credits (—)",
    "pages/s": "pages over the seconds spent inside the extractor; reading and unzipping files excluded. The speed ratio "
               "(pages/s of newsspider over the baseline's) is printed on these wall-clock seconds and, in brackets, on the "
               "process's CPU seconds (time.process_time), which other jobs on a shared machine disturb less",
    "parse errors": "pages that raised, or for which the extractor returned nothing",
    "-/+ vs X": "per field, the pages on which newsspider is worse / better than baseline X by more than 0.05 (body "
                "per-page F1, authors F1) or at all (title, date: 0 or 1 per page). A baseline is compared only on "
                "the fields it extracts (htmldate: date)",
}


def definitions_help(width: int = 78) -> str:
    """DEFINITIONS as a command's help block: each row's name, then its definition indented."""
    return "\n".join(
        f"  {name}\n" + textwrap.fill(text, width, initial_indent="      ", subsequent_indent="      ", break_on_hyphens=False)
        for name, text in DEFINITIONS.items()
    )


SHINGLE_SIZE = 4
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def normalize_space(text: str | None) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def normalize_name(name: str | None) -> str:
    return normalize_space(name).casefold()


# ---- title ------------------------------------------------------------------------------
def title_match(expected: str, predicted: str | None) -> float:
    return 1.0 if normalize_space(expected) == normalize_space(predicted) else 0.0


# ---- authors ----------------------------------------------------------------------------
def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def authors_f1(expected: Iterable[str], predicted: Iterable[str]) -> float:
    true = {n for n in map(normalize_name, expected) if n}
    pred = {n for n in map(normalize_name, predicted) if n}
    if not true and not pred:
        return 1.0
    if not true or not pred:
        return 0.0
    tp = len(true & pred)
    return f1(tp / len(pred), tp / len(true))


# ---- date ---------------------------------------------------------------------------------
def parse_moment(value: str | datetime | date | None) -> datetime | None:
    """An ISO 8601 string (space or T, optional offset, or a bare date) as a datetime, else None."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def same_day(expected: str | datetime, predicted: str | datetime | date | None) -> float:
    true = parse_moment(expected)
    pred = parse_moment(predicted)
    if true is None:
        raise ValueError(f"unreadable expected date: {expected!r}")
    if pred is None:
        return 0.0
    if true.tzinfo is not None and pred.tzinfo is not None:
        pred = pred.astimezone(true.tzinfo)
    return 1.0 if pred.date() == true.date() else 0.0


# ---- body ---------------------------------------------------------------------------------
def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if not words:
        return Counter()
    # As in the Zyte benchmark: a text shorter than one shingle still counts, as one shingle.
    return Counter(tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1)))


@dataclass(frozen=True)
class BodyCounts:
    """One page's shingle tp/fp/fn, scaled to sum to 1 (all 0 when both texts have no tokens)."""

    tp: float
    fp: float
    fn: float

    @property
    def empty(self) -> bool:
        return self.tp == self.fp == self.fn == 0

    @property
    def precision(self) -> float:
        if self.empty:
            return 1.0
        # Nothing predicted for a page that has text: no credit for precision either,
        # or an extractor that gives up on hard pages would look precise.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.empty:
            return 1.0
        # Nothing to find (the page has no text) and something predicted: recall is vacuous.
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def body_counts(expected: str | None, predicted: str | None) -> BodyCounts:
    true, pred = shingles(expected), shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    if not total:
        return BodyCounts(0.0, 0.0, 0.0)
    return BodyCounts(tp / total, fp / total, fn / total)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def pooled_body(pages: Sequence[BodyCounts]) -> PRF | None:
    """The Zyte benchmark's aggregate: sum the per-page scaled tp/fp/fn, then P = TP/(TP+FP) and
    R = TP/(TP+FN). An empty prediction adds only to fn (it lowers recall, not precision); a page
    where both texts are empty adds nothing."""
    if not pages:
        return None
    tp = sum(p.tp for p in pages)
    fp = sum(p.fp for p in pages)
    fn = sum(p.fn for p in pages)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return PRF(precision, recall, f1(precision, recall))


def mean_body(pages: Sequence[BodyCounts]) -> PRF | None:
    """Mean over pages of each page's precision and recall (see BodyCounts for the empty cases),
    then F1 of the two means."""
    if not pages:
        return None
    precision = sum(p.precision for p in pages) / len(pages)
    recall = sum(p.recall for p in pages) / len(pages)
    return PRF(precision, recall, f1(precision, recall))


# ---- image credits ---------------------------------------------------------------------
def credit_tokens(text: str | None) -> tuple[str, ...]:
    return tuple(t.casefold() for t in tokens(unicodedata.normalize("NFC", text or "")))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def credits_match(name: str, credit: str) -> bool:
    """True when one's word tokens appear, in order and contiguous, in the other's.

    Word tokens (casefolded `\\w+`) rather than characters, so "AP" matches "AP/Mandel Ngan" but
    not "Japan", and "Bild: SN/APA" matches "SN/APA"; a name without a word character (such as
    "-") matches nothing."""
    a, b = credit_tokens(name), credit_tokens(credit)
    if not a or not b:
        return False
    return _contains(b, a) if len(a) <= len(b) else _contains(a, b)


def match_credits(expected_images: Sequence[Sequence[str]], predicted: Sequence[dict]) -> tuple[int, int]:
    """(found, credited): how many expected images with a credit were matched by a predicted credit.

    An expected image is credited when one of its credit names has a word character. It is found
    when one of its names `credits_match` the raw text, agency or photographer of a predicted
    credit not yet used by an earlier image: one predicted credit accounts for one image at most,
    so a single "Reuters" does not find three Reuters photos. Images are taken in page order and
    each takes the first free match (greedy, not an optimal assignment)."""
    candidates = []
    for credit in predicted or []:
        if isinstance(credit, dict):
            texts = [credit.get(k) for k in ("raw", "agency", "photographer")]
        else:
            texts = [str(credit)]
        candidates.append([t for t in texts if isinstance(t, str) and credit_tokens(t)])
    used = [False] * len(candidates)
    found = credited = 0
    for names in expected_images:
        names = [n for n in names if credit_tokens(n)]
        if not names:
            continue
        credited += 1
        for i, texts in enumerate(candidates):
            if not used[i] and any(credits_match(n, t) for n in names for t in texts):
                used[i] = True
                found += 1
                break
    return found, credited
