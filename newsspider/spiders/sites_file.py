"""A sites file: many sites, their sources, parser and settings, crawled in one run (`crawl --sites`).

    [[site]]
    name = "example"                       # unique; names the summary line and crawl_runs.args.site
    parser = "generic"                     # or a site package (people_fr)
    start = ["https://www.example.org/"]   # start pages; a homepage in feeds/sitemaps is searched for them
    sitemaps = ["https://www.example.org/sitemap.xml"]
    feeds = ["https://www.example.org/feed.rss"]
    download_delay = 1.0                   # seconds between requests to the site
    max_pages = 500                        # responses, then the site's crawl stops
    recheck_days = 3                       # NEWSSPIDER_RECHECK_DAYS for this site
    depth = 1                              # link hops from a start page
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SOURCE_KEYS = ("start", "sitemaps", "feeds")
# key -> (accepted types, Scrapy setting or spider argument it becomes)
SETTING_KEYS = {
    "download_delay": ((int, float), "DOWNLOAD_DELAY"),
    "max_pages": ((int,), "CLOSESPIDER_PAGECOUNT"),
    "recheck_days": ((int, float), "NEWSSPIDER_RECHECK_DAYS"),
}
ARGUMENT_KEYS = {"depth": (int,), "since": (str,), "domains": (list,)}
KEYS = ("name", "parser", *SOURCE_KEYS, *SETTING_KEYS, *ARGUMENT_KEYS)


class SitesFileError(ValueError):
    pass


@dataclass
class Site:
    name: str
    parser: str
    start: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    arguments: dict = field(default_factory=dict)

    @property
    def spider(self) -> str:
        """A site package with a spider of its own crawls with it; any other site with `news`."""
        return self.parser if self.parser in site_spiders() else "news"

    def spider_args(self) -> dict[str, str]:
        args = {"site": self.name}
        if self.spider == "news":
            for key, given in (("start", self.start), ("sitemap", self.sitemaps), ("feed", self.feeds)):
                if given:
                    args[key] = ",".join(given)
        elif self.start:
            args["urls"] = ",".join(self.start)
        for key, value in self.arguments.items():
            args[key] = ",".join(value) if isinstance(value, list) else str(value)
        return args


def known_parsers() -> list[str]:
    """The parser names a site may give: generic, and each site package. The one place that asks the registry."""
    from .. import sites

    return ["generic", *sites.names()]


def site_spiders() -> list[str]:
    """Site packages that have a spider of their own (spider.py in the site's folder)."""
    from importlib.util import find_spec

    return [name for name in known_parsers()[1:] if find_spec(f"newsspider.sites.{name}.spider") is not None]


def _spider_arguments(name: str) -> list[str]:
    from scrapy.spiderloader import SpiderLoader

    from ..runs.crawl import project_settings

    return SpiderLoader.from_settings(project_settings()).load(name).arguments()


def load(path: str | Path) -> list[Site]:
    """The sites of a sites file, or SitesFileError naming every problem (site, key, and line when known)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: not valid TOML: {exc}") from None
    problems: list[str] = []
    unknown_top = sorted(set(data) - {"site"})
    for key in unknown_top:
        line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith((key, f"[{key}", f"[[{key}"))), "?")
        problems.append(f"{path}:{line}: unknown top-level key {key!r} (sites are [[site]] tables)")
    raw_sites = data.get("site", [])
    if not isinstance(raw_sites, list) or not raw_sites:
        problems.append(f"{path}: no [[site]] table")
        raise SitesFileError("\n".join(problems))
    parsers = known_parsers()
    sites: list[Site] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_sites, 1):
        name = raw.get("name")
        label = f"site {number}" + (f" ({name})" if isinstance(name, str) else "")

        def bad(message, key=None, label=label, number=number):
            problems.append(f"{path}:{_line(text, number, key)}: {label}: {message}")

        for key in sorted(set(raw) - set(KEYS)):
            bad(f"unknown key {key!r}; known: {', '.join(KEYS)}", key)
        if not isinstance(name, str) or not name.strip():
            bad("'name' is required, a string", "name")
            continue
        if name in seen:
            bad(f"duplicate site name {name!r}", "name")
        seen.add(name)
        parser = raw.get("parser", "generic")
        if parser not in parsers:
            bad(f"unknown parser {parser!r}; known: {', '.join(parsers)}", "parser")
        site = Site(name=name, parser=parser)
        for key in SOURCE_KEYS:
            value = raw.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                bad(f"{key!r} must be a URL or a list of URLs, got {type(value).__name__}", key)
                continue
            for url in value:
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    bad(f"{key!r}: not an http(s) URL: {url!r}", key)
            setattr(site, key, value)
        if not (site.start or site.sitemaps or site.feeds) and parser in parsers and site.spider == "news":
            # A site package's own spider knows where to start; the generic one must be told.
            bad("no sources: give start, sitemaps or feeds")
        for key, (types, setting) in SETTING_KEYS.items():
            if key in raw:
                value = raw[key]
                if isinstance(value, bool) or not isinstance(value, types) or value < 0:
                    bad(f"{key!r} must be a number of 0 or more, got {value!r}", key)
                else:
                    site.settings[setting] = value
        for key, types in ARGUMENT_KEYS.items():
            if key in raw:
                if isinstance(raw[key], bool) or not isinstance(raw[key], types):
                    bad(f"{key!r} must be {' or '.join(t.__name__ for t in types)}, got {raw[key]!r}", key)
                else:
                    site.arguments[key] = raw[key]
        if parser in parsers and site.spider != "news":
            accepted = _spider_arguments(site.spider)
            for key in site.arguments:
                if key not in accepted:
                    bad(f"{key!r} is not an argument of the {site.spider} spider; it takes: {', '.join(accepted)}", key)
        sites.append(site)
    if problems:
        raise SitesFileError("\n".join(problems))
    return sites


def _line(text: str, number: int, key: str | None) -> int | str:
    """The line of `key` in the number-th [[site]] table (its header without a key): tomllib gives no positions."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines, 1) if line.strip().replace(" ", "") == "[[site]]"]
    if number > len(headers):
        return "?"
    start = headers[number - 1]
    if key is None:
        return start
    end = headers[number] if number < len(headers) else len(lines) + 1
    for i in range(start, end):
        stripped = lines[i - 1].strip()
        if stripped.startswith(key) and stripped[len(key):].lstrip().startswith("="):
            return i
    return start
