"""The evaluation gate: the generic extractor over the Fundus pages must not fall below the pinned floors.

The floors (tests/eval_floors.json) are set just below the scores when they were last raised;
raise them when the scores rise, and never lower one without saying why in the commit. The
same pages and scorers as `make eval` (newsspider/evaluation), without the baselines.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.paths import FIXTURES
from newsspider.evaluation.cases import load_cases
from newsspider.evaluation.compare import FIELDS, field_score
from newsspider.evaluation.run import NewsspiderExtractor, evaluate

CASES = FIXTURES / "eval" / "fundus" / "cases.jsonl"
FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def evaluation():
    cases, problems = load_cases(CASES)
    assert not problems and len(cases) == FLOORS["cases"]
    return evaluate(cases, [NewsspiderExtractor()])


def test_the_floors_cover_every_field():
    assert set(FLOORS["floors"]) == set(FIELDS)
    assert (FIXTURES / "eval" / "fundus" / "README.md").read_text(encoding="utf-8").count("MIT, flairNLP/fundus") == 1


@pytest.mark.parametrize("field", FIELDS)
def test_field_is_not_below_its_floor(evaluation, field):
    outcomes = [r.outcomes["newsspider"] for r in evaluation.results]
    score = field_score(outcomes, field)
    assert score is not None and score >= FLOORS["floors"][field], f"{field}: {score:.4f} < floor {FLOORS['floors'][field]}"


def test_no_page_fails_to_parse(evaluation):
    assert [r.case.url for r in evaluation.results if r.outcomes["newsspider"].error] == []
