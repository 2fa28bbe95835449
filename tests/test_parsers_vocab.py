"""The class-word regexes and the word lists Page.classed_matching pre-filters by must agree."""

import re

import pytest

from newsspider.parsers import figures, related, vocab


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex pattern."""
    out, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current += pattern[i:i + 2]
            i += 2
            continue
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
        i += 1
    return [*out, current]


@pytest.mark.parametrize("pattern, words", [
    (figures._CREDIT_HINT, figures._CREDIT_WORDS),
    (figures._LOOSE, figures._LOOSE_WORDS),
    (related._HINT, related._HINT_WORDS),
], ids=["credit", "loose-caption", "related"])
def test_every_alternative_holds_a_prefilter_word(pattern, words):
    # A match holding none of the words would never be a candidate: the element would be missed.
    stripped = [re.sub(r"[?*+]|\(\?:|[()]", "", a).replace("-", "") for a in alternatives(pattern.pattern)]
    plain = [w.replace("-", "") for w in words]
    assert [a for a in stripped if not any(w in a.lower() for w in plain)] == []


def test_figure_words_are_the_figure_hint():
    for word in figures._FIGURE_WORDS:
        assert figures._FIGURE_HINT.search(f"x {word}-wrapper")


def test_box_regexes_hold_each_vocabulary_word_once():
    for regex in (figures._SKIP, related._NAVIGATION):
        words = alternatives(regex.pattern)
        assert len(words) == len(set(words))
    assert vocab.boxes(vocab.COMMENTS).search("comments-area") and not vocab.boxes(vocab.COMMENTS).search("commentary")
