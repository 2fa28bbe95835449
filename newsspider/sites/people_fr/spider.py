"""People's Daily Online in French: section index pages, then the articles they list.

    scrapy crawl people_fr -a sections=Economie,Chine -a max_pages=2
    scrapy crawl people_fr -s PEOPLE_FR_BASE_URL=http://127.0.0.1:8000   # a local mirror
    scrapy crawl people_fr -a urls=http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import scrapy

from ...spiders.hostmap import HostMap
from ...parsers.dates import url_date
from ...parsers.urls import absolute
from ...spiders.base import ArchiveSpider
from . import ALIAS_HOSTS, ARTICLE_LINK, CANONICAL_HOST, NAME, SECTION_NAME, SETTINGS, canonical, listing_url
# Listing pages go before articles: each one feeds the frontier the next 20 articles and the
# next listing page. Scrapy's own queue is LIFO and takes them first anyway; the shared Redis
# frontier sorts equal priorities by the request's JSON, which queued a section's next listing
# behind every waiting article of the sections before it.
LISTING_PRIORITY = 10


class PeopleFrSpider(ArchiveSpider):
    name = NAME

    def __init__(self, sections: str | None = None, max_pages: str | int | None = None, urls: str | None = None,
                 since: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.args.update({k: v for k, v in (("sections", sections), ("max_pages", max_pages), ("urls", urls), ("since", since)) if v is not None})
        self.since_arg = since
        self.sections_arg = sections
        self.max_pages_arg = max_pages
        self.urls = [u.strip() for u in (urls or "").split(",") if u.strip()]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        sections = spider.sections_arg.split(",") if spider.sections_arg else s.getlist("PEOPLE_FR_SECTIONS")
        spider.sections = [x.strip() for x in sections if x.strip()]
        bad = [x for x in spider.sections if not SECTION_NAME.match(x)]
        if bad:
            raise ValueError(f"not a section name: {', '.join(bad)} (expected e.g. Economie,Chine)")
        spider.max_pages = int(spider.max_pages_arg if spider.max_pages_arg is not None
                               else s.getint("PEOPLE_FR_MAX_PAGES", SETTINGS["PEOPLE_FR_MAX_PAGES"]))
        if spider.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        spider.since = None
        if spider.since_arg:
            try:
                spider.since = date.fromisoformat(spider.since_arg)
            except ValueError:
                raise ValueError(f"since must be a date such as 2024-05-01, got {spider.since_arg!r}") from None
        base = s.get("PEOPLE_FR_BASE_URL") or f"http://{CANONICAL_HOST}"
        alias_base = s.get("PEOPLE_FR_ALIAS_BASE_URL")
        bases = {CANONICAL_HOST: base}
        for host in ALIAS_HOSTS:
            # A mirror of the canonical host serves the alias's articles too: never
            # let a link to the alias escape to the real site during a mirror crawl.
            bases[host] = alias_base or (f"http://{host}" if urlsplit(base).hostname == CANONICAL_HOST else base)
        spider.hostmap = HostMap(bases)
        spider.allowed_domains = spider.hostmap.fetch_domains()
        return spider

    async def start(self):
        for section in self.sections:
            yield self.section_request(section, 1)
        for url in self.urls:
            yield scrapy.Request(self.hostmap.to_fetch(url), callback=self.parse_article)

    def section_request(self, section: str, page: int) -> scrapy.Request:
        url = listing_url(section, page)
        return scrapy.Request(self.hostmap.to_fetch(url), callback=self.parse_section, cb_kwargs={"section": section, "page": page},
                              priority=LISTING_PRIORITY)

    def parse_section(self, response, section: str, page: int):
        self.crawler.stats.inc_value("newsspider/pages/links")
        public = self.hostmap.to_public(response.url)
        found = known_old = too_old = 0
        seen_here: set[str] = set()
        for href in response.css("a::attr(href)").getall():
            url = absolute(href, public)
            if not url or not self.is_article_url(url):
                continue
            key = canonical(url)
            if key in seen_here:
                continue
            seen_here.add(key)
            found += 1
            day = url_date(key)
            if self.since and day and day < self.since:
                # --since limits discovery: listings are date-ordered, older items are not wanted.
                too_old += 1
                self.crawler.stats.inc_value("newsspider/since/skipped")
                continue
            decision = self.revisits.decide(key)
            if decision.action == "seen":
                known_old += 1
                yield self.seen_again(key)
                continue
            # Alias links are folded to the canonical host: one article, one request.
            yield scrapy.Request(self.hostmap.to_fetch(key), callback=self.parse_article, headers=decision.headers, meta=decision.meta)
        self.crawler.stats.inc_value("newsspider/section_pages")
        if not found:
            # A listing with no article link is a layout change or the end of the archive.
            self.crawler.stats.inc_value("newsspider/section_pages_empty")
            self.logger.warning("no article links on %s", public)
            return
        if (known_old + too_old) * 2 >= found:
            # A date-ordered listing that has reached what is archived (or older than --since)
            # has nothing new further down.
            self.crawler.stats.inc_value("newsspider/incremental/stopped_paging")
            return
        if page < self.max_pages:
            yield self.section_request(section, page + 1)

    @staticmethod
    def is_article_url(url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() in (CANONICAL_HOST, *ALIAS_HOSTS) and bool(ARTICLE_LINK.search(parts.path))

    def parse_article(self, response):
        public = self.hostmap.to_public(response.url)
        item = self.not_modified(response, public) or self.article_item(response, public)
        if item is not None:
            yield item
