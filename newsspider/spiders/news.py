"""Any news site, from start pages, sitemaps or RSS/Atom feeds, without leaving its domains.

    newsspider crawl news -a start=https://www.example.org/ -a depth=2
    newsspider crawl news -a sitemap=https://www.example.org/sitemap_index.xml -a since=2024-05-01
    newsspider crawl news -a sitemap=https://www.example.org/robots.txt     # the sitemaps robots.txt lists
    newsspider crawl news -a feed=https://www.example.org/feed.rss,https://www.example.org/atom.xml
    newsspider crawl news -a start=https://www.example.org/ -s NEWS_HOST_MAP='{"www.example.org": "http://127.0.0.1:8000"}'

Arguments (at least one of start, sitemap, feed; lists are comma-separated):
    start=URL,...     pages to start from, following links up to `depth` hops
    sitemap=URL,...   sitemaps or sitemap indexes (plain, Google News, gzipped or not) or a robots.txt
    feed=URL,...      RSS 2.0, RSS 1.0 or Atom feeds (the reader goes by the root element, so a
                      feed given as a sitemap, or the reverse, is read all the same)
    domains=a.com,... more domains to stay on
    since=YYYY-MM-DD  skip sitemap and feed entries whose newest stated date (lastmod, news
                      publication date, pubDate, updated) is older; undated entries are kept.
                      A sitemap index entry older than that is not even fetched.
    depth=N           link hops from a start page (default NEWS_DEPTH, 1: the start pages and the
                      pages they link to; 0: the start pages alone)

What is taken for an article:
- every entry of a sitemap or feed is a candidate (a sitemap index's entries are sitemaps, read in
  turn). Their pages are not searched for more links: the sitemap or feed is the list.
- from a start page, an on-site link is a candidate when its URL looks like an article
  (pagekind.looks_like_article_url: a date followed by more path, a long slug, a numeric id or a
  .html page; never a tag, author, section, search or paging URL). Other on-site links are
  fetched only while a further hop remains, to find more links, never parsed. A start page is a
  candidate only when its own URL looks like an article, so a home page is never stored.
- a candidate is parsed, then skipped when the page is clearly a listing
  (pagekind.looks_like_listing: no article markup and mostly link text; counted in
  `newsspider/listing_pages`), and the validate pipeline drops pages without headline or body.

A homepage (any HTML page) given as a sitemap or feed is searched for the site's lists instead:
its <link rel="alternate"> RSS/Atom feeds, robots.txt's Sitemap: lines and COMMON_INDEX_PATHS,
on the homepage's host only, then its article links as from a start page (counted under
newsspider/discovery/).

Staying on site: the hosts of the start, sitemap and feed URLs, without "www.", plus `domains`,
are the site; their www. and bare forms and their subdomains are on it (Scrapy's allowed_domains
rule). Any other link is never requested and is counted in `newsspider/offsite_links`.

NEWS_HOST_MAP (JSON, public host -> base URL) sends a host's requests elsewhere, a local copy
say, while the spider thinks and stores in public URLs; "www." and bare forms of a mapped host
go to the same base. With a map, a site host missing from it is never requested
(`newsspider/unmapped_links`): a mirror crawl must not escape to the real site.

Hostile or merely huge discovery input is bounded (settings, each counted under
newsspider/limits/ and named in the summary when hit): NEWS_SITEMAP_MAX_DEPTH sitemap index
hops below a URL given, NEWS_SITEMAP_MAX_URLS entries read from one sitemap or feed,
NEWS_SITEMAP_MAX_URLS_PER_CRAWL entries taken from all of them, NEWS_SITEMAP_MAX_FILES
sitemaps and feeds fetched. Sitemaps are read as a stream (feeds.Reader), and the frontier
waits on disk (`newsspider crawl` gives the scheduler a JOBDIR), so neither grows with the
sitemap in memory.

Depth is kept in the callback's arguments rather than with Scrapy's DEPTH_LIMIT because
sitemap index -> sitemap -> article is two hops that are not links.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots

from .hostmap import HostMap
from ..parsers.urls import absolute, strip_tracking
from ..runs.counts import LIMITS_PREFIX
from .base import ArchiveSpider, content_kind
from .feeds import Reader, parse_date, ungzip
from .pagekind import looks_like_article_url, looks_like_listing, looks_like_page_url
from .revisits import Decision


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _www_twin(host: str) -> str:
    return host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"


class NewsSpider(ArchiveSpider):
    name = "news"

    def __init__(self, start: str | None = None, sitemap: str | None = None, feed: str | None = None,
                 domains: str | None = None, depth: str | int | None = None, since: str | None = None, **kwargs):
        super().__init__(**kwargs)
        given = {"start": start, "sitemap": sitemap, "feed": feed, "domains": domains, "depth": depth, "since": since}
        self.args.update({k: v for k, v in given.items() if v is not None})
        self.start_pages = _split(start)
        self.index_urls = _split(sitemap) + _split(feed)
        self.domains_arg = _split(domains)
        self.depth_arg = depth
        self.since_arg = since
        self._unmapped_warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        given = spider.start_pages + spider.index_urls
        if not given:
            raise ValueError("nothing to crawl: give -a start=URL, -a sitemap=URL or -a feed=URL (comma-separated lists)")
        bad = [u for u in given if urlsplit(u).scheme not in ("http", "https") or not _host(u)]
        if bad:
            raise ValueError(f"not an http(s) URL: {', '.join(bad)}")
        try:
            spider.depth = int(spider.depth_arg if spider.depth_arg is not None else s.getint("NEWS_DEPTH", 1))
        except ValueError:
            raise ValueError(f"depth must be a whole number, got {spider.depth_arg!r}") from None
        if spider.depth < 0:
            raise ValueError("depth must be 0 or more")
        spider.since = None
        if spider.since_arg:
            spider.since = parse_date(spider.since_arg)
            if spider.since is None:
                raise ValueError(f"since must be a date such as 2024-05-01, got {spider.since_arg!r}")
        domains = {_host(u) for u in given}
        domains |= {_host(d if "//" in d else f"//{d}") for d in spider.domains_arg}
        spider.domains = sorted({d.removeprefix("www.") for d in domains if d})
        spider.hostmap = HostMap(cls._host_bases(s))
        unmapped = sorted({_host(u) for u in given if spider.hostmap.bases and _host(u) not in spider.hostmap.bases})
        if unmapped:
            raise ValueError(f"NEWS_HOST_MAP has no base URL for {', '.join(unmapped)}")
        # Scrapy's offsite filter as a second line: it sees fetch URLs, so it needs the mapped hosts too.
        spider.allowed_domains = sorted(set(spider.domains) | set(spider.hostmap.fetch_domains()))
        spider.max_size = s.getint("DOWNLOAD_MAXSIZE")
        spider.limits = DiscoveryLimits.from_settings(s)
        spider.taken = spider.documents = 0
        return spider

    @staticmethod
    def _host_bases(settings) -> dict[str, str]:
        try:
            given = settings.getdict("NEWS_HOST_MAP")
        except ValueError as exc:
            raise ValueError(f'NEWS_HOST_MAP must be JSON such as {{"example.org": "http://127.0.0.1:8000"}}: {exc}') from None
        bases: dict[str, str] = {}
        for host, base in given.items():
            if urlsplit(str(base)).scheme not in ("http", "https") or not _host(str(base)):
                raise ValueError(f"NEWS_HOST_MAP: not an http(s) base URL for {host}: {base!r}")
            bases[host.lower()] = str(base)
        # Given hosts first: HostMap folds a fetched URL back onto the first host listed.
        for host, base in list(bases.items()):
            bases.setdefault(_www_twin(host), base)
        return bases

    # ---- requests ----------------------------------------------------------------------------
    async def start(self):
        for url in self.start_pages:
            yield self.page_request(strip_tracking(url), depth=0, candidate=looks_like_article_url(url))
        for url in self.index_urls:
            if (request := self.index_request(strip_tracking(url), index_depth=0)) is not None:
                yield request

    def request(self, public_url: str, callback, headers=None, meta=None, **cb_kwargs) -> scrapy.Request:
        return scrapy.Request(self.hostmap.to_fetch(public_url), callback=callback, cb_kwargs=cb_kwargs,
                              headers=headers, meta={"public_url": public_url, **(meta or {})})

    def page_request(self, public_url: str, depth: int | None, candidate: bool):
        """A request for the page, or, for a known article too old to re-check, the note that it was seen."""
        # depth None: a sitemap or feed entry, whose links are not followed.
        # A page whose links are still to be followed is fetched whatever the archive holds.
        if candidate and (depth is None or depth >= self.depth):
            decision = self.revisits.decide(public_url)
        else:
            decision = Decision("fetch")
        if decision.action == "seen":
            return self.seen_again(public_url)
        return self.request(public_url, self.parse_page, decision.headers, decision.meta, depth=depth, candidate=candidate)

    def public_url(self, response) -> str:
        if "redirect_urls" not in response.meta and response.meta.get("public_url"):
            return response.meta["public_url"]
        return self.hostmap.to_public(response.url)

    def on_site(self, url: str) -> bool:
        host = _host(url)
        bare = host.removeprefix("www.")
        if not any(bare == d or bare.endswith(f".{d}") for d in self.domains):
            self.crawler.stats.inc_value("newsspider/offsite_links")
            return False
        if self.hostmap.bases and host not in self.hostmap.bases:
            self.crawler.stats.inc_value("newsspider/unmapped_links")
            if host not in self._unmapped_warned:
                self._unmapped_warned.add(host)
                self.logger.warning("not following links to %s: NEWS_HOST_MAP has no base URL for it", host)
            return False
        return True

    # ---- callbacks ---------------------------------------------------------------------------
    def parse_page(self, response, depth: int | None, candidate: bool):
        public = self.public_url(response)
        if (item := self.not_modified(response, public)) is not None:
            yield item
            return
        if content_kind(response) != "html":
            if candidate:
                yield self.article_item(response, public)  # kept raw as not_html, counted
            else:
                self.crawler.stats.inc_value("newsspider/not_html")
                self.crawler.stats.inc_value("newsspider/pages/not_html_links")
            return
        if not isinstance(response, HtmlResponse):
            # HTML by its bytes under a generic Content-Type: Scrapy made it a plain Response.
            response = response.replace(cls=HtmlResponse)
        if candidate:
            if looks_like_listing(response.selector.root):
                self.crawler.stats.inc_value("newsspider/listing_pages")
                self.logger.debug("a listing, not an article: %s", public)
                # Kept raw all the same: a misclassified article can be recovered by reparse.
                yield self.unparsed(response, public, outcome="listing", error="classed as a listing, not an article")
            elif (item := self.article_item(response, public)) is not None:
                yield item
        else:
            self.crawler.stats.inc_value("newsspider/pages/links")
        if depth is not None and depth < self.depth:
            yield from self.follow_links(response, public, depth + 1)

    def follow_links(self, response, public: str, depth: int):
        base = absolute(response.xpath("//head/base/@href").get(), public) or public
        seen: set[str] = set()
        for href in response.xpath("//a/@href").getall():
            url = absolute(href, base)
            if not url or (url := strip_tracking(url)) in seen:
                continue
            seen.add(url)
            if not self.on_site(url):
                continue
            if looks_like_article_url(url):
                yield self.page_request(url, depth, candidate=True)
            elif depth < self.depth and looks_like_page_url(url):
                # A listing is only worth fetching for its links, so not on the last hop.
                yield self.page_request(url, depth, candidate=False)

    def index_request(self, public_url: str, index_depth: int):
        """The request for a sitemap or feed, or None (counted) when a discovery limit forbids it."""
        if index_depth > self.limits.max_depth:
            return self.limit_hit("depth", f"not fetching {public_url}: sitemap indexes nested deeper than "
                                           f"NEWS_SITEMAP_MAX_DEPTH={self.limits.max_depth}")
        if self.limits.max_files and self.documents >= self.limits.max_files:
            return self.limit_hit("files", f"not fetching {public_url}: "
                                           f"NEWS_SITEMAP_MAX_FILES={self.limits.max_files} sitemaps and feeds already fetched")
        self.documents += 1
        return self.request(public_url, self.parse_index, index_depth=index_depth)

    def discover(self, response, public: str):
        """Feeds and sitemaps of a homepage: its <link rel=alternate> feeds, robots.txt's Sitemap:
        lines, and COMMON_INDEX_PATHS, all on the homepage's own host; its article links last, as
        a start page's would be (the depth applies)."""
        if not isinstance(response, HtmlResponse):
            response = response.replace(cls=HtmlResponse)
        stats = self.crawler.stats
        stats.inc_value("newsspider/discovery/homepages")
        base = absolute(response.xpath("//head/base/@href").get(), public) or public
        found: list[str] = []
        for link in response.xpath("//link[@href]"):
            rel = (link.attrib.get("rel") or "").lower().split()
            kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
            if "alternate" in rel and kind in FEED_TYPES and (url := absolute(link.attrib["href"], base)):
                found.append(url)
                stats.inc_value("newsspider/discovery/link_rel")
        root = f"{urlsplit(public).scheme}://{urlsplit(public).netloc}"
        found.append(f"{root}/robots.txt")
        found += [f"{root}{path}" for path in COMMON_INDEX_PATHS]
        host = _host(public)
        for url in found:
            url = strip_tracking(url)
            if _host(url) != host:
                # Same host only: a feed on a CDN or another site is not this site's list.
                stats.inc_value("newsspider/discovery/offhost")
                continue
            stats.inc_value("newsspider/discovery/tried")
            if (request := self.index_request(url, index_depth=1)) is not None:
                yield request
        if self.depth >= 1:
            yield from self.follow_links(response, public, 1)

    def limit_hit(self, which: str, message: str) -> None:
        key = f"{LIMITS_PREFIX}{which}"
        if not self.crawler.stats.get_value(key):
            self.logger.warning("%s (logged once; counted in %s)", message, key)
        self.crawler.stats.inc_value(key)
        return None

    def parse_index(self, response, index_depth: int = 0):
        """A sitemap, sitemap index, feed or robots.txt: request what it lists, within the discovery limits."""
        public = self.public_url(response)
        self.crawler.stats.inc_value("newsspider/pages/index")
        if urlsplit(public).path == "/robots.txt":
            try:
                body = ungzip(response.body, self.max_size)
            except ValueError as exc:
                self.crawler.stats.inc_value("newsspider/index_errors")
                self.logger.warning("cannot read %s: %s", public, exc)
                return
            for url in sitemap_urls_from_robots(body, base_url=public):
                if self.on_site(url) and (request := self.index_request(strip_tracking(url), index_depth)) is not None:
                    yield request
            return
        listing = Reader(response.body, public, max_size=self.max_size)
        if listing.kind == "unknown" and index_depth == 0 and content_kind(response) == "html":
            # A homepage given as a sitemap or feed: look for the site's own lists (counted).
            yield from self.discover(response, public)
            return
        if listing.kind == "unknown":
            self.crawler.stats.inc_value("newsspider/index_errors")
            self.logger.warning("not a sitemap or feed: %s%s", public, f" ({listing.error})" if listing.error else "")
            return
        self.crawler.stats.inc_value(f"newsspider/index/{listing.kind}")
        read = 0
        for entry in listing:
            if not self.crawler.engine.running:
                # SIGINT/SIGTERM: the engine stops, and the rest of a 200,000-URL sitemap must not hold it up.
                self.crawler.stats.inc_value("newsspider/index/interrupted")
                return
            read += 1
            if self.limits.max_urls and read > self.limits.max_urls:
                self.limit_hit("urls_per_sitemap", f"{public}: read its first NEWS_SITEMAP_MAX_URLS={self.limits.max_urls} entries only")
                break
            if self.limits.max_total and self.taken >= self.limits.max_total:
                self.limit_hit("urls_per_crawl", f"{public}: NEWS_SITEMAP_MAX_URLS_PER_CRAWL={self.limits.max_total} "
                                                 "entries already taken from sitemaps and feeds")
                break
            if self.since and entry.date and entry.date < self.since:
                self.crawler.stats.inc_value("newsspider/index/older_than_since")
                continue
            url = strip_tracking(entry.url)
            if not self.on_site(url):
                continue
            self.taken += 1
            if listing.kind == "sitemapindex":
                if (request := self.index_request(url, index_depth + 1)) is not None:
                    yield request
            else:
                yield self.page_request(url, depth=None, candidate=True)
        if listing.error:
            self.crawler.stats.inc_value("newsspider/index_errors")
            self.logger.warning("cannot read all of %s: %s", public, listing.error)
        elif not read:
            self.logger.warning("no entries in %s", public)



