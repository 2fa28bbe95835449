"""Running extractors over evaluation cases, and reporting their scores side by side."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from ..parsers import GenericParser, rules
from ..parsing import parse
from ..parsers.normalize import normalize
from ..timestamps import to_utc
from .cases import Case, Expected
from .metrics import BodyCounts, authors_f1, body_counts, match_credits, mean_body, pooled_body, same_day, title_match


@dataclass
class Prediction:
    """What an extractor found, in the terms the metrics compare."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    body: str | None = None
    image_credits: list[dict] = field(default_factory=list)


class Extractor:
    name = ""
    extracts_credits = False
    # The fields the extractor claims to extract: it is compared with others only on these.
    fields: tuple[str, ...] = ("title", "authors", "date", "body")

    def setup(self) -> None:
        """Imports and warm-up that should not count as parsing time."""

    def extract(self, html: bytes, case: Case) -> Prediction | None:
        raise NotImplementedError


class NewsspiderExtractor(Extractor):
    name = "newsspider"
    extracts_credits = True
    fields = ("title", "authors", "date", "body", "image_credits")

    def __init__(self, disabled: Sequence[str] = ()):
        """`disabled`: rules of newsspider.parsers.rules switched off (to measure what each does)."""
        self.disabled = tuple(disabled)
        if self.disabled:
            self.name = "newsspider-without-" + "+".join(self.disabled)

    def setup(self) -> None:
        # The parser imports these on the first page that needs them: imported here, so the
        # first case's time is parsing, not loading libraries.
        import dateparser  # noqa: F401
        import htmldate  # noqa: F401
        import trafilatura  # noqa: F401

    def extract(self, html: bytes, case: Case) -> Prediction:
        with rules.disabled(*self.disabled):
            # The generic extractor is what eval measures: a site package for one of the
            # publishers would lift the figures without the generic parser getting better.
            article = parse(html, case.url, now=case.now, parser=GenericParser)
        # Cleaned and judged as the crawl does: an error page served as a page gives no article.
        if normalize(article, (case.now or datetime.now(timezone.utc)).isoformat(), html=html, required=()).soft_error is not None:
            return Prediction(None, [], None, None, [])
        # Fundus labels an agency as an author: one kept apart in `agencies` is found, not lost.
        return Prediction(article.headline, [*(article.authors or []), *(article.agencies or [])], article.published_at, article.body,
                          list(article.image_credits or []))


class TrafilaturaExtractor(Extractor):
    """trafilatura's own extraction with metadata. Comments are left out (they are not the
    article's body), and its date search is bounded by the same `now` as ours."""

    name = "trafilatura"

    def setup(self) -> None:
        # Imported only when asked for: a plain `eval` should not pay for it.
        import trafilatura
        from trafilatura.settings import set_date_params

        self._extract = trafilatura.bare_extraction
        self._date_params = set_date_params

    def extract(self, html: bytes, case: Case) -> Prediction | None:
        params = self._date_params(True)  # trafilatura's default (EXTENSIVE_DATE_SEARCH = on)
        if case.now:
            params["max_date"] = case.now.strftime("%Y-%m-%d")
        doc = self._extract(html, url=case.url, with_metadata=True, include_comments=False,
                            date_extraction_params=params)
        if doc is None:
            return None
        get = doc.get if isinstance(doc, dict) else (lambda key: getattr(doc, key, None))
        # trafilatura joins several authors with "; ".
        authors = [a.strip() for a in (get("author") or "").split(";") if a.strip()]
        return Prediction(get("title"), authors, get("date"), get("text"))


