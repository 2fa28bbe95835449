"""`newsspider eval`: the metrics on hand-computed examples, case-file reading, and the command end to end."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from tests.support.paths import FIXTURES, run_cli
from newsspider.cli import main
from newsspider.evaluation import metrics as m
from newsspider.evaluation.cases import Expected, load_cases, select
from newsspider.evaluation.run import Extractor, Prediction, evaluate, format_table, score

EVAL = FIXTURES / "eval"
CASES = EVAL / "cases.jsonl"


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ---- title -------------------------------------------------------------------------------
def test_title_ignores_whitespace_but_not_case():
    assert m.title_match("US, Manila  launch\nwar games", " US, Manila launch war games ") == 1.0
    assert m.title_match("US, Manila launch war games", "US, Manila Launch war games") == 0.0
    assert m.title_match("A title", None) == 0.0


# ---- authors -------------------------------------------------------------------------------
def test_authors_f1_is_set_based_on_normalised_names():
    assert m.authors_f1(["André Schmidt"], ["  andré\n SCHMIDT "]) == 1.0
    assert m.authors_f1(["A", "B"], ["a", "a", "b"]) == 1.0  # repeated names count once
    # P = 1/1, R = 1/2 -> F1 = 2/3
    assert m.authors_f1(["Anna Berg", "Ben Cole"], ["Anna Berg"]) == pytest.approx(2 / 3)
    # P = 1/3, R = 1/1 -> F1 = 0.5
    assert m.authors_f1(["Anna Berg"], ["Anna Berg", "Redaktion", "dpa"]) == pytest.approx(0.5)


def test_authors_f1_empty_cases():
    assert m.authors_f1([], []) == 1.0
    assert m.authors_f1([], ["Redaktion"]) == 0.0
    assert m.authors_f1(["Anna Berg"], []) == 0.0
    assert m.authors_f1(["  "], []) == 1.0  # a blank name is no name


# ---- date -----------------------------------------------------------------------------------
@pytest.mark.parametrize("predicted, hit", [
    ("2024-10-16T00:00:00+08:00", 1.0),
    ("2024-10-15T16:00:00+00:00", 1.0),  # the same instant: 16 October on the expected clock
    ("2024-10-15T23:59:00+08:00", 0.0),
    ("2024-10-15T15:59:00Z", 0.0),
    ("2024-10-16", 1.0),  # a bare date is compared as it stands
    ("2024-10-15T20:00:00", 0.0),  # so is a naive time: it is not converted
    (None, 0.0),
    ("yesterday", 0.0),
])
def test_same_day_on_the_expected_clock(predicted, hit):
    assert m.same_day("2024-10-16 00:00:00+08:00", predicted) == hit


def test_same_day_with_a_naive_expected_value_takes_the_prediction_as_it_stands():
    assert m.same_day("2025-04-01 15:25:00", "2025-04-01T23:30:00-05:00") == 1.0
    assert m.same_day("2025-04-01 15:25:00", "2025-04-02T00:30:00+02:00") == 0.0


# ---- body ---------------------------------------------------------------------------------
def test_tokens_are_unicode_words_and_shingles_are_4_grams():
    assert m.tokens("Großbrand in Nußdorf-Debant, 2025!") == ["Großbrand", "in", "Nußdorf", "Debant", "2025"]
    assert m.shingles("a b c d e") == Counter({("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1})


def test_fewer_than_four_tokens_make_one_shingle_and_none_make_none():
    assert m.shingles("Hello, world!") == Counter({("Hello", "world"): 1})
    assert m.shingles("") == Counter()
    assert m.shingles(" ... ") == Counter()
    assert m.shingles(None) == Counter()


def test_repeated_shingles_are_counted():
    assert m.shingles("x x x x x x") == Counter({("x", "x", "x", "x"): 3})
    # true has 3 copies, pred 1: tp 1, fp 0, fn 2 -> scaled 1/3, 0, 2/3
    counts = m.body_counts("x x x x x x", "x x x x")
    assert (counts.tp, counts.fp, counts.fn) == pytest.approx((1 / 3, 0, 2 / 3))
    assert (counts.precision, counts.recall) == pytest.approx((1.0, 1 / 3))


def test_body_counts_hand_computed():
    # true {abcd, bcde}, pred {abcd, bcdf}: tp 1, fp 1, fn 1
    counts = m.body_counts("a b c d e", "a b c d f")
    assert (counts.tp, counts.fp, counts.fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx((0.5, 0.5, 0.5))
    # Punctuation and line breaks are not tokens; case is.
    assert m.body_counts("Hello, world!", "Hello\nworld").f1 == 1.0
    assert m.body_counts("Hello world", "hello world").f1 == 0.0


def test_body_empty_cases():
    both = m.body_counts("", "")
    assert both.empty and (both.precision, both.recall) == (1.0, 1.0)
    nothing_predicted = m.body_counts("one two three four five", None)
    assert (nothing_predicted.tp, nothing_predicted.fp, nothing_predicted.fn) == (0, 0, 1)
    assert (nothing_predicted.precision, nothing_predicted.recall) == (0.0, 0.0)
    nothing_expected = m.body_counts("", "some words")
    assert (nothing_expected.precision, nothing_expected.recall) == (0.0, 1.0)


def test_pooled_body_is_the_zyte_aggregate():
    perfect = m.body_counts("a b c d e", "a b c d e")
    half = m.body_counts("a b c d e", "a b c d f")  # 1/3 each
    empty = m.body_counts("a b c d e", "")  # fn 1
    pooled = m.pooled_body([perfect, half, empty])
    # TP = 1 + 1/3, FP = 1/3, FN = 1/3 + 1
    assert pooled.precision == pytest.approx((4 / 3) / (5 / 3))
    assert pooled.recall == pytest.approx((4 / 3) / (8 / 3))
    assert pooled.f1 == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    # An empty prediction lowers recall only; a page empty on both sides adds nothing.
    assert m.pooled_body([perfect, empty]).precision == 1.0
    assert m.pooled_body([perfect, m.body_counts("", "")]) == m.pooled_body([perfect])
    assert m.pooled_body([]) is None


def test_long_pages_weigh_no_more_than_short_ones():
    long_right = m.body_counts(" ".join(f"w{i}" for i in range(1000)), " ".join(f"w{i}" for i in range(1000)))
    short_wrong = m.body_counts("a b c d e", "p q r s t")  # tp 0, fp 2, fn 2 -> 0, 1/2, 1/2
    # TP = 1, FP = 1/2; unscaled counts would give 997 / 999.
    assert m.pooled_body([long_right, short_wrong]).precision == pytest.approx(2 / 3)


def test_mean_body_averages_per_page():
    perfect = m.body_counts("a b c d e", "a b c d e")
    empty = m.body_counts("a b c d e", "")
    mean = m.mean_body([perfect, empty])
    assert (mean.precision, mean.recall, mean.f1) == pytest.approx((0.5, 0.5, 0.5))


# ---- image credits ----------------------------------------------------------------------
@pytest.mark.parametrize("name, credit, match", [
    ("AP", "AP/Mandel Ngan", True),
    ("AP", "The Japan Times", False),  # word tokens, not characters
    ("Bild: SN/APA/KEYSTONE/CYRIL ZINGARO", "SN/APA/KEYSTONE/CYRIL ZINGARO", True),
    ("Adel Hana/Associated Press", "adel hana", True),
    ("Mandel Ngan", "APA/AFP", False),
    ("-", "-", False),
    ("Reuters", "", False),
])
def test_credits_match(name, credit, match):
    assert m.credits_match(name, credit) is match
    assert m.credits_match(credit, name) is match


def test_match_credits_counts_credited_images_one_credit_each():
    expected = [["Reuters"], ["Reuters"], [], ["-"], ["-", "AFP via Getty Images"]]
    predicted = [
        {"raw": "(Reuters)", "agency": "Reuters", "photographer": None, "caption": "Reuters AFP"},
        {"raw": None, "agency": "AFP", "photographer": None, "caption": None},
    ]
    # Credited: two Reuters images and the AFP one; one Reuters credit finds one image.
    assert m.match_credits(expected, predicted) == (2, 3)
    assert m.match_credits(expected, []) == (0, 3)
    assert m.match_credits([[], ["-"]], predicted) == (0, 0)


def test_match_credits_reads_the_photographer_and_ignores_captions():
    expected = [["Adel Hana/The Associated Press"], ["Bai Xueqi"]]
    predicted = [{"raw": "(Photo: Adel Hana)", "agency": None, "photographer": "Adel Hana", "caption": None},
                 {"raw": None, "agency": None, "photographer": None, "caption": "by Bai Xueqi"}]
    assert m.match_credits(expected, predicted) == (1, 2)


# ---- case files -------------------------------------------------------------------------
def write_cases(tmp_path, records):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_load_cases_mends_loose_values(tmp_path):
    page = EVAL / "fundus" / "at" / "ORF_2024_11_22.html.gz"
    base = {"url": "https://orf.at/stories/3376705/", "file": str(page), "publisher": "at/ORF",
            "crawl_date": "2024-11-22 09:47:48.512552"}
    path = write_cases(tmp_path, [
        {**base, "expected": {"title": "  T  ", "authors": "['André Schmidt', 'Jane Roe']",
                              "publishing_date": "2024-11-22 06:57:50.233000+00:00", "body_text": "B",
                              "images": "[{'authors': ['APA/AFP'], 'caption': None}, {'authors': None}]"}},
        {**base, "expected": {"title": "", "authors": None, "publishing_date": "not a date", "body_text": None}},
        {**base, "expected": {"authors": [], "images": [{"authors": "['IMAGO']"}, "dpa"]}},
        {**base, "expected": {"authors": "Jane Roe", "body_text": ["First.", "Second."]}},
        {**base, "crawl_date": None, "expected": None},
        "not json",
        {**base, "file": "missing.html.gz", "expected": {}},
        {"file": str(page), "expected": {}},
        "",
    ])
    cases, problems = load_cases(path)
    assert len(cases) == 5
    first = cases[0].expected
    assert first.title == "  T  " and first.body == "B"
    assert first.authors == ["André Schmidt", "Jane Roe"]
    assert first.published == datetime(2024, 11, 22, 6, 57, 50, 233000, tzinfo=timezone.utc)
    assert first.images == [["APA/AFP"], []]
    assert cases[0].crawl_date == datetime(2024, 11, 22, 9, 47, 48, 512552, tzinfo=timezone.utc)
    assert cases[0].now == cases[0].crawl_date + timedelta(days=1)
    assert cases[1].expected == Expected()  # blank, null and unreadable values are not scored
    assert cases[2].expected.authors == [] and cases[2].expected.images == [["IMAGO"], ["dpa"]]
    assert cases[3].expected.authors == ["Jane Roe"] and cases[3].expected.body == "First.\n\nSecond."
    assert cases[4].now is None and cases[4].expected == Expected()
    assert [p.split(":")[0] for p in problems] == ["line 6", "line 7", "line 8"]
    assert "no page at" in problems[1] and "no url" in problems[2]
    assert cases[0].read_html().lstrip().lower().startswith(b"<!doctype html")


def test_select_filters_by_publisher_then_limits():
    cases, _ = load_cases(CASES)
    assert [c.publisher for c in select(cases, publisher="orf")] == ["at/ORF"]
    assert len(select(cases, limit=2)) == 2
    assert select(cases, publisher="T", limit=1)[0].publisher == "at/ORF"  # "at/" contains t
    assert select(cases, publisher="nobody") == []


# ---- running --------------------------------------------------------------------------------
class Oracle(Extractor):
    """Predicts exactly what is expected: every score must be 1."""

    name = "oracle"
    extracts_credits = True

    def extract(self, html, case):
        e = case.expected
        credits = [{"raw": names[0], "agency": None, "photographer": None, "caption": None} for names in e.images or [] if names]
        return Prediction(e.title, e.authors or [], e.published.isoformat() if e.published else None, e.body, credits)


class Broken(Extractor):
    name = "broken"

    def extract(self, html, case):
        raise RuntimeError("boom")


def test_an_exact_extractor_scores_one_everywhere_and_a_broken_one_zero():
    cases, _ = load_cases(CASES)
    result = evaluate(cases, [Oracle(), Broken()])
    oracle, broken = result.summary("oracle"), result.summary("broken")
    for key in ("title", "authors", "date", "body", "image_credits"):
        assert oracle[key]["score"] == 1.0, key
    assert oracle["body"]["mean_per_page"]["f1"] == 1.0
    assert (oracle["title"]["n"], oracle["authors"]["n"], oracle["date"]["n"], oracle["body"]["n"]) == (3, 2, 3, 3)
    assert (oracle["image_credits"]["n"], oracle["image_credits"]["pages"]) == (3, 2)
    assert oracle["errors"] == 0 and broken["errors"] == 3
    assert broken["title"]["score"] == broken["date"]["score"] == broken["body"]["score"] == 0.0
    assert broken["image_credits"]["n"] == 0  # it does not claim to extract credits: not scored
    assert result.results[0].outcomes["broken"].error == "RuntimeError: boom"
    table = format_table(result)
    assert "speed ratio oracle/broken" in table and "3 credited images on 2 pages" in table


def test_score_leaves_out_fields_without_expected_values():
    expected = Expected(title="T", authors=None, images=[[], ["-"]])
    assert score(expected, None, extracts_credits=True) == {"title": 0.0}


# ---- the command -------------------------------------------------------------------------
def test_eval_prints_a_table_with_trafilatura_beside_ours():
    run = run_cli("eval", str(CASES), "--compare", "trafilatura")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"3 cases from {CASES}"
    assert lines[1].split() == ["field", "n", "newsspider", "trafilatura", "-/+", "vs", "trafilatura"]
    rows = {line[:24].strip(): line[24:].split() for line in lines[2:12]}
    assert rows["title (exact)"][0] == "3" and rows["authors F1"][0] == "2" and rows["date (same day)"][0] == "3"
    assert rows["body F1 (Zyte, pooled)"][0] == "3"
    assert rows["image-credit recall"][:2] == ["3", "img"] and rows["image-credit recall"][-1] == "—"
    assert float(rows["pages/s"][1]) > 0 and float(rows["pages/s"][2]) > 0
    assert "speed ratio newsspider/trafilatura:" in run.stdout
    # The ratio on CPU seconds beside the wall-clock one: a shared machine's other jobs disturb it less.
    ratio = next(line for line in lines if line.startswith("speed ratio newsspider/trafilatura:"))
    assert re.fullmatch(r"speed ratio newsspider/trafilatura: \d+\.\d\dx \(CPU time: \d+\.\d\dx\)", ratio), ratio


def test_eval_json_and_per_case(tmp_path):
    per_case = tmp_path / "scores.jsonl"
    result = invoke("eval", str(CASES), "--json", "--per-case", str(per_case))
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["cases"] == 3 and report["problems"] == [] and list(report["extractors"]) == ["newsspider"]
    ours = report["extractors"]["newsspider"]
    assert ours["pages"] == 3 and ours["errors"] == 0 and ours["pages_per_second"] > 0
    assert ours["cpu_seconds"] > 0 and ours["cpu_pages_per_second"] > 0
    assert (ours["title"]["n"], ours["authors"]["n"], ours["date"]["n"], ours["body"]["n"]) == (3, 2, 3, 3)
    assert (ours["image_credits"]["n"], ours["image_credits"]["pages"]) == (3, 2)
    for key in ("title", "authors", "date", "body", "image_credits"):
        assert 0.0 <= ours[key]["score"] <= 1.0
    assert "speed_ratio" not in report
    lines = [json.loads(line) for line in per_case.read_text(encoding="utf-8").splitlines()]
    assert [line["publisher"] for line in lines] == ["at/ORF", "it/Tageszeitung", "tw/TaipeiTimes"]
    tageszeitung = lines[1]["newsspider"]
    assert "authors" not in tageszeitung["scores"] and "image_credits_expected" not in tageszeitung["scores"]
    assert {"title", "date", "body_precision", "body_recall", "body_f1"} <= set(tageszeitung["scores"])
    assert lines[0]["newsspider"]["scores"]["image_credits_expected"] == 2
    assert lines[2]["expected"]["date"] == "2024-10-16T00:00:00+08:00"
    assert lines[0]["newsspider"]["error"] is None and lines[0]["newsspider"]["predicted"]["title"]


def test_eval_filters():
    report = json.loads(invoke("eval", str(CASES), "--json", "--publisher", "tw/").output)
    assert report["cases"] == 1
    report = json.loads(invoke("eval", str(CASES), "--json", "--limit", "2").output)
    assert report["cases"] == 2
    result = CliRunner().invoke(main, ["eval", str(CASES), "--publisher", "nobody"])
    assert result.exit_code == 1 and "no cases" in result.output


def test_eval_reports_skipped_lines(tmp_path):
    lines = CASES.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "cases.jsonl"
    page = "fundus/at/ORF_2024_11_22"
    bad.write_text("\n".join([lines[0].replace(page, str(EVAL / page)), "{oops"]) + "\n", encoding="utf-8")
    result = invoke("eval", str(bad))
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"1 cases from {bad}"
    assert "skipped: line 2: not JSON" in result.output


def test_eval_help_has_examples_and_defines_the_empty_cases():
    output = invoke("eval", "--help").output
    assert "Examples:" in output
    assert "both lists empty = 1.0" in output and "expected empty but some" in output


# ---- per page against the baselines, worst pages, folds ---------------------------------------
from newsspider.evaluation import compare  # noqa: E402


class Fixed(Extractor):
    """Predicts from a table of (title, body) per URL, to build known page-by-page differences."""

    def __init__(self, name, answers, fields=("title", "authors", "date", "body")):
        self.name, self.answers, self.fields = name, answers, fields

    def extract(self, html, case):
        title, body = self.answers.get(case.url, (None, None))
        return Prediction(title=title, body=body)


def _two(cases):
    truth = {c.url: (c.expected.title, c.expected.body) for c in cases}
    a, b, c = (x.url for x in cases)
    ours = Fixed("newsspider", {a: truth[a], b: ("wrong", truth[b][1]), c: (truth[c][0], truth[c][1][: len(truth[c][1]) // 2])})
    base = Fixed("base", {a: ("wrong", truth[a][1][:40]), b: truth[b], c: truth[c]})
    return evaluate(cases, [ours, base])


def test_versus_counts_pages_worse_and_better_beyond_the_margin():
    cases, _ = load_cases(CASES)
    result = _two(cases)
    title = compare.versus(result.results, "newsspider", "base", "title")
    assert [r.case.url for r in title.worse] == [cases[1].url] and [r.case.url for r in title.better] == [cases[0].url]
    body = compare.versus(result.results, "newsspider", "base", "body")
    assert [r.case.url for r in body.worse] == [cases[2].url] and [r.case.url for r in body.better] == [cases[0].url]
    # A margin larger than any difference: nothing is worse or better.
    assert compare.versus(result.results, "newsspider", "base", "body", margin=1.0).cell == "0/0"
    table = format_table(result)
    assert "-/+ vs base" in table.splitlines()[1]
    assert table.splitlines()[2].split()[-1] == "1/1"  # title row


def test_worst_lists_the_biggest_losses_with_both_values():
    cases, _ = load_cases(CASES)
    result = _two(cases)
    rows = compare.worst(result, "body", 5, other="base")
    assert [r[0].case.url for r in rows] == [cases[2].url]  # only pages where we lose
    assert rows[0][1] < rows[0][2] == 1.0
    text = compare.format_worst(result, 5)
    assert "worst title against base" in text and cases[1].url in text


def test_baselines_are_compared_only_on_the_fields_they_extract():
    cases, _ = load_cases(CASES)
    dates_only = Fixed("dates", {}, fields=("date",))
    result = evaluate(cases, [Fixed("newsspider", {}), dates_only])
    assert set(compare.versus_all(result)["dates"]) == {"date"}
    assert "title" not in result.results[0].outcomes["dates"].scores


def test_folds_are_by_publisher_and_stable():
    assert compare.fold_of("de/Spiegel", 5) == compare.fold_of("de/Spiegel", 5)
    assert {compare.fold_of(f"p{i}", 5) for i in range(100)} == set(range(5))
    cases, _ = load_cases(CASES)
    result = _two(cases)
    folds = compare.split(result.results, 3)
    assert sum(len(f) for f in folds) == 3
    for fold in folds:
        assert all(compare.fold_of(r.case.publisher, 3) == compare.fold_of(fold[0].case.publisher, 3) for r in fold)


def test_a_rule_is_kept_out_of_fold_only_when_the_other_folds_want_it():
    # Rule helps on fold 0's pages only: judged on the other folds it is never kept for fold 0.
    effect = compare.RuleEffect("r", "body", on=0.9, off=0.8, helped=3, hurt=0, fold_deltas=[0.1, 0.0, 0.0],
                                kept=[False, True, True], out_of_fold=0.8)
    assert effect.verdict == "one fold only: unconfirmed"
    effect = compare.RuleEffect("r", "body", 0.9, 0.8, 9, 1, [0.1, 0.05, 0.02], [True, True, True], 0.9)
    assert effect.verdict == "generalises"
    effect = compare.RuleEffect("r", "body", 0.9, 0.8, 3, 3, [0.1, -0.05, 0.02], [True, False, True], 0.85)
    assert effect.verdict.startswith("mixed")


def test_eval_compare_htmldate_worst_and_folds_end_to_end():
    run = run_cli("eval", str(CASES), "--compare", "trafilatura,htmldate", "--worst", "2", "--folds", "2")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "-/+ vs htmldate" in out and "speed ratio newsspider/htmldate" in out
    assert "2 folds by publisher" in out and "body.lead" in out and "out-of-fold" in out
    report = json.loads(invoke("eval", str(CASES), "--compare", "htmldate", "--folds", "2", "--no-rules", "--json").output)
    assert set(report["worse_better"]["htmldate"]) == {"date"}
    assert len(report["folds"]["folds"]) == 2 and report["folds"]["rules"] == []
    bad = CliRunner().invoke(main, ["eval", str(CASES), "--compare", "newspaper"])
    assert bad.exit_code == 2 and "unknown baseline" in bad.output


def test_an_image_labelled_twice_is_one_image(tmp_path):
    page = EVAL / "fundus" / "at" / "ORF_2024_11_22.html.gz"
    images = [{"authors": ["dpa"], "caption": "Der Hafen"}, {"authors": ["dpa"], "caption": "Der Hafen"},
              {"authors": ["dpa"], "caption": "Die Brücke"}, {"authors": ["dpa"], "caption": None}, {"authors": ["dpa"], "caption": None}]
    path = write_cases(tmp_path, [{"url": "https://orf.at/stories/3376705/", "file": str(page), "publisher": "at/ORF",
                                   "expected": {"images": images}}])
    cases, _ = load_cases(path)
    # The same credit under another caption is another image; the same credit and caption, the same one.
    assert cases[0].expected.images == [["dpa"], ["dpa"], ["dpa"]]


def test_eval_measures_the_generic_extractor_not_the_site_packages():
    # newsspider/sites/bild reads this page's headline from its <h1>; eval must not (docs/EVALUATION.md).
    from newsspider.evaluation.run import NewsspiderExtractor
    from newsspider.parsing import parse

    cases, _ = load_cases(EVAL / "fundus" / "cases.jsonl")
    case = next(c for c in cases if c.publisher == "de/Bild")
    html = case.read_html()
    site, generic = parse(html, case.url, now=case.now), NewsspiderExtractor().extract(html, case)
    assert site.site == "bild" and site.headline == case.expected.title
    assert generic.title != site.headline and generic.title.startswith(case.expected.title)
