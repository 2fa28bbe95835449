"""URL helpers shared by parsers and spiders: absolute links, canonical forms."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Our own list, not courlan's TRACKERS_RE (measured in tests/test_libraries_measured.py): that
# pattern misses ocid, cmpid, ito, smid, spm, from and share, and drops parameters that name the
# page itself on some sites (uid, source, session, keyword, sourceid), which would merge distinct
# articles under one canonical URL. w3lib's url_query_cleaner takes a list too: it has none of its own.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
     "_ga", "_gl", "ocid", "cmpid", "ito", "ref", "ref_src", "smid", "mkt_tok", "at_medium", "at_campaign",
     "xtor", "spm", "from", "share"}
)


def absolute(href: str | None, base: str) -> str | None:
    """Resolve a link; None for javascript:, mailto:, fragments and other non-pages."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    scheme = href.split(":", 1)[0].lower() if ":" in href.split("/", 1)[0] else ""
    if scheme and scheme not in ("http", "https"):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def strip_tracking(url: str) -> str:
    """Drop the fragment and tracking parameters (utm_*, fbclid, ...)."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def same_site(a: str, b: str) -> bool:
    """Same registrable-ish domain: www.x.com and x.com and m.x.com match."""
    ha, hb = (urlsplit(a).hostname or ""), (urlsplit(b).hostname or "")
    if not ha or not hb:
        return False
    ha, hb = ha.removeprefix("www."), hb.removeprefix("www.")
    return ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha) or _base_domain(ha) == _base_domain(hb)


def _base_domain(host: str) -> str:
    labels = host.split(".")
    # co.uk, com.cn, com.au: keep three labels when the second-level label is generic.
    if len(labels) >= 3 and labels[-2] in {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