class HtmldateExtractor(Extractor):
    """htmldate alone, as its own evaluation runs it for the publication date: original date,
    extensive search, bounded by the same `now` as ours."""

    name = "htmldate"
    fields = ("date",)

    def setup(self) -> None:
        from htmldate import find_date

        self._find = find_date

    def extract(self, html: bytes, case: Case) -> Prediction:
        max_date = case.now.strftime("%Y-%m-%d") if case.now else None
        value = self._find(html, url=case.url, original_date=True, extensive_search=True, max_date=max_date)
        return Prediction(published=value or None)


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "newsspider": NewsspiderExtractor,
    "trafilatura": TrafilaturaExtractor,
    "htmldate": HtmldateExtractor,
}
BASELINES = tuple(n for n in EXTRACTORS if n != "newsspider")


@dataclass
class Outcome:
    """One extractor on one case: its prediction (None on failure) and its scores."""

    prediction: Prediction | None
    seconds: float
    error: str | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    # CPU seconds of this process (time.process_time): what other jobs on a shared machine disturb less than `seconds`.
    cpu_seconds: float = 0.0


def score(expected: Expected, prediction: Prediction | None, *, extracts_credits: bool,
          fields: Sequence[str] = ("title", "authors", "date", "body")) -> dict[str, Any]:
    """The case's scores per field; a field the case has no expected value for, or the
    extractor does not claim (`fields`), is absent. A failed extraction is scored as an
    empty prediction."""
    pred = prediction or Prediction()
    out: dict[str, Any] = {}
    if expected.title is not None and "title" in fields:
        out["title"] = title_match(expected.title, pred.title)
    if expected.authors is not None and "authors" in fields:
        out["authors"] = authors_f1(expected.authors, pred.authors)
    if expected.published is not None and "date" in fields:
        out["date"] = same_day(expected.published, pred.published)
    if expected.body is not None and "body" in fields:
        out["body"] = body_counts(expected.body, pred.body)
    if expected.images is not None and extracts_credits:
        found, credited = match_credits(expected.images, pred.image_credits)
        if credited:
            out["image_credits"] = (found, credited)
    return out


@dataclass
class CaseResult:
    case: Case
    outcomes: dict[str, Outcome]


@dataclass
class Evaluation:
    extractors: list[str]
    results: list[CaseResult]
    problems: list[str] = field(default_factory=list)
    source: str = ""
    # Per extractor, the fields it claims (see Extractor.fields).
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def summary(self, name: str, results: Sequence[CaseResult] | None = None) -> dict[str, Any]:
        """The scores of one extractor over all cases, or over `results` (a fold, say)."""
        outcomes = [r.outcomes[name] for r in (self.results if results is None else results)]
        seconds = sum(o.seconds for o in outcomes)
        cpu_seconds = sum(o.cpu_seconds for o in outcomes)

        def mean_of(key: str) -> dict[str, Any]:
            values = [o.scores[key] for o in outcomes if key in o.scores]
            return {"score": sum(values) / len(values) if values else None, "n": len(values)}

        bodies: list[BodyCounts] = [o.scores["body"] for o in outcomes if "body" in o.scores]
        pooled, mean = pooled_body(bodies), mean_body(bodies)
        credits = [o.scores["image_credits"] for o in outcomes if "image_credits" in o.scores]
        found, credited = sum(c[0] for c in credits), sum(c[1] for c in credits)
        return {
            "title": mean_of("title"),
            "authors": mean_of("authors"),
            "date": mean_of("date"),
            "body": {
                "score": pooled.f1 if pooled else None,
                "precision": pooled.precision if pooled else None,
                "recall": pooled.recall if pooled else None,
                "mean_per_page": {"f1": mean.f1, "precision": mean.precision, "recall": mean.recall} if mean else None,
                "n": len(bodies),
            },
            "image_credits": {
                "score": found / credited if credited else None,
                "n": credited,
                "pages": len(credits),
            },
            "pages": len(outcomes),
            "parse_seconds": seconds,
            "pages_per_second": len(outcomes) / seconds if seconds else None,
            "cpu_seconds": cpu_seconds,
            "cpu_pages_per_second": len(outcomes) / cpu_seconds if cpu_seconds else None,
            "errors": sum(1 for o in outcomes if o.error),
        }

    def to_dict(self) -> dict[str, Any]:
        from .compare import versus_all

        summaries = {name: self.summary(name) for name in self.extractors}
        out: dict[str, Any] = {"source": self.source, "cases": len(self.results), "problems": self.problems,
                               "extractors": summaries}
        if len(self.extractors) > 1:
            out["speed_ratio"] = speed_ratio(summaries, self.extractors)
            out["cpu_speed_ratio"] = speed_ratio(summaries, self.extractors, cpu=True)
        if self.extractors[0] == "newsspider" and len(self.extractors) > 1:
            out["worse_better"] = {other: {f: {"worse": len(v.worse), "better": len(v.better), "n": v.n} for f, v in by.items()}
                                   for other, by in versus_all(self).items()}
        return out


