"""Ways to break a real page, for fuzzing parse(): each is a function (bytes, Random) -> bytes.

They imitate what the web does to pages: truncation, lost or doubled markup, lying charset
declarations, stray bytes, runaway nesting, script data that is not JSON.
"""

from __future__ import annotations

import random
import re

TAGS = [b"div", b"p", b"span", b"table", b"td", b"tr", b"figure", b"figcaption", b"h1", b"a", b"ul", b"li", b"script", b"article",
        b"time", b"meta", b"br", b"img"]


def truncate(page: bytes, rng: random.Random) -> bytes:
    return page[: rng.randrange(0, max(1, len(page)))]


def flip_bytes(page: bytes, rng: random.Random) -> bytes:
    data = bytearray(page)
    for _ in range(rng.randint(1, 50)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def delete_chunk(page: bytes, rng: random.Random) -> bytes:
    if len(page) < 2:
        return page
    a = rng.randrange(len(page))
    b = min(len(page), a + rng.randint(1, 5000))
    return page[:a] + page[b:]


def duplicate_chunk(page: bytes, rng: random.Random) -> bytes:
    if len(page) < 2:
        return page
    a = rng.randrange(len(page))
    b = min(len(page), a + rng.randint(1, 5000))
    at = rng.randrange(len(page))
    return page[:at] + page[a:b] + page[at:]


def drop_closing_tags(page: bytes, rng: random.Random) -> bytes:
    return re.sub(rb"</(div|p|td|tr|table|li|ul|span|a)>", lambda m: b"" if rng.random() < 0.5 else m.group(0), page)


def deep_nesting(page: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([100, 1000, 5000, 20000])
    tag = rng.choice(TAGS[:8])
    at = rng.randrange(len(page) + 1)
    return page[:at] + (b"<" + tag + b">") * depth + b"x" + page[at:]


def lying_charset(page: bytes, rng: random.Random) -> bytes:
    charset = rng.choice([b"utf-8", b"iso-8859-1", b"gb2312", b"shift_jis", b"utf-16", b"x-unknown-charset", b"", b"utf-8\x00"])
    page = re.sub(rb"charset=[\w-]*", b"charset=" + charset, page, flags=re.I)
    if rng.random() < 0.3:
        page = page.decode("utf-8", "replace").encode(rng.choice(["latin-1", "utf-16", "cp1252"]), "replace")
    return page


def insert_garbage(page: bytes, rng: random.Random) -> bytes:
    garbage = rng.choice(
        [
            b"\x00" * rng.randint(1, 100),
            b"<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"headline\": [1, {\"a\": null}], "
            b"\"author\": {\"name\": 5}, \"datePublished\": \"2099-99-99\"",
            b"<script type=\"application/ld+json\">" + b"[" * 500 + b"</script>",
            b"<meta property=\"article:published_time\" content=\"-1-1-1T99:99\">",
            b"<time datetime=\"\xff\xfe\">",
            b"<p>Derni\xc3\xa8re mise \xc3\xa0 jour \xc3\xa0 99h99 le 99/99</p>",
            b"<figure><img><figcaption>(Xinhua/" + b"A" * 10000 + b")</figcaption></figure>",
            b"<a href=\"javascript:alert(1)\">x</a><a href=\"http://[::1\">y</a><a href=\"//\">z</a>",
            b"<!--enpcontent-->" + b"<table>" * 50,
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))),
        ]
    )
    at = rng.randrange(len(page) + 1)
    return page[:at] + garbage + page[at:]


MUTATIONS = [truncate, flip_bytes, delete_chunk, duplicate_chunk, drop_closing_tags, deep_nesting, lying_charset, insert_garbage]


def mutate(page: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    for _ in range(rounds if rounds is not None else rng.randint(1, 3)):
        page = rng.choice(MUTATIONS)(page, rng)
    return page
