"""Page by page against the baselines, folds by publisher, and what each rule does out-of-fold.

Averages hide where an extractor loses: `versus` counts, per field, the pages on which
newsspider is worse or better than a baseline by more than a margin. `folds` splits the
cases by publisher (a stable hash, so a publisher's pages are never on both sides), and
`rule_effects` measures every switchable rule of newsspider.parsers.rules: on each fold,
whether the rule would be kept when chosen on the other folds, and what the held-out fold
then scores. A rule kept on all data but not out-of-fold is memorising the pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .metrics import pooled_body

FIELDS = ("title", "authors", "date", "body", "image_credits")
LABELS = {
    "title": "title (exact)",
    "authors": "authors F1",
    "date": "date (same day)",
    "body": "body F1 (Zyte, pooled)",
    "image_credits": "image-credit recall",
}
# A page is worse or better by more than this. Title and date are 0 or 1 per page: any difference counts.
MARGINS = {"title": 0.0, "authors": 0.05, "date": 0.0, "body": 0.05, "image_credits": 0.0}


def page_value(outcome, field: str) -> float | None:
    """One page's score on a field: 0/1 for title and date, F1 for authors and body, share of credits found."""
    value = outcome.scores.get(field)
    if value is None:
        return None
    if field == "body":
        return value.f1
    if field == "image_credits":
        return value[0] / value[1]
    return float(value)


def field_score(outcomes: Sequence, field: str) -> float | None:
    """The field's aggregate over outcomes, as the main table computes it (body pooled, credits pooled)."""
    values = [o.scores[field] for o in outcomes if field in o.scores]
    if not values:
        return None
    if field == "body":
        return pooled_body(values).f1
    if field == "image_credits":
        credited = sum(v[1] for v in values)
        return sum(v[0] for v in values) / credited if credited else None
    return sum(values) / len(values)


@dataclass
class Versus:
    """Pages where `ours` is worse / better than `other` on one field by more than the margin."""

    field: str
    other: str
    worse: list
    better: list
    n: int

    @property
    def cell(self) -> str:
        return f"{len(self.worse)}/{len(self.better)}"


def versus(results: Sequence, ours: str, other: str, field: str, margin: float | None = None) -> Versus:
    margin = MARGINS[field] if margin is None else margin
    worse, better, n = [], [], 0
    for result in results:
        a, b = page_value(result.outcomes[ours], field), page_value(result.outcomes[other], field)
        if a is None or b is None:
            continue
        n += 1
        if b - a > margin + 1e-12:
            worse.append(result)
        elif a - b > margin + 1e-12:
            better.append(result)
    return Versus(field, other, worse, better, n)


def comparable(evaluation, ours: str, other: str) -> list[str]:
    mine, theirs = evaluation.fields.get(ours, FIELDS), evaluation.fields.get(other, ())
    return [f for f in FIELDS if f in mine and f in theirs]


def versus_all(evaluation, results: Sequence | None = None, ours: str = "newsspider",
               margins: dict[str, float] | None = None) -> dict[str, dict[str, Versus]]:
    """{baseline: {field: Versus}} for every other extractor of the evaluation."""
    results = evaluation.results if results is None else results
    margins = {**MARGINS, **(margins or {})}
    return {
        other: {f: versus(results, ours, other, f, margins[f]) for f in comparable(evaluation, ours, other)}
        for other in evaluation.extractors if other != ours and not other.startswith(f"{ours}-without-")
    }


def worst(evaluation, field: str, n: int, ours: str = "newsspider", other: str | None = None) -> list[tuple[Any, float, float | None]]:
    """The n pages where `ours` loses most to `other` on the field (or scores lowest, without `other`)."""
    rows = []
    for result in evaluation.results:
        a = page_value(result.outcomes[ours], field)
        b = page_value(result.outcomes[other], field) if other else None
        if a is None or (other and b is None):
            continue
        rows.append((result, a, b))
    rows.sort(key=lambda row: (row[1] - row[2]) if other else row[1])
    return [row for row in rows[:n] if not other or row[1] < row[2]]