def speed_ratio(summaries: dict[str, dict], names: Sequence[str], *, cpu: bool = False) -> float | None:
    """Pages per second of the first extractor over the second's (`cpu`: per CPU second of the process)."""
    key = "cpu_pages_per_second" if cpu else "pages_per_second"
    first, second = (summaries[n][key] for n in names[:2])
    return first / second if first and second else None


def evaluate(cases: Iterable[Case], extractors: Sequence[Extractor], *, source: str = "",
             problems: list[str] | None = None) -> Evaluation:
    for extractor in extractors:
        extractor.setup()
    evaluation = Evaluation([e.name for e in extractors], [], list(problems or []), source,
                            {e.name: tuple(e.fields) for e in extractors})
    for case in cases:
        try:
            html = case.read_html()
        except (OSError, EOFError, ValueError) as exc:  # a corrupt .gz is a bad case, not a bad parser
            evaluation.problems.append(f"line {case.line}: cannot read {case.path}: {exc}")
            continue
        outcomes = {}
        for extractor in extractors:
            error = None
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                prediction = extractor.extract(html, case)
            except Exception as exc:  # one bad page never stops an evaluation; it is counted
                prediction, error = None, f"{type(exc).__name__}: {exc}"
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
            if prediction is None and error is None:
                error = "no result"
            outcome = Outcome(prediction, seconds, error, cpu_seconds=cpu_seconds)
            outcome.scores = score(case.expected, prediction, extracts_credits=extractor.extracts_credits,
                                   fields=extractor.fields)
            outcomes[extractor.name] = outcome
        evaluation.results.append(CaseResult(case, outcomes))
    return evaluation


