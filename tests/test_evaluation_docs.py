"""docs/EVALUATION.md's table of scores says what newsspider/evaluation/metrics.py's DEFINITIONS say."""

import re
from pathlib import Path

from click.testing import CliRunner

from newsspider.cli import main
from newsspider.evaluation.compare import LABELS
from newsspider.evaluation.metrics import DEFINITIONS

DOC = Path(__file__).resolve().parent.parent / "docs" / "EVALUATION.md"


def doc_table() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    lines = text[text.index("| row | definition |"):].splitlines()[2:]
    rows = {}
    for line in lines:
        if not line.startswith("|"):
            break
        name, definition = (cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1])
        rows[name] = definition
    return rows


def test_the_documented_scores_are_the_code_definitions():
    assert doc_table() == DEFINITIONS


def test_every_field_label_of_the_table_is_defined():
    assert set(LABELS.values()) <= set(DEFINITIONS)


def test_eval_help_prints_every_definition():
    out = " ".join(CliRunner().invoke(main, ["eval", "--help"]).output.split())
    for name, definition in DEFINITIONS.items():
        assert name in out and " ".join(definition.split()) in out