# ---- folds -----------------------------------------------------------------------------------
def fold_of(publisher: str, k: int) -> int:
    """A publisher's fold: a hash of its name (stable across runs and machines, unlike hash())."""
    return int(hashlib.sha256(publisher.encode("utf-8")).hexdigest()[:12], 16) % k


def split(results: Sequence, k: int) -> list[list]:
    folds: list[list] = [[] for _ in range(k)]
    for result in results:
        folds[fold_of(result.case.publisher or result.case.url, k)].append(result)
    return folds


@dataclass
class RuleEffect:
    rule: str
    field: str
    on: float | None  # the field's score with the rule, all cases
    off: float | None  # without it
    helped: int  # pages better with the rule (any difference)
    hurt: int
    fold_deltas: list[float | None]  # on - off, per fold
    kept: list[bool]  # per fold: would the rule be kept, judged on the other folds?
    out_of_fold: float | None  # the field's score when each fold uses the choice made on the others

    @property
    def verdict(self) -> str:
        """Generalises: helps more pages than it hurts, is kept on every fold when judged on the
        others, and lifts the out-of-fold figure above the rule-off one."""
        if not self.helped and not self.hurt and self.on == self.off:
            return "no effect on these pages"
        if self.on is None or self.off is None:
            return "not scored"
        changed = sum(1 for d in self.fold_deltas if d)
        if changed == 1 and self.helped > self.hurt:
            return "one fold only: unconfirmed"
        if self.hurt >= self.helped:
            return "mixed: hurts as many pages as it helps" if self.helped else "hurts"
        if all(self.kept) and self.out_of_fold is not None and self.out_of_fold > self.off:
            return "generalises"
        if self.on > self.off:
            return "memorises (helps in-sample only)"
        return "hurts"


def rule_effects(evaluation, folds: list[list], ours: str = "newsspider") -> list[RuleEffect]:
    from ..parsers.rules import RULES

    effects = []
    for rule, (field, _) in RULES.items():
        without = f"{ours}-without-{rule}"
        if without not in evaluation.extractors:
            continue
        on_of = lambda results: [r.outcomes[ours] for r in results]  # noqa: E731
        off_of = lambda results: [r.outcomes[without] for r in results]  # noqa: E731
        # Any change counts: a rule's effect on one page is often smaller than the baseline margin.
        pages = versus(evaluation.results, ours, without, field, margin=0.0)
        deltas, kept, chosen = [], [], []
        for i, fold in enumerate(folds):
            on, off = field_score(on_of(fold), field), field_score(off_of(fold), field)
            deltas.append(on - off if on is not None and off is not None else None)
            rest = [r for j, other in enumerate(folds) if j != i for r in other]
            rest_on, rest_off = field_score(on_of(rest), field), field_score(off_of(rest), field)
            keep = rest_on is not None and rest_off is not None and rest_on > rest_off
            kept.append(keep)
            chosen.extend(on_of(fold) if keep else off_of(fold))
        effects.append(RuleEffect(
            rule, field, field_score(on_of(evaluation.results), field), field_score(off_of(evaluation.results), field),
            len(pages.better), len(pages.worse), deltas, kept, field_score(chosen, field),
        ))
    return effects


# ---- reporting -------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 3, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = lambda row: "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)).rstrip()  # noqa: E731
    return [fmt(head), *(fmt(r) for r in rows)]


