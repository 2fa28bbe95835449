"""What every newsspider spider shares: its User-Agent, its arguments, and handing pages to parsers."""

from __future__ import annotations

from datetime import datetime, timezone

import scrapy

from .. import __version__
from ..items import CrawledArticle
from ..parsers import ParseError, parse


class ArchiveSpider(scrapy.Spider):
    """Base class: yields CrawledArticle items for the validate/dedupe/store pipelines."""

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # The contact may come from -s on the command line, so the User-Agent is built here.
        template = settings.get("NEWSSPIDER_USER_AGENT")
        if template and (settings.getpriority("USER_AGENT") or 0) <= settings.getpriority("NEWSSPIDER_USER_AGENT"):
            contact = settings.get("NEWSSPIDER_CONTACT") or "unset"
            ua = template.format(version=__version__, contact=contact)
            settings.set("USER_AGENT", ua, priority=settings.getpriority("NEWSSPIDER_USER_AGENT"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Kept for the crawl_runs table: what this run was asked to do.
        self.args = {k: v for k, v in kwargs.items() if not k.startswith("_")}

    def article_item(self, response, public_url: str):
        """Parse an article response; None (counted in the stats) when the page cannot be parsed."""
        try:
            article = parse(response.text, public_url)
        except (ParseError, AttributeError) as exc:  # AttributeError: a non-text response has no .text
            self.crawler.stats.inc_value("newsspider/parse_errors")
            self.logger.warning("cannot parse %s: %s", public_url, exc)
            return None
        self.crawler.stats.inc_value("newsspider/articles_parsed")
        return CrawledArticle(
            article=article,
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            fetch_url=response.url,
            status=response.status,
        )