# ---- reporting ------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def format_table(evaluation: Evaluation) -> str:
    """The averages per extractor; beside them, per baseline, the pages on which newsspider is
    worse/better than it by more than compare.MARGINS (one cell "worse/better")."""
    from .compare import LABELS, versus_all

    names = [n for n in evaluation.extractors if "-without-" not in n]
    s = {name: evaluation.summary(name) for name in names}
    first = s[names[0]]
    fields_of = {n: evaluation.fields.get(n, ("title", "authors", "date", "body", "image_credits")) for n in names}

    def cell(name: str, field: str, value: float | None) -> str:
        return _fmt(value) if field in fields_of[name] or field == "image_credits" else "—"

    pages = versus_all(evaluation) if names[0] == "newsspider" and len(names) > 1 else {}
    vs = lambda field: [pages[o][field].cell if field in pages[o] else "" for o in pages]  # noqa: E731
    blank = ["" for _ in pages]
    rows: list[tuple[str, str, list[str]]] = [
        (LABELS["title"], str(first["title"]["n"]), [cell(n, "title", s[n]["title"]["score"]) for n in names] + vs("title")),
        (LABELS["authors"], str(first["authors"]["n"]), [cell(n, "authors", s[n]["authors"]["score"]) for n in names] + vs("authors")),
        (LABELS["date"], str(first["date"]["n"]), [cell(n, "date", s[n]["date"]["score"]) for n in names] + vs("date")),
        (LABELS["body"], str(first["body"]["n"]), [cell(n, "body", s[n]["body"]["score"]) for n in names] + vs("body")),
        ("  body precision", "", [cell(n, "body", s[n]["body"]["precision"]) for n in names] + blank),
        ("  body recall", "", [cell(n, "body", s[n]["body"]["recall"]) for n in names] + blank),
        ("body F1 (mean per page)", str(first["body"]["n"]),
         [cell(n, "body", (s[n]["body"]["mean_per_page"] or {}).get("f1")) for n in names] + blank),
        (LABELS["image_credits"], f"{first['image_credits']['n']} img",
         [_fmt(s[n]["image_credits"]["score"]) if s[n]["image_credits"]["n"] else "—" for n in names] + blank),
        ("pages/s", str(first["pages"]), [_fmt(s[n]["pages_per_second"], 1) for n in names] + blank),
        ("parse errors", str(first["pages"]), [str(s[n]["errors"]) for n in names] + blank),
    ]
    head = ["field", "n", *names, *(f"-/+ vs {o}" for o in pages)]
    widths = [max(len(head[0]), *(len(r[0]) for r in rows)), max(len(head[1]), *(len(r[1]) for r in rows))]
    widths += [max(len(h), 8) for h in head[2:]]
    lines = [f"{len(evaluation.results)} cases from {evaluation.source}" if evaluation.source else f"{len(evaluation.results)} cases"]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(head)))
    for label, n, values in rows:
        cells = [label.ljust(widths[0]), n.rjust(widths[1])] + [v.rjust(widths[i + 2]) for i, v in enumerate(values)]
        lines.append("  ".join(cells).rstrip())
    credits = first["image_credits"]
    lines.append(f"image credits: {credits['n']} credited images on {credits['pages']} pages")
    if pages:
        from .compare import MARGINS

        lines.append("-/+ vs X: pages on which newsspider is worse/better than X by more than "
                     f"{MARGINS['body']} F1 (body), {MARGINS['authors']} (authors), any difference (title, date)")
    if len(names) > 1:
        for other in names[1:]:
            ratio, cpu = speed_ratio(s, [names[0], other]), speed_ratio(s, [names[0], other], cpu=True)
            lines.append(f"speed ratio {names[0]}/{other}: {_fmt(ratio, 2)}x (CPU time: {_fmt(cpu, 2)}x)")
    for problem in evaluation.problems:
        lines.append(f"skipped: {problem}")
    return "\n".join(lines)


def write_per_case(evaluation: Evaluation, out: IO[str]) -> None:
    """One JSON line per case: its expected short fields and each extractor's prediction and scores."""
    for result in evaluation.results:
        case, expected = result.case, result.case.expected
        record: dict[str, Any] = {
            "line": case.line,
            "publisher": case.publisher,
            "url": case.url,
            "file": str(case.path),
            "expected": {
                "title": expected.title,
                "authors": expected.authors,
                "date": expected.published.isoformat() if expected.published else None,
            },
        }
        for name, outcome in result.outcomes.items():
            pred = outcome.prediction
            scores: dict[str, Any] = {}
            for key, value in outcome.scores.items():
                if key == "body":
                    scores.update(body_precision=value.precision, body_recall=value.recall, body_f1=value.f1)
                elif key == "image_credits":
                    scores.update(image_credits_found=value[0], image_credits_expected=value[1])
                else:
                    scores[key] = value
            record[name] = {
                "scores": scores,
                "predicted": {"title": pred.title, "authors": pred.authors, "date": pred.published,
                              **dict(zip(("date_utc", "date_offset_stated"), to_utc(pred.published)))} if pred else None,
                "seconds": round(outcome.seconds, 6),
                "cpu_seconds": round(outcome.cpu_seconds, 6),
                "error": outcome.error,
            }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
