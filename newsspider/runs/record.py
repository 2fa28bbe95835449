"""One crawl's record: its crawl_runs id, the one Archive it writes, its alarms and why it failed.

There is one Run per crawler (`Run.of(crawler)`), shared by the store pipeline (which writes the
articles), the run recorder (crawl_runs, the health alarm) and the spider's incremental lookups.
They used to open the archive each for itself, five times a crawl, each open checking the
migrations again; they now hold the run's archive, opened by the first and closed by the last.

The run, not the store, owns the archive: Scrapy closes the pipelines before it sends
spider_closed, and the recorder writes the run's end after that. What components tell each other
about the run (its id, its alarms, a write error) is kept here; the crawl stats keep a copy for
telemetry (crawl_runs.stats), which nothing reads back.
"""

from __future__ import annotations

import os

from ..archive.db import Archive
from .counts import WRITE_ERROR, RunCounts

_ATTRIBUTE = "newsspider_run"  # where a crawler keeps its Run


class Run:
    def __init__(self, crawler, db_path: str | os.PathLike):
        self.crawler = crawler
        self.db_path = db_path
        self.id: int | None = None  # the crawl_runs row, once the recorder has started it
        self.alarms: list[dict] = []  # the health alarm's findings, once the run is recorded
        self.write_error: str | None = None  # why the archive refused a write, if it did: the run failed
        # As recorded in crawl_runs when the run ended (the recorder sets them): its reason, status and counts.
        self.finish_reason: str | None = None
        self.status: str | None = None
        self.counts: RunCounts | None = None
        self._archive: Archive | None = None
        self._holders = 0

    @classmethod
    def of(cls, crawler, db_path: str | os.PathLike | None = None) -> Run:
        """The crawler's run, made on first asking; `db_path` (else ARCHIVE_DB) names its archive then."""
        run = getattr(crawler, _ATTRIBUTE, None)
        if run is None:
            settings = getattr(crawler, "settings", None)
            if db_path is None:
                db_path = settings.get("ARCHIVE_DB", "archive.db") if settings is not None else "archive.db"
            run = cls(crawler, db_path)
            # An attribute, not a WeakKeyDictionary: tests give the pipelines a SimpleNamespace, which takes no weak reference.
            setattr(crawler, _ATTRIBUTE, run)
        return run

    # ---- the archive -------------------------------------------------------------------------
    def hold(self) -> Archive:
        """The run's archive, opened (and migrated) by the first holder; give it back with release()."""
        if self._archive is None:
            self._archive = Archive(self.db_path)
        self._holders += 1
        return self._archive

    def release(self) -> None:
        """The last holder's release closes the archive."""
        if self._holders == 0:
            return
        self._holders -= 1
        if self._holders == 0 and self._archive is not None:
            self._archive.close()
            self._archive = None

    def release_all(self) -> None:
        """Close the archive whoever still holds it: the crawl is over."""
        self._holders = 1 if self._archive is not None else 0
        self.release()

    # ---- what went wrong -----------------------------------------------------------------------
    def fail(self, message: str) -> None:
        """Record that the archive refused a write (the run did not finish), after any earlier failure."""
        self.write_error = f"{self.write_error}; {message}" if self.write_error else message
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.set_value(WRITE_ERROR, self.write_error)  # telemetry: kept in crawl_runs.stats
