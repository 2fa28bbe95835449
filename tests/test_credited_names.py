"""Defects a user saw on the shared pages (issue 11), each tested as its class: agencies and desk
codes among authors, the same credit stored several times, caption prose as a photographer,
sections in mixed case."""

from __future__ import annotations

import json

import pytest

from newsspider.archive import Archive
from newsspider.archive.export import iter_articles
from newsspider.items import JSON_COLUMNS
from newsspider.parsers import rules
from newsspider.parsing import parse
from newsspider.parsers.authors import credited, is_agency, is_desk_code
from newsspider.parsers.credits import reads_as_caption
from newsspider.parsers.figures import merge
from newsspider.parsers.text import section_name
from tests.support.factories import make_crawled


# ---- agencies apart, desk codes dropped ---------------------------------------------------------
@pytest.mark.parametrize("name", ["SDA", "Deutsche Presse-Agentur", "dpa", "AFP Deutschland", "dpa/lno", "Agence France-Presse",
                                  "Associated Press", "Schweizerische Depeschenagentur", "Reuters", "Evangelischer Pressedienst"])
def test_agencies_are_told_from_people(name):
    assert is_agency(name)
    assert credited(["Jane Doe", name]) == (["Jane Doe"], [name])


@pytest.mark.parametrize("name", ["Jane Doe", "Ap Dhillon", "Philipp von Ditfurth", "kicker", "Anna-Lena Meier"])
def test_people_and_publishers_are_not_agencies_or_desk_codes(name):
    assert not is_agency(name) and not is_desk_code(name)
    assert credited([name]) == ([name], [])


@pytest.mark.parametrize("code", ["kesm", "srf/hosb", "ssi", "dan", "ab / cd"])
def test_desk_codes_are_dropped(code):
    assert is_desk_code(code)
    assert credited([code, "Jane Doe"]) == (["Jane Doe"], [])
    with rules.disabled("authors.drop_desk_codes"):
        assert credited([code]) == ([code], [])


def test_repeated_names_are_kept_once():
    assert credited(["Jane Doe", "jane doe", "dpa", "DPA"]) == (["Jane Doe"], ["dpa"])


def _page(authors, section="bayern") -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ein Titel", "datePublished": "2025-01-02T10:00:00+01:00",
          "articleSection": section, "author": [{"@type": "Person", "name": a} for a in authors]}
    return (f"<html lang='de'><head><script type='application/ld+json'>{json.dumps(ld)}</script></head>"
            "<body><article><h1>Ein Titel</h1>" + "<p>Ein Satz mit genug Wörtern, um Text zu sein, und noch mehr davon.</p>" * 5
            + "</article></body></html>")


def test_parse_puts_agencies_in_their_list():
    article = parse(_page(["Anna Meier", "Deutsche Presse-Agentur", "kesm"]), "https://news.example/a/1")
    assert article.authors == ["Anna Meier"]
    assert article.agencies == ["Deutsche Presse-Agentur"]


def test_agencies_are_stored_loaded_and_exported(tmp_path):
    assert "agencies" in JSON_COLUMNS
    item = make_crawled()
    item.article.agencies = ["SDA", "Keystone"]
    with Archive(tmp_path / "a.db") as archive:
        archive.write([item])
        assert archive.find_article(item.article.canonical_url).agencies == ["SDA", "Keystone"]
        row = next(archive.db.query("select agencies from articles"))
        assert json.loads(row["agencies"]) == ["SDA", "Keystone"]
        assert next(iter_articles(archive.db))["agencies"] == ["SDA", "Keystone"]


# ---- sections in one case ------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [("bayern", "Bayern"), ("Politik", "Politik"), ("POLITIK", "Politik"), ("USA", "USA"),
                                           ("VieSociale", "VieSociale"), ("économie", "Économie"), ("", None), (None, None)])
def test_section_case(raw, expected):
    assert section_name(raw) == expected


def test_parse_normalises_section_case():
    assert parse(_page(["Anna Meier"], section="bayern"), "https://news.example/a/1").section == "Bayern"


# ---- credits: once each, photographers that are names ------------------------------------------
def _credit(raw, photographer=None, caption=None):
    return {"raw": raw, "agency": None, "photographer": photographer, "caption": caption}


def test_the_same_credit_and_caption_is_stored_once():
    same = _credit("Foto: Jane Doe", "Jane Doe", "Der Hafen")
    other_image = _credit("Foto: Jane Doe", "Jane Doe", "Die Brücke")
    assert merge([same, dict(same), other_image, dict(same)]) == [same, other_image]
    with rules.disabled("credits.drop_repeats"):
        assert len(merge([same, dict(same)])) == 2


@pytest.mark.parametrize("text", ["Die Demonstranten ziehen durch die Stadt", "Das Bild zeigt. Den Mann am Hafen",
                                  "Ein Mann steht vor dem zerstörten Haus in der Altstadt", "courtesy of the artist"])
def test_caption_prose_is_not_a_photographer(text):
    assert reads_as_caption(text)
    credit = merge([_credit(f"Foto: {text}", text)])[0]
    assert credit["photographer"] is None and credit["caption"] == text


@pytest.mark.parametrize("name", ["Bai Xueqi", "Heinz-Sielmann-Stiftung", "privat", "Philipp von Ditfurth", "picture alliance / dpa",
                                  "Getty Images for Netflix", "松岡大地", "Jean de la Fontaine"])
def test_names_stay_photographers(name):
    assert not reads_as_caption(name)
    assert merge([_credit(f"Foto: {name}", name)])[0]["photographer"] == name


# ---- a body does not start with a photo's caption -------------------------------------------------
def _captioned_page(description: str) -> str:
    caption = "Feuerwehrleute auf einer Drehleiter versuchen, das Feuer in der Altstadt zu bekämpfen."
    paragraphs = "".join(f"<p>Absatz {i}: Die Feuerwehr war mit vielen Kräften im Einsatz, und die Anwohner wurden gewarnt.</p>" for i in range(6))
    return (f"<html lang='de'><head><title>Brand</title><meta property='og:description' content='{description}'></head><body><article>"
            f"<h1>Brand in der Altstadt</h1><p class='teaser'>{description}</p><figure><img src='a.jpg'><figcaption>{caption}"
            f" Foto: Jane Doe</figcaption></figure>{paragraphs}</article></body></html>")


def test_a_description_that_is_a_caption_is_not_the_lead():
    caption = "Feuerwehrleute auf einer Drehleiter versuchen, das Feuer in der Altstadt zu bekämpfen."
    body = parse(_captioned_page(caption), "https://news.example/a/2").body
    assert not body.startswith("Feuerwehrleute") and body.startswith("Absatz 0")
    with rules.disabled("body.lead_not_caption"):
        assert parse(_captioned_page(caption), "https://news.example/a/2").body.startswith("Feuerwehrleute")


def test_a_description_that_is_no_caption_is_still_the_lead():
    lead = "Ein Großbrand hält die Feuerwehr seit dem frühen Morgen in Atem, die Anwohner sollen Fenster schließen."
    assert parse(_captioned_page(lead), "https://news.example/a/2").body.startswith("Ein Großbrand")
