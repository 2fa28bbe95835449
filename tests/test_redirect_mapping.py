"""A mirror crawl never escapes to the real site through a redirect.

The mirror (a DiscoveryServer mapped as www.example.org by NEWS_HOST_MAP) answers 301 to the
public host it stands for. Every host name resolves to 127.0.0.1 (LoopbackResolver), and the
redirect names the port of a second local server: a request that escaped would land there.
"""

from __future__ import annotations

from newsspider.archive import Archive
from tests.support.discovery import PUBLIC, DiscoveryServer, discovery_crawl


def test_a_redirect_to_the_mapped_public_host_is_asked_of_the_mirror(tmp_path):
    with DiscoveryServer() as public_host:
        port = public_host.url.rsplit(":", 1)[1]
        run = discovery_crawl(tmp_path, "sitemap-1.xml", redirect_host=f"www.example.org:{port}",
                              spider_args=(f"start={PUBLIC}/redirect/a/moved/7123456.html", "depth=0"))
        leaked = dict(public_host.hits)
    assert leaked == {}  # not the page, not its robots.txt
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert run["hits"]["redirect"] == 1 and run["hits"]["article"] == 2  # the moved page, and the sitemap's
    assert run["stats"]["newsspider/redirect_mapped"] == 1
    with Archive(tmp_path / "archive.db") as archive:
        urls = {r["canonical_url"] for r in archive.db["articles"].rows}
    assert urls == {"http://www.example.org/a/moved/7123456.html", f"{PUBLIC}/a/0/0.html"}


def test_a_redirect_to_a_site_host_the_map_does_not_name_is_refused(tmp_path):
    with DiscoveryServer() as other_host:
        port = other_host.url.rsplit(":", 1)[1]
        run = discovery_crawl(tmp_path, "sitemap-1.xml", redirect_host=f"news.example.org:{port}",
                              spider_args=(f"start={PUBLIC}/redirect/a/moved/7123456.html", "depth=0"))
        leaked = dict(other_host.hits)
    assert leaked == {}
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert run["stats"]["newsspider/failures/redirect_unmapped"] == 1
    assert run["hits"]["article"] == 1
