from __future__ import annotations

import pytest

from newsspider.parsers.credits import parse_credit, split_caption

# raw credit -> (agency, photographer)
CREDIT_FORMS = [
    ("(Xinhua/Bai Xueqi)", "Xinhua", "Bai Xueqi"),
    ("(Xinhua / Bai Xueqi)", "Xinhua", "Bai Xueqi"),
    ("(Xinhua/Bai Xueqi, Li Ming)", "Xinhua", "Bai Xueqi, Li Ming"),
    ("(Photo : Cao Yiming)", None, "Cao Yiming"),
    ("(Photo: Cao Yiming)", None, "Cao Yiming"),
    ("(Photo Sun Mingsheng / Pour chinadaily.com.cn)", "chinadaily.com.cn", "Sun Mingsheng"),
    ("(Photo Hang Xingwei / Pour chinadaily.com.cn)", "chinadaily.com.cn", "Hang Xingwei"),
    ("(Photo : Xinhua)", "Xinhua", None),
    ("(Photo/Xinhua)", "Xinhua", None),
    ("(Photo : Xinhua/Li Bo)", "Xinhua", "Li Bo"),
    ("(Photo : VCG)", "VCG", None),
    ("(Xinhua)", "Xinhua", None),
    ("(AFP)", "AFP", None),
    ("(Crédit photo : Wang Jun)", None, "Wang Jun"),
    ("(Source : Xinhua)", "Xinhua", None),
    ("(Photo prise par Li Xin)", None, "Li Xin"),
    ("(© AFP)", "AFP", None),
    ("(Reuters/Kim Kyung-Hoon)", "Reuters", "Kim Kyung-Hoon"),
    ("(Photo d'archives)", None, None),
    # forms the generic extractor meets on other sites
    ("Foto: Axel Heimken/dpa", "dpa", "Axel Heimken"),
    ("© AFP", "AFP", None),
    ("© DPA Images | Christoph Soeder", "DPA Images", "Christoph Soeder"),
    ("Photo by Jane Doe", None, "Jane Doe"),
    ("Crédit : Jean Dupont", None, "Jean Dupont"),
    ("(Bild: Tobias Költzsch/Golem.de)", "Golem.de", "Tobias Költzsch"),
    ("(Mohamed El Saife/CBC)", "CBC", "Mohamed El Saife"),
    ("(AP Photo/Charles Rex Arbogast)", "AP Photo", "Charles Rex Arbogast"),
    ("imago/Marius Schwarz", "imago", "Marius Schwarz"),
    ("(Courtesy of Tanner Fischer)", None, "Tanner Fischer"),
]


@pytest.mark.parametrize("raw,agency,photographer", CREDIT_FORMS, ids=[c[0] for c in CREDIT_FORMS])
def test_credit_forms(raw, agency, photographer):
    credit = parse_credit(raw)
    assert credit is not None
    assert (credit["raw"], credit["agency"], credit["photographer"]) == (raw, agency, photographer)


NOT_CREDITS = ["(and/or)", "(est de la Chine)", "(nord-est de la Chine)", "(PME)", "(e-WTP)", "(1/5)", "(618-907)",
               "(les plates-formes de commerce en ligne d'Alibaba)", "(2/5)", "()"]


@pytest.mark.parametrize("text", NOT_CREDITS)
def test_ordinary_parentheses_are_not_credits(text):
    assert parse_credit(text) is None


@pytest.mark.parametrize(
    "text,caption,raw",
    [
        ("Liu Yuxin aide sa grand-mère à se lever, le 13 juin 2016. (Photo : Yang Wenbin)",
         "Liu Yuxin aide sa grand-mère à se lever, le 13 juin 2016.", "(Photo : Yang Wenbin)"),
        ("(Xinhua/Bai Xueqi)", None, "(Xinhua/Bai Xueqi)"),
        ("Des porte-conteneurs au port de Ningbo-Zhoushan, dans la province du Zhejiang (est de la Chine), "
         "le 12 juillet 2021. (Xinhua/Zhang Jiansong)",
         "Des porte-conteneurs au port de Ningbo-Zhoushan, dans la province du Zhejiang (est de la Chine), le 12 juillet 2021.",
         "(Xinhua/Zhang Jiansong)"),
        ("Des enfants jouent. (Photo Sun Mingsheng / Pour chinadaily.com.cn)", "Des enfants jouent.",
         "(Photo Sun Mingsheng / Pour chinadaily.com.cn)"),
        ("Une visiteuse au musée. Photo : Liu Xiao", "Une visiteuse au musée.", "Photo : Liu Xiao"),
        ("Kräfte der Feuerwehr im Einsatz. © DPA Images | Christoph Soeder", "Kräfte der Feuerwehr im Einsatz.",
         "© DPA Images | Christoph Soeder"),
        ("Uwe Schubert will noch Punkte sammeln. IMAGO/Nico Herbertz", "Uwe Schubert will noch Punkte sammeln.", "IMAGO/Nico Herbertz"),
        ("Donald Trump überquert den Rasen. Foto: Nicolas Economou (Getty)", "Donald Trump überquert den Rasen.", "Foto: Nicolas Economou (Getty)"),
        ("Starmer leaves Downing Street (Picture: Claudio Bresciani/AP)", "Starmer leaves Downing Street", "(Picture: Claudio Bresciani/AP)"),
    ],
)
def test_split_caption(text, caption, raw):
    got_caption, credit = split_caption(text)
    assert got_caption == caption
    assert credit["raw"] == raw and credit["caption"] == caption


def test_caption_without_credit():
    assert split_caption("Dans la province de l'Anhui (est de la Chine).") == ("Dans la province de l'Anhui (est de la Chine).", None)
