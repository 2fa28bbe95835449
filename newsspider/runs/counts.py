"""A crawl's outcome read from Scrapy's stats: the counts for crawl_runs and the one-line summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# The stat that copies the run's write error (runs/record.py's Run.write_error) for crawl_runs.stats.
WRITE_ERROR = "newsspider/write_error"
WRITE_FAILED = "write_failed"


@dataclass
class RunCounts:
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    dropped: int = 0
    parse_errors: int = 0
    not_found: int = 0  # 404 and 410: links to pages that are gone
    http_errors: int = 0  # other 4xx/5xx and network failures
    articles_seen: int = 0  # known articles listed again, not refetched (incremental)
    not_modified: int = 0  # known articles refetched conditionally: 304 Not Modified

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> RunCounts:
        def status_count(keep) -> int:
            total = 0
            for key, value in stats.items():
                if key.startswith("downloader/response_status_count/") and keep(key.rsplit("/", 1)[1]):
                    total += value
                # robots.txt is fetched by Scrapy itself; it is not a page of the site.
                if key.startswith("robotstxt/response_status_count/") and keep(key.rsplit("/", 1)[1]):
                    total -= value
            return total

        not_found = status_count(lambda code: code in ("404", "410"))
        http_errors = status_count(lambda code: code[:1] in ("4", "5") and code not in ("404", "410"))
        return cls(
            pages_fetched=stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0),
            articles_new=stats.get("newsspider/stored/new", 0),
            articles_updated=stats.get("newsspider/stored/updated", 0),
            articles_unchanged=stats.get("newsspider/stored/unchanged", 0),
            duplicates=stats.get("newsspider/stored/duplicate", 0),
            dropped=stats.get("newsspider/dropped", 0),
            parse_errors=stats.get("newsspider/parse_errors", 0),
            not_found=not_found,
            articles_seen=stats.get("newsspider/seen/seen", 0),
            not_modified=stats.get("newsspider/seen/not_modified", 0),
            # A request robots.txt forbids is recorded as an IgnoreRequest exception: obeying is not failing.
            http_errors=http_errors + stats.get("downloader/exception_count", 0) - stats.get("robotstxt/forbidden", 0),
        )

    @property
    def stored(self) -> int:
        """Articles that reached the archive this run, whether new, changed or seen again."""
        return self.articles_new + self.articles_updated + self.articles_unchanged + self.duplicates

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# What became of a fetched page, one kind per page: the name in crawl_runs.pages and the summary,
# the stat that counts it, and what it means. The one list of page kinds; their sum is the pages fetched.
PAGE_KINDS = (
    ("new", "newsspider/stored/new", "articles stored for the first time"),
    ("updated", "newsspider/stored/updated", "articles stored as a new version"),
    ("unchanged", "newsspider/stored/unchanged", "articles fetched again, unchanged"),
    ("duplicates", "newsspider/stored/duplicate", "the same article under another URL"),
    ("not_modified", "newsspider/seen/not_modified", "304 answers to a conditional re-check"),
    ("dropped", "newsspider/stored_raw_only/dropped", "parsed but refused by validation, kept raw"),
    ("listings", "newsspider/stored_raw_only/listing", "article links classed as listings, kept raw"),
    ("not_html", "newsspider/stored_raw_only/not_html", "article links that were not HTML, kept raw"),
    ("soft_errors", "newsspider/stored_raw_only/soft_error", "error pages served with status 200, kept raw"),
    ("parse_errors", "newsspider/stored_raw_only/parse_error", "pages the parser could not read, kept raw"),
    ("over_budget", "newsspider/stored_raw_only/parse_timeout", "pages over PARSE_TIME_LIMIT_SECONDS, kept raw"),
    ("dataloss", "newsspider/stored_raw_only/dataloss", "bodies shorter than their Content-Length, kept raw"),
    ("store_errors", "newsspider/stored_raw_only/store_error", "articles the archive refused, kept raw"),
    ("unwritten", "newsspider/unwritten", "fetched but not written (the archive failed): fetched again next run"),
    ("link_pages", "newsspider/pages/links", "pages fetched for their links only (sections, listings)"),
    ("indexes", "newsspider/pages/index", "sitemaps, feeds and robots.txt read for their URLs"),
    ("other_not_html", "newsspider/pages/not_html_links", "link pages that were not HTML"),
    ("http_errors", "httperror/response_ignored_count", "4xx/5xx answers, after retries"),
)
# Asked for but never fetched: shown beside the pages, not among them.
NOT_FETCHED_KINDS = (
    ("robots_forbidden", "robotstxt/forbidden", "requests robots.txt forbids"),
)


def page_accounting(stats: dict[str, Any]) -> dict[str, int]:
    """Pages fetched by kind, with `unaccounted` for those no kind counted (0 when the accounting holds)."""
    fetched = RunCounts.from_stats(stats).pages_fetched
    pages = {name: int(stats.get(key, 0)) for name, key, _ in PAGE_KINDS}
    pages["unaccounted"] = fetched - sum(pages.values())
    pages.update({name: int(stats.get(key, 0)) for name, key, _ in NOT_FETCHED_KINDS})
    return pages


def pages_line(pages: dict[str, int]) -> str:
    """"; PAGES: 12 new, 3 listings, 1 robots_forbidden", the non-zero kinds, or "" for none."""
    shown = [f"{n} {name}" for name, n in pages.items() if n]
    return f"; PAGES: {', '.join(shown)}" if shown else ""


def finish_reason(reason: str | None, write_error: str | None) -> str | None:
    """Scrapy's finish reason, unless a write failed: a crawl whose last batch the disk refused did not finish."""
    if write_error and reason == "finished":
        return WRITE_FAILED
    return reason


