"""Parse functions for tests of the parse pool (NEWSSPIDER_PARSE_FUNCTION=tests.support.slowparse.<name>).

Each parses as newsspider does, except on the pages the test names by a URL fragment in
NEWSSPIDER_TEST_SLOW_URL (default "/big/"): there it never ends by itself. Each worker notes
its pid in NEWSSPIDER_TEST_PID_DIR, so a test can check that no parser process outlives the crawl.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from newsspider.parsing import parse_page


def _slow(url: str) -> bool:
    directory = os.environ.get("NEWSSPIDER_TEST_PID_DIR")
    if directory:
        Path(directory, str(os.getpid())).touch()
    return os.environ.get("NEWSSPIDER_TEST_SLOW_URL", "/big/") in url


def endless(html, url, *, now=None, encoding=None):
    """Sleeps for ever on the slow pages: the SIGALRM time limit interrupts it."""
    if _slow(url):
        time.sleep(3600)
    return parse_page(html, url, now=now, encoding=encoding)


def deaf(html, url, *, now=None, encoding=None):
    """Blocks SIGALRM and sleeps for ever on the slow pages, as a long C call would: only a kill ends it."""
    if _slow(url):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    return parse_page(html, url, now=now, encoding=encoding)
