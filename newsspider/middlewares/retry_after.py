"""Honour Retry-After: a 429 or 503 that says when to come back is retried then, not sooner.

Scrapy's RetryMiddleware retries at once; a server that asks for a pause gets hammered. This
middleware runs before it: it waits (without blocking the crawl) for the time the server asked,
capped by RETRY_AFTER_MAX_SECONDS, then sends the request again, up to RETRY_AFTER_MAX_TIMES.
A longer wait than the cap gives up on the request (counted), which is kinder than ignoring it.

Settings: RETRY_AFTER_ENABLED (True), RETRY_AFTER_MAX_SECONDS (120), RETRY_AFTER_MAX_TIMES (3).
"""

from __future__ import annotations

import asyncio
import email.utils
from datetime import datetime, timezone

from scrapy.exceptions import IgnoreRequest, NotConfigured

STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, stats, max_seconds: float, max_times: int):
        self.stats = stats
        self.max_seconds = max_seconds
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("RETRY_AFTER_ENABLED", True):
            raise NotConfigured
        return cls(crawler.stats, s.getfloat("RETRY_AFTER_MAX_SECONDS", 120.0), s.getint("RETRY_AFTER_MAX_TIMES", 3))

    async def process_response(self, request, response, spider=None):
        if response.status not in STATUSES:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return response  # no date given: the ordinary retry policy decides
        tries = request.meta.get("retry_after_times", 0)
        if wait > self.max_seconds or tries >= self.max_times:
            self.stats.inc_value("newsspider/retry_after/gave_up")
            raise IgnoreRequest(f"{response.status} with Retry-After {wait:.0f}s on {request.url} (try {tries + 1})")
        self.stats.inc_value("newsspider/retry_after/waited")
        self.stats.inc_value("newsspider/retry_after/seconds", wait)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = tries + 1
        return retry
