"""Lying and missing charsets: the right text, or text that validation refuses (never mojibake stored)."""

from __future__ import annotations

import random

import pytest

from newsspider.parsers.charset import legacy_text, utf8_with_cp1252
from newsspider.parsers.page import decode_html
from newsspider.pipelines.validate import garbled

FRENCH = "Réunion à Genève : l'ambiguïté levée, « prêtées » œuvres déjà vues ; 12 € par personne."
CHINESE = "北京今日举行会议，讨论经济发展与改革的问题。"
RUSSIAN = "Президент провёл совещание с членами правительства."


def page(text: str, meta: str | None = None) -> str:
    head = f'<meta http-equiv="content-type" content="text/html;charset={meta}"/>' if meta else ""
    return f"<html><head>{head}<title>t</title></head><body><h1>{text}</h1><p>{text}</p></body></html>"


@pytest.mark.parametrize("header, meta, encoding, text", [
    ("iso-8859-1", None, "utf-8", FRENCH),  # declared Latin-1, is UTF-8
    ("utf-8", "utf-8", "cp1252", FRENCH),  # declared UTF-8, is windows-1252
    (None, "utf-8", "cp1252", FRENCH),  # <meta> says UTF-8, is windows-1252
    (None, None, "cp1252", FRENCH),  # nothing declared
    ("utf-8", None, "gb18030", CHINESE),  # declared UTF-8, is GB18030
    ("windows-1251", None, "cp1251", RUSSIAN),  # declared and true: honoured
    (None, "iso-8859-1", "latin-1", "Fête à Noël"),  # the mirror's legacy page
])
def test_the_text_comes_back_whatever_the_declaration_says(header, meta, encoding, text):
    assert text in decode_html(page(text, meta).encode(encoding, "xmlcharrefreplace"), encoding=header)


def test_a_stray_windows_1252_byte_in_a_utf8_page_is_read_as_windows_1252():
    data = "Déjà vu, ".encode("utf-8") + "l'été".encode("cp1252") + " à Noël".encode("utf-8")
    assert utf8_with_cp1252(data) == "Déjà vu, l'été à Noël"


def test_runs_of_high_bytes_are_not_taken_for_windows_1252():
    assert utf8_with_cp1252(CHINESE.encode("gb18030")) is None
    assert utf8_with_cp1252(RUSSIAN.encode("cp1251")) is None


def test_bytes_that_are_text_in_no_encoding_give_no_reading_and_are_refused():
    rng = random.Random(3)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(400))
    html = page("@@").encode().replace(b"@@", noise)
    assert legacy_text(html) is None
    text = decode_html(html, encoding="utf-8")
    assert garbled(text)


def test_undeclared_single_byte_non_latin_text_is_refused_rather_than_guessed():
    # No reading of cp1251 Russian without a declaration is trustworthy: U+FFFD, so validation drops it.
    assert garbled(decode_html(page(RUSSIAN * 3).encode("cp1251")))


@pytest.mark.parametrize("text, expected", [
    ("Un titre sans faute", False),
    ("Un titre \ufffd abîmé", True),  # any lost byte in a headline-sized text
    ("Un long texte. " * 100 + "\ufffd", False),  # one stray byte in a long body is kept
    ("Un long texte. " * 100 + "\ufffd" * 8, True),
    (None, False),
])
def test_garbled(text, expected):
    assert garbled(text) is expected
