"""Near-duplicates: the threshold on realistic pairs, and the links the archive makes."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import FIXTURES
from newsspider.archive import minhash
from newsspider.archive import Archive
from tests.test_pipelines import CASES, Chain, item

PAIRS = json.loads((FIXTURES / "near_duplicates" / "pairs.json").read_text(encoding="utf-8"))["pairs"]


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_threshold_separates_reprints_from_other_stories_on_the_topic(pair):
    score = minhash.similarity(pair["a"], pair["b"])
    if pair["match"]:
        # Well clear of the threshold, so an extra edit or two does not flip the verdict.
        assert score >= minhash.THRESHOLD + 0.1, score
    else:
        assert score < minhash.THRESHOLD / 5, score


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_lsh_bands_find_the_reprints(pair):
    shared = set(minhash.body_band_keys(pair["a"])) & set(minhash.body_band_keys(pair["b"]))
    if pair["match"]:
        assert shared  # a candidate: compared exactly
    else:
        assert not shared  # never even compared


def test_shingles_ignore_case_and_unicode_forms():
    assert minhash.similarity("Le PDG d'Alibaba, Jack Ma, a indiqué vendredi", "le pdg d\u2019alibaba jack ma a indique\u0301 vendredi") > 0.3
    assert minhash.shingles("Un deux trois") == {"un deux trois"}  # shorter than a shingle: one shingle
    assert minhash.shingles("") == set() and minhash.signature(set()) == []


def _with_body(case_id, url, body):
    it = item(case_id, url=url)
    it.article.body = body
    return it


def test_a_reprint_under_another_url_is_linked_to_the_first_copy(tmp_path):
    seed_pair = next(p for p in PAIRS if p["name"] == "seed-reprint")
    other = next(p for p in PAIRS if p["name"] == "alibaba-other-story")
    reprint_url = "http://french.peopledaily.com.cn/International/n3/2016/0620/c31356-9999001.html"
    second_reprint_url = "http://french.peopledaily.com.cn/Chine/n3/2016/0621/c31354-9999002.html"
    other_url = "http://french.peopledaily.com.cn/Economie/n3/2016/0622/c31355-9999003.html"
    copy_url = "http://french.peopledaily.com.cn/Economie/n3/2016/0623/c31355-9999004.html"
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(
            item("9074390"),
            item("9073012"),
            _with_body("9074390", reprint_url, seed_pair["b"]),
            _with_body("9074390", other_url, other["b"]),
            item("9074390", url=copy_url),  # byte-identical body: an exact copy, not a near one
        )
    # A later run, from the archive alone: a copy of the copy still points at the first copy.
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(_with_body("9074390", second_reprint_url, seed_pair["b"] + "\n\nUn paragraphe de plus sur le forum."))
    with Archive(tmp_path / "a.db") as archive:
        ids = {r["canonical_url"]: r["id"] for r in archive.db["articles"].rows}
        links = {r["article_id"]: r for r in archive.db["near_duplicates"].rows}
        same_body = archive.db.execute("select article_id from article_urls where url = ? and reason = 'same_body'", [copy_url]).fetchone()
    seed = ids[CASES["9074390"]["expected"]["canonical_url"]]
    assert copy_url not in ids and same_body == (seed,)
    assert set(links) == {ids[reprint_url], ids[second_reprint_url]}
    first = links[ids[reprint_url]]
    assert (first["first_id"], first["matched_id"]) == (seed, seed)
    assert first["similarity"] == pytest.approx(minhash.similarity(CASES["9074390"]["expected"]["body"], seed_pair["b"]), abs=1e-4)
    second = links[ids[second_reprint_url]]
    assert second["first_id"] == seed and second["matched_id"] in (seed, ids[reprint_url])
    assert second["similarity"] >= minhash.THRESHOLD


def test_short_bodies_are_never_linked(tmp_path):
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(_with_body("9074390", None, "Vidéo : la fête de la Mi-Automne à Beijing, en images."),
                   _with_body("9073012", None, "Vidéo : la fête de la Mi-Automne à Shanghai, en images."))
    with Archive(tmp_path / "a.db") as archive:
        assert archive.db["near_duplicates"].count == 0 and archive.db["minhash_bands"].count == 0
