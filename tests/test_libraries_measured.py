"""Where newsspider keeps its own code beside a well-kept library, the measured case that shows the library wrong for us.

If a library release fixes one of these, the test fails: then switch to the library.
"""

from __future__ import annotations

from bs4 import UnicodeDammit
from courlan.clean import TRACKERS_RE

from newsspider.parsers.charset import utf8_with_cp1252
from newsspider.parsers.urls import TRACKING_PARAMS, strip_tracking


def test_detwingle_loses_windows_1252_letters_that_charset_reads():
    # "café noir" and "été" in windows-1252 under UTF-8: 0xE9 looks like the lead of a 3-byte sequence.
    for data, text in [(b"caf\xe9 noir", "café noir"), (b"\xe9t\xe9", "été"),
                       ("déjà ".encode() + b"caf\xe9 \x93ok\x94", "déjà café “ok”")]:
        assert "\ufffd" in UnicodeDammit.detwingle(data).decode("utf-8", "replace"), data
        assert utf8_with_cp1252(data) == text


def test_detwingle_and_charset_agree_where_detwingle_is_right():
    # Bytes 0x80-0x9F (curly quotes, the euro) are no UTF-8 lead: there both read windows-1252.
    data = "déjà ".encode() + b"\x93ok\x94 \x80"
    assert UnicodeDammit.detwingle(data).decode("utf-8") == utf8_with_cp1252(data) == "déjà “ok” €"


def test_courlans_tracker_pattern_misses_some_of_ours_and_drops_page_identities():
    missed = sorted(p for p in TRACKING_PARAMS if not TRACKERS_RE.search(p))
    assert {"ocid", "cmpid", "smid", "spm", "from", "share"} <= set(missed)
    identities = ["uid", "source", "session", "keyword", "sourceid"]
    assert all(TRACKERS_RE.search(p) for p in identities)
    # Ours keeps them: two articles told apart by ?uid= stay two URLs.
    assert strip_tracking("https://x.example/a.php?uid=12&utm_source=t&fbclid=z") == "https://x.example/a.php?uid=12"
