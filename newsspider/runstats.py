"""A crawl's outcome read from Scrapy's stats: the counts for crawl_runs and the one-line summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Set by the store pipeline when the archive refused a write: the run stops, and did not finish.
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


def finish_reason(reason: str | None, stats: dict[str, Any]) -> str | None:
    """Scrapy's finish reason, unless a write failed: a crawl whose last batch the disk refused did not finish."""
    if stats.get(WRITE_ERROR) and reason == "finished":
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
                 error: str | None = None) -> str:
    """One line for cron mail; `error` is why the run failed, when it did."""
    c = counts
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    run = f" run {run_id}" if run_id is not None else ""
    reason = f" ({finish_reason})" if finish_reason and finish_reason != "finished" else ""
    return (
        f"newsspider {spider}{run} {status}{reason}{took}: {c.pages_fetched} pages, "
        f"{c.articles_new} new, {c.articles_updated} updated, {c.articles_unchanged} unchanged, "
        f"{c.articles_seen} known skipped, {c.not_modified} not modified, "
        f"{c.duplicates} duplicates, {c.dropped} dropped, {c.parse_errors} parse errors, "
        f"{c.not_found} not found, {c.http_errors} HTTP errors -> {db}"
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