# Where sites commonly keep their feeds and sitemaps; tried (politely, with the crawl's delay and
# robots.txt) only for a homepage given as a sitemap or feed.
COMMON_INDEX_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml",
                      "/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True)
class DiscoveryLimits:
    """How much sitemaps and feeds may add to a crawl; each limit hit is counted under LIMITS_PREFIX.

    0 turns a limit off, except max_depth, where 0 means that the indexes given are read but not
    the sitemaps they list.
    """

    max_depth: int  # sitemap index hops below a URL given (or found in robots.txt)
    max_urls: int  # entries read from one sitemap or feed
    max_total: int  # entries taken from all of them, per crawl
    max_files: int  # sitemaps and feeds fetched, per crawl

    @classmethod
    def from_settings(cls, settings) -> DiscoveryLimits:
        values = {name: settings.getint(setting) for name, setting in (
            ("max_depth", "NEWS_SITEMAP_MAX_DEPTH"), ("max_urls", "NEWS_SITEMAP_MAX_URLS"),
            ("max_total", "NEWS_SITEMAP_MAX_URLS_PER_CRAWL"), ("max_files", "NEWS_SITEMAP_MAX_FILES"))}
        if min(values.values()) < 0:
            raise ValueError("NEWS_SITEMAP_MAX_* settings must be 0 or more")
        return cls(**values)
