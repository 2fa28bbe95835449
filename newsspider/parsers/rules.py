"""The generic extractor's overrides of its baselines, each with a name and a switch.

Every field starts from a library baseline (trafilatura for the body, htmldate for the
date when the structured sources say nothing); a rule here overrides it on named
evidence. Each rule can be switched off so that `newsspider eval --folds` can measure
what it does, page by page and fold by fold, against the same extractor without it.
A rule that does not help out-of-fold is removed from the code, not left switched off.

The switches are for measuring only: parsing stays a pure function of the page, and
nothing in a crawl turns a rule off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# name -> (field it changes, the evidence it trusts). One source for the list: eval reads it.
RULES: dict[str, tuple[str, str]] = {
    "body.cluster_when_short": (
        "body",
        "trafilatura's text is empty or holds under a quarter of the words of the densest paragraph cluster: "
        "the cluster (or article HTML shipped in a script) is used instead",
    ),
    "body.drop_headline": ("body", "a line equal to one of the page's headlines (JSON-LD, og:title, <h1>, <title>) is not body text"),
    "body.confirm_by_cluster": ("body", "only lines the paragraph cluster also holds are kept, when they are 60% of the words"),
    "body.drop_captions": ("body", "a line equal to a caption or credit of one of the page's figures is not body text"),
    "date.time_outside_boxes": ("date", "a <time> inside comments, teasers of other articles, a sidebar or the footer dates something else"),
    "authors.drop_desk_codes": ("authors", "a credited name in lowercase initials (\"kesm\", \"srf/hosb\") is an editor's desk code, not a person"),
    "credits.drop_repeats": ("image_credits", "a credit equal to an earlier one in text and caption is the same image met twice"),
    "credits.photographer_is_a_name": ("image_credits",
                                       "a photographer that reads as a sentence (caption prose) is not a photographer: it becomes the caption"),
    "body.lead": ("body", "the page's description, shown on the page and missing from the text, is its first paragraph"),
    "body.lead_not_caption": ("body", "a description equal to a caption of one of the page's figures is that caption, not the lead paragraph"),
}

_off: set[str] = set()


def on(name: str) -> bool:
    if name not in RULES:
        raise KeyError(f"unknown rule {name!r}")
    return name not in _off


@contextmanager
def disabled(*names: str) -> Iterator[None]:
    """Switch rules off for the duration (evaluation only)."""
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise KeyError(f"unknown rule(s): {', '.join(unknown)}")
    before = set(_off)
    _off.update(names)
    try:
        yield
    finally:
        _off.clear()
        _off.update(before)
