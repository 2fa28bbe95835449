"""People's Daily Online in French: section index pages, then the articles they list.

    scrapy crawl people_fr -a sections=Economie,Chine -a max_pages=2
    scrapy crawl people_fr -s PEOPLE_FR_BASE_URL=http://127.0.0.1:8000   # a local mirror
    scrapy crawl people_fr -a urls=http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy

from ..hostmap import HostMap
from ..parsers.sites.people_fr import ALIAS_HOSTS, ARTICLE_LINK, CANONICAL_HOST, canonical
from ..parsers.urls import absolute
from .base import ArchiveSpider

SECTION_NAME = re.compile(r"^[A-Za-z][\w-]*$")


class PeopleFrSpider(ArchiveSpider):
    name = "people_fr"

    def __init__(self, sections: str | None = None, max_pages: str | int | None = None, urls: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.args.update({k: v for k, v in (("sections", sections), ("max_pages", max_pages), ("urls", urls)) if v is not None})
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
        spider.max_pages = int(spider.max_pages_arg if spider.max_pages_arg is not None else s.getint("PEOPLE_FR_MAX_PAGES", 5))
        if spider.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
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
        name = "index.html" if page == 1 else f"index{page}.html"
        url = f"http://{CANONICAL_HOST}/{section}/{name}"
        return scrapy.Request(self.hostmap.to_fetch(url), callback=self.parse_section, cb_kwargs={"section": section, "page": page})

    def parse_section(self, response, section: str, page: int):
        public = self.hostmap.to_public(response.url)
        found = 0
        for href in response.css("a::attr(href)").getall():
            url = absolute(href, public)
            if not url or not self.is_article_url(url):
                continue
            found += 1
            # Alias links are folded to the canonical host: one article, one request.
            yield scrapy.Request(self.hostmap.to_fetch(canonical(url)), callback=self.parse_article)
        self.crawler.stats.inc_value("newsspider/section_pages")
        if not found:
            # A listing with no article link is a layout change or the end of the archive.
            self.crawler.stats.inc_value("newsspider/section_pages_empty")
            self.logger.warning("no article links on %s", public)
            return
        if page < self.max_pages:
            yield self.section_request(section, page + 1)

    @staticmethod
    def is_article_url(url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() in (CANONICAL_HOST, *ALIAS_HOSTS) and bool(ARTICLE_LINK.search(parts.path))

    def parse_article(self, response):
        item = self.article_item(response, self.hostmap.to_public(response.url))
        if item is not None:
            yield item
