"""The benchmark's baseline: a bare Scrapy spider that only yields each article URL.

It walks the same section listings as people_fr and requests the same articles, with no
parsing, no pipelines and no archive: what Scrapy alone costs per page.

    scrapy runspider bench/bare_spider.py -a base=http://127.0.0.1:8000 -a sections=S01,S02 -a max_pages=50
"""

from __future__ import annotations

import re

import scrapy

ARTICLE = re.compile(r"/c\d+-\d+\.html$")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base: str, sections: str, max_pages: str = "1", **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.sections = sections.split(",")
        self.max_pages = int(max_pages)

    async def start(self):
        for section in self.sections:
            for page in range(1, self.max_pages + 1):
                name = "index.html" if page == 1 else f"index{page}.html"
                yield scrapy.Request(f"{self.base}/{section}/{name}", callback=self.parse_listing)

    def parse_listing(self, response):
        for href in response.css("a::attr(href)").getall():
            if ARTICLE.search(href):
                yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response):
        yield {"url": response.url}
