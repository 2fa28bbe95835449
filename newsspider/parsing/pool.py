"""Parsing off the reactor thread: a bounded pool of parser processes.

The parsers are pure functions of (bytes, url, now), so a page can be parsed in any process:
the crawl's one thread keeps downloading and storing while `NEWSSPIDER_PARSE_WORKERS`
processes parse. The pool takes at most PAGES_PER_WORKER pages per worker at a time; the rest wait here,
and Scrapy's scraper slot (a response is held until its item has left the pipelines, up to
SCRAPER_SLOT_MAX_ACTIVE_SIZE bytes) stops the downloader while they wait: back-pressure
without a setting of its own.

Time limits, two of them. In a worker, the parse runs in the process's main thread, so the
SIGALRM budget of parsing/budget.py applies as in-process (PARSE_TIME_LIMIT_SECONDS). A parse
stuck where a signal cannot reach it (a long C call) is killed from here once the budget plus
HARD_LIMIT_GRACE_SECONDS has passed: the worker processes are killed (ProcessPoolExecutor
cannot kill one alone), a fresh pool replaces them, and the other pages they held are parsed
again there. Either way the page is kept raw as `parse_timeout` and counted.

Workers start from a forkserver (spawn where there is none): forking a process that runs a
Twisted reactor would copy its threads' locks and sockets. Workers ignore SIGINT, so a Ctrl-C
at the terminal reaches only the crawl, which stops the pool in close().
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from importlib import import_module
from typing import Any, Callable

from .budget import ParseTimeout, time_limit
from .precompute import precompute as precompute_for_write
from ..settings import NEWSSPIDER_PARSE_FUNCTION as DEFAULT_PARSE_FUNCTION

# A parse interrupted by SIGALRM ends at once; one that is still running this long after its
# budget is deaf to signals, and its worker is killed.
HARD_LIMIT_GRACE_SECONDS = 5.0
# Pages submitted to the pool per worker: enough that a worker never waits for the reactor, whose
# thread hears of a finished parse only between its other work (2 a worker gave b/a 0.39, 8 gave
# 0.42-0.44: docs/PERFORMANCE.md). A stop does not wait for them all: close() stops the workers
# (tests/test_parse_pool.py: a stopped crawl exits within one time limit).
PAGES_PER_WORKER = 8
STOPPED = "the crawl stopped before this page was parsed"
# Times a page is resubmitted when its worker died under another page.
RESUBMITS = 2

_functions: dict[str, Callable] = {}


def parse_workers(settings) -> int:
    """The pool size NEWSSPIDER_PARSE_WORKERS chooses: a number, 0 (parse in the crawl's thread) or
    'auto' (the default: one per CPU this process may use, but 0 on a single CPU, where a pool only
    adds pickling)."""
    value = str(settings.get("NEWSSPIDER_PARSE_WORKERS", "auto")).strip().lower()
    if value in ("", "auto"):
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return cpus if cpus > 1 else 0
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"NEWSSPIDER_PARSE_WORKERS must be a number or 'auto', not {value!r}") from None
    if workers < 0:
        raise ValueError(f"NEWSSPIDER_PARSE_WORKERS must be 0 or more, not {workers}")
    return workers


def _function(name: str) -> Callable:
    if name not in _functions:
        module, _, attr = name.rpartition(".")
        _functions[name] = getattr(import_module(module), attr)
    return _functions[name]


def parse_for_crawl(function: str, body: bytes, url: str, fetched: datetime, encoding: str | None,
                    limit: float, precompute: bool = False) -> tuple[str, Any, Any]:
    """Parse one article page: ('article', (article, parser, parser_version, precomputed), field_errors),
    ('parse_timeout', message, None) or ('parse_error', message, None).

    The same function runs in a pool worker and in the crawl's thread (0 workers), so both
    give the same items; its result is plain data, cheap to pickle. `precompute`: also make what
    the archive's write would compute (precompute.py), else `precomputed` is None.
    """
    from ..parsers import ParseError

    try:
        with time_limit(limit):
            parsed = _function(function)(body, url, now=fetched, encoding=encoding)
    except ParseTimeout as exc:
        return "parse_timeout", str(exc), None
    except ParseError as exc:
        return "parse_error", str(exc), None
    article = parsed.article
    # Which parser and version read it (a test's stand-in parse may not say).
    made = precompute_for_write(body, article.body) if precompute else None
    read_by = (article, getattr(parsed, "parser", None), getattr(parsed, "parser_version", None), made)
    return "article", read_by, dict(parsed.field_errors)


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds process `pid` has used (0 where /proc cannot tell): workers are grandchildren of the
    crawl (through the forkserver), so a wait4 on the crawl may not include them."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # Linux: die with the parent (the forkserver, which dies with the crawl), even when the crawl is SIGKILLed.
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class ParsePool:
    """Parses pages in `workers` processes; submit() returns a Deferred that fires with parse_for_crawl's result."""

    def __init__(self, workers: int, *, limit: float, function: str = DEFAULT_PARSE_FUNCTION,
                 grace: float = HARD_LIMIT_GRACE_SECONDS, stopping: Callable[[], bool] = lambda: False,
                 precompute: bool = False):
        from twisted.internet import reactor

        self.reactor = reactor
        self.workers = workers
        self.limit = limit
        self.function = function
        self.precompute = precompute  # workers also make what the archive's write needs (precompute.py)
        self.grace = grace
        # True once the crawl is stopping (SIGINT/SIGTERM): pages still waiting are kept raw rather than
        # parsed, so a stop takes at most the pages in the pool's time limit.
        self.stopping = stopping
        self.killed = 0  # worker processes killed for a parse deaf to its time limit
        self.replaced = 0  # pools started after the first one
        self.worker_cpu = 0.0  # CPU seconds of the stopped workers (Linux), which the crawl's own rusage may miss
        self._executor: ProcessPoolExecutor | None = None
        self._waiting: deque = deque()
        self._active = 0
        self._closed = False

    def _current(self) -> ProcessPoolExecutor:
        if self._executor is None:
            if self._closed:
                raise RuntimeError("the parse pool is closed")
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                                 initializer=_worker_init)
        return self._executor

    def submit(self, body: bytes, url: str, fetched: datetime, encoding: str | None):
        from twisted.internet.defer import Deferred

        d = Deferred()
        self._waiting.append(((self.function, body, url, fetched, encoding, self.limit, self.precompute), d, RESUBMITS))
        self._pump()
        return d

    def _pump(self) -> None:
        if self._waiting and self.stopping():
            waiting, self._waiting = self._waiting, deque()
            for _args, d, _r in waiting:
                d.callback(("parse_error", STOPPED, None))
        while self._waiting and self._active < self.workers * PAGES_PER_WORKER and not self._closed:
            args, d, resubmits = self._waiting.popleft()
            executor = self._current()
            state = {"timed_out": False}
            future = executor.submit(parse_for_crawl, *args)
            self._active += 1
            timer = None
            if self.limit and self.limit > 0:
                timer = self.reactor.callLater(self.limit + self.grace, self._expire, executor, future, state)
            future.add_done_callback(
                lambda f, args=args, d=d, r=resubmits, s=state, t=timer:
                self.reactor.callFromThread(self._finished, f, args, d, r, s, t))

    def _finished(self, future, args, d, resubmits, state, timer) -> None:
        self._active -= 1
        if timer is not None and timer.active():
            timer.cancel()
        if state["timed_out"]:
            outcome = ("parse_timeout", f"parse took longer than {self.limit + self.grace:g} s; its worker was killed", None)
        elif future.cancelled() or isinstance(future.exception(), BrokenProcessPool):
            if resubmits > 0 and not self._closed:
                # Its worker died under another page (killed for its time, or crashed): parse it again.
                self._waiting.appendleft((args, d, resubmits - 1))
                self._pump()
                return
            outcome = ("parse_error", "its parser process died" if not self._closed else STOPPED, None)
        elif future.exception() is not None:
            exc = future.exception()
            outcome = ("parse_error", f"{type(exc).__name__}: {exc}", None)
        else:
            outcome = future.result()
        d.callback(outcome)
        self._pump()

    def _expire(self, executor: ProcessPoolExecutor, future, state) -> None:
        if future.done():
            return
        state["timed_out"] = True
        self.killed += 1
        if self._executor is executor:
            self._executor = None
            self.replaced += 1
        self._stop(executor)

    def _stop(self, executor: ProcessPoolExecutor, timeout: float = 5.0) -> None:
        # ProcessPoolExecutor has no way to kill its workers; its process table is the only handle on them.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        self.worker_cpu += sum(_cpu_seconds(p.pid) for p in processes)
        for process in processes:
            if process.is_alive():
                process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout)

    def close(self) -> None:
        """Stop every worker now (the crawl is over, or was interrupted): no process outlives the crawl."""
        self._closed = True
        waiting, self._waiting = self._waiting, deque()
        for _args, d, _r in waiting:
            d.callback(("parse_error", STOPPED, None))
        if self._executor is not None:
            executor, self._executor = self._executor, None
            self._stop(executor)

    def pids(self) -> list[int]:
        executor = self._executor
        return [p.pid for p in (getattr(executor, "_processes", None) or {}).values()] if executor else []
