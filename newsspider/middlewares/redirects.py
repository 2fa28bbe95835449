"""Redirects are followed on the site only, whatever marks the request carries.

Scrapy's off-site filter skips requests marked dont_filter, and a redirect inherits the mark
from the request it answers. Every retried request carries it (RetryMiddleware and
RetryAfterMiddleware set it), so "500, then 302 to another host" was followed off the site.
This middleware checks the request about to go out instead: one reached through a redirect
(HTTP or <meta refresh>) to a host outside the spider's allowed_domains is refused, and counted
as newsspider/failures/redirect_offsite. It runs before RobotsTxtMiddleware (100), so not even
the other host's robots.txt is asked for. A spider without allowed_domains may go anywhere.

A mirror crawl (a spider whose `hostmap` sends public hosts to other base URLs: NEWS_HOST_MAP,
PEOPLE_FR_BASE_URL) must not escape to the real site through a redirect either: a mirror that
redirects to the public host it stands for is asked again at the mirror (counted in
newsspider/redirect_mapped), and with a host map, a redirect to any host that is not one the
map fetches from is refused (newsspider/failures/redirect_unmapped), robots.txt included.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from .failures import PREFIX


class OffsiteRedirectMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if not request.meta.get("redirect_urls"):
            return None
        hostmap = getattr(self.crawler.spider, "hostmap", None)
        mapped = hostmap is not None and bool(hostmap.bases)
        host = (urlsplit(request.url).hostname or "").lower()
        if mapped and hostmap.is_mirrored(host):
            self.crawler.stats.inc_value("newsspider/redirect_mapped")
            return request.replace(url=hostmap.to_fetch(request.url))
        domains = [d.lower() for d in (getattr(self.crawler.spider, "allowed_domains", None) or []) if d]
        if domains and not on_domains(request.url, domains):
            self.crawler.stats.inc_value(f"{PREFIX}/redirect_offsite")
            raise IgnoreRequest(f"redirect off the site: {request.meta['redirect_urls'][0]} -> {request.url}")
        if mapped and host not in hostmap.fetch_domains():
            self.crawler.stats.inc_value(f"{PREFIX}/redirect_unmapped")
            raise IgnoreRequest(f"redirect to a host the host map does not fetch from: {request.meta['redirect_urls'][0]} -> {request.url}")
        return None


def on_domains(url: str, domains: list[str]) -> bool:
    """Whether the URL's host is one of the domains or below one, as Scrapy's off-site rule has it (ports aside)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
