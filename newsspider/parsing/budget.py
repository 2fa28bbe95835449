"""A hard time limit on one parse, so that one page cannot stall a crawl.

    with time_limit(20):
        article = parse(body, url)      # raises ParseTimeout after 20 s of wall time

The parsers are linear in the page, and large pages are capped (MAX_HTML_CHARS,
TRAFILATURA_MAX_ELEMENTS), but a parse of a hostile page, or a library's slow corner, must
still end: the limit is SIGALRM from an interval timer, which interrupts the Python code of
the parse wherever it is. Signals reach only the main thread, where Scrapy runs callbacks and
where `extract` and `reparse` parse; in any other thread the limit is off (a process pool that
parses in its workers' main threads keeps it). A long C call (lxml reading 16 MB) is
interrupted when it returns.

ParseTimeout is a BaseException, like KeyboardInterrupt, so that the `except Exception`
of the parsers and of trafilatura, which turn a failed field into an empty one, cannot
swallow it.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class ParseTimeout(BaseException):
    """The parse took longer than its limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ParseTimeout in the block once `seconds` have passed (None or 0: no limit)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise ParseTimeout(f"parse took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