def run_status(finish_reason: str | None, counts: RunCounts) -> str:
    if finish_reason != "finished":
        return "failed"
    # Not one page answered (every connection refused, say): the run failed, it did not find nothing.
    if counts.pages_fetched == 0 and counts.http_errors > 0 and counts.articles_seen == 0:
        return "failed"
    # An incremental run that finds nothing new but sees the known articles is fine; one
    # that reaches no article at all is how a broken site or a wrong argument shows.
    if counts.stored == 0 and counts.articles_seen == 0 and counts.not_modified == 0:
        return "empty"
    return "finished"


def summary_line(spider: str, run_id: int | None, status: str, finish_reason: str | None, counts: RunCounts, elapsed: float | None, db: str,
                 error: str | None = None, pages: dict[str, int] | None = None) -> str:
    """One line for cron mail; `error` is why the run failed, when it did; `pages` the page accounting."""
    c = counts
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    run = f" run {run_id}" if run_id is not None else ""
    reason = f" ({finish_reason})" if finish_reason and finish_reason != "finished" else ""
    return (
        f"newsspider {spider}{run} {status}{reason}{took}: {c.pages_fetched} pages, "
        f"{c.articles_new} new, {c.articles_updated} updated, {c.articles_unchanged} unchanged, "
        f"{c.articles_seen} known skipped, {c.not_modified} not modified, "
        f"{c.duplicates} duplicates, {c.dropped} dropped, {c.parse_errors} parse errors, "
        f"{c.not_found} not found, {c.http_errors} HTTP errors{pages_line(pages or {})} -> {db}"
    ) + (f" ERROR: {error}" if error else "")


# Limits that bound a run's memory and time, by the stat under newsspider/limits/ that counts
# their hits: what was held back, and the setting that holds it.
LIMITS_PREFIX = "newsspider/limits/"
LIMITS = {
    "depth": ("sitemaps not fetched", "NEWS_SITEMAP_MAX_DEPTH"),
    "files": ("sitemaps not fetched", "NEWS_SITEMAP_MAX_FILES"),
    "urls_per_sitemap": ("sitemaps read in part", "NEWS_SITEMAP_MAX_URLS"),
    "urls_per_crawl": ("sitemaps read in part", "NEWS_SITEMAP_MAX_URLS_PER_CRAWL"),
    "parse_time": ("pages kept raw, unparsed", "PARSE_TIME_LIMIT_SECONDS"),
}


def limits_hit(stats: dict[str, Any]) -> str:
    """"LIMITS: 1000 sitemaps not fetched (NEWS_SITEMAP_MAX_DEPTH)", or "" when no limit was hit."""
    hit = [f"{stats[LIMITS_PREFIX + key]} {what} ({setting})" for key, (what, setting) in LIMITS.items()
           if stats.get(LIMITS_PREFIX + key)]
    return f" LIMITS: {'; '.join(hit)}" if hit else ""