def format_worst(evaluation, n: int, ours: str = "newsspider") -> str:
    others = [o for o in evaluation.extractors if o != ours and not o.startswith(f"{ours}-without-")]
    lines = []
    for field in FIELDS:
        pairs = [(o, worst(evaluation, field, n, ours, o)) for o in others if field in comparable(evaluation, ours, o)]
        if not others or field == "image_credits":
            pairs = [(None, worst(evaluation, field, n, ours))]
        for other, rows in pairs:
            if not rows:
                continue
            title = f"worst {field} against {other}" if other else f"lowest {field}"
            lines.append(f"{title} ({ours} {'vs ' + other if other else ''}):".replace(" )", ")"))
            for result, a, b in rows:
                pair = f"{a:.3f} {b:.3f}" if other else f"{a:.3f}"
                lines.append(f"  {pair}  {result.case.publisher}  {result.case.url}")
    return "\n".join(lines)


def format_folds(evaluation, k: int, ours: str = "newsspider") -> str:
    folds = split(evaluation.results, k)
    others = [o for o in evaluation.extractors if o != ours and not o.startswith(f"{ours}-without-")]
    head = ["", *(f"fold {i}" for i in range(k)), "mean", "all"]
    lines = [f"{k} folds by publisher (sha256 of the publisher name, mod {k})"]
    lines += _table(["", *(f"fold {i}" for i in range(k))], [
        ["pages", *(str(len(f)) for f in folds)],
        ["publishers", *(str(len({r.case.publisher for r in f})) for f in folds)],
    ])
    for field in FIELDS:
        rows = []
        for name in [ours, *others]:
            if field not in evaluation.fields.get(name, FIELDS):
                continue
            per = [field_score([r.outcomes[name] for r in f], field) for f in folds]
            known = [v for v in per if v is not None]
            rows.append([f"  {name}", *(_fmt(v) for v in per), _fmt(sum(known) / len(known) if known else None),
                         _fmt(field_score([r.outcomes[name] for r in evaluation.results], field))])
        for other in others:
            if field not in comparable(evaluation, ours, other):
                continue
            cells = [versus(f, ours, other, field).cell for f in folds]
            rows.append([f"  worse/better vs {other}", *cells, "", versus(evaluation.results, ours, other, field).cell])
        if rows:
            lines.append("")
            lines += _table([LABELS[field], *head[1:]], rows)
    effects = rule_effects(evaluation, folds, ours)
    if effects:
        lines.append("")
        lines.append("rules (newsspider.parsers.rules): the field's score with / without the rule; pages helped/hurt;")
        lines.append("per fold, on - off; kept = folds on which the other folds would keep it; out-of-fold = each fold")
        lines.append("scored with the choice made on the others")
        rows = [[e.rule, e.field, _fmt(e.on), _fmt(e.off), f"{e.helped}/{e.hurt}",
                 " ".join(_fmt(d, signed=True) for d in e.fold_deltas), f"{sum(e.kept)}/{k}", _fmt(e.out_of_fold), e.verdict]
                for e in effects]
        lines += _table(["rule", "field", "on", "off", "+/- pages", "on - off per fold", "kept", "out-of-fold", "verdict"], rows)
    return "\n".join(lines)


def folds_dict(evaluation, k: int, ours: str = "newsspider") -> dict[str, Any]:
    folds = split(evaluation.results, k)
    others = [o for o in evaluation.extractors if o != ours and not o.startswith(f"{ours}-without-")]
    return {
        "k": k,
        "folds": [
            {
                "pages": len(f),
                "publishers": sorted({r.case.publisher for r in f}),
                "scores": {name: {field: field_score([r.outcomes[name] for r in f], field) for field in FIELDS
                                  if field in evaluation.fields.get(name, FIELDS)} for name in [ours, *others]},
                "worse_better": {other: {field: [len(v.worse), len(v.better)] for field, v in by_field.items()}
                                 for other, by_field in versus_all(evaluation, f, ours).items()},
            }
            for f in folds
        ],
        "rules": [
            {"rule": e.rule, "field": e.field, "on": e.on, "off": e.off, "helped": e.helped, "hurt": e.hurt,
             "fold_deltas": e.fold_deltas, "kept": e.kept, "out_of_fold": e.out_of_fold, "verdict": e.verdict}
            for e in rule_effects(evaluation, folds, ours)
        ],
    }
