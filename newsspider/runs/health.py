"""The health alarm: each run's field coverage per site, against the site's recent runs.

Silent breakage after a redesign shows as a field that suddenly goes missing: the headline
is found on every page, but updated_at on none. Each run records, per site, the share of its
articles that have each field; a field whose share falls below HEALTH_DROP_RATIO of the
median of the last HEALTH_HISTORY_RUNS runs (that had at least HEALTH_MIN_ARTICLES articles
of the site) raises an alarm: the run's summary says so and `newsspider crawl` exits 5.

A redesign the site parser does not know may not lower coverage at all: the generic extractor
answers for the fields the site parser no longer finds (Article.fallback_fields). Each field's
site-parser hits and fallbacks are therefore counted apart, and a field whose fallback share rises
by HEALTH_FALLBACK_JUMP or more above its recent median raises the alarm too.
"""

from __future__ import annotations

from statistics import median

FIELDS = ("headline", "body", "published_at", "updated_at", "authors", "image_credits", "related_links")
PREFIX = "newsspider/coverage/"
FALLBACK_SUFFIX = ".fallback"


def count(stats, article) -> None:
    """Count one stored article's fields in the crawl stats."""
    site = article.site or "unknown"
    stats.inc_value(f"{PREFIX}{site}/articles")
    fell_back = set(getattr(article, "fallback_fields", None) or ())
    for name in FIELDS:
        if getattr(article, name, None):
            stats.inc_value(f"{PREFIX}{site}/{name}")
            if name in fell_back:
                stats.inc_value(f"{PREFIX}{site}/{name}{FALLBACK_SUFFIX}")


def coverage_from_stats(stats: dict) -> dict[str, dict[str, float]]:
    sites: dict[str, dict[str, float]] = {}
    for key, value in stats.items():
        if not key.startswith(PREFIX):
            continue
        site, _, name = key[len(PREFIX):].rpartition("/")
        sites.setdefault(site, {})[name] = value
    out = {}
    for site, counts in sites.items():
        articles = counts.get("articles", 0)
        if articles:
            share = lambda n: round(n / articles, 4)  # noqa: E731
            fallback = {name: counts.get(name + FALLBACK_SUFFIX, 0) for name in FIELDS}
            out[site] = {
                "articles": articles,
                **{name: share(counts.get(name, 0)) for name in FIELDS},
                # Of the articles, the share whose field the site parser found, and the share the generic fallback gave.
                "site_parser": {name: share(counts.get(name, 0) - fallback[name]) for name in FIELDS},
                "fallback": {name: share(fallback[name]) for name in FIELDS},
            }
    return out


def alarms(site: str, current: dict, history: list[dict], *, min_articles: int = 3, drop_ratio: float = 0.5,
           min_baseline: float = 0.2, min_history: int = 2, fallback_jump: float = 0.3) -> list[dict]:
    """The fields of `site` whose share this run fell well below their recent median."""
    if current.get("articles", 0) < min_articles:
        return []  # too few articles to tell a broken parser from bad luck
    usable = [h for h in history if h.get("articles", 0) >= min_articles]
    if len(usable) < min_history:
        return []
    found = []
    for name in FIELDS:
        past = [h[name] for h in usable if name in h]
        if len(past) < min_history:
            continue
        baseline = median(past)
        share = current.get(name, 0.0)
        if baseline >= min_baseline and share < baseline * drop_ratio:
            found.append({"site": site, "field": name, "share": share, "baseline": round(baseline, 4)})
    # Runs recorded before fallbacks were counted say nothing about them: only those that did count.
    counted = [h["fallback"] for h in usable if isinstance(h.get("fallback"), dict)]
    if len(counted) >= min_history:
        for name in FIELDS:
            baseline = median(h.get(name, 0.0) for h in counted)
            share = (current.get("fallback") or {}).get(name, 0.0)
            if share - baseline >= fallback_jump:
                found.append({"site": site, "field": name, "kind": "fallback", "share": share, "baseline": round(baseline, 4)})
    return found


def describe(found: list[dict]) -> str:
    return "; ".join(
        f"{a['site']} {a['field']} from the generic fallback on {a['share']:.0%} of articles (usually {a['baseline']:.0%})"
        if a.get("kind") == "fallback"
        else f"{a['site']} {a['field']} on {a['share']:.0%} of articles (usually {a['baseline']:.0%})"
        for a in found
    )


def run_alarms(archive, spider: str, run_id: int, coverage: dict[str, dict[str, float]], settings) -> list[dict]:
    """The alarms of run `run_id`: each site's coverage against the earlier runs of `spider`, per the HEALTH_* settings."""
    # A crawl with the alarm off records no coverage, but ingest counts it regardless: it must ask.
    if not settings.getbool("HEALTH_ENABLED", True):
        return []
    found = []
    for site, current in coverage.items():
        history = archive.coverage_history(spider, site, before_run=run_id, limit=settings.getint("HEALTH_HISTORY_RUNS", 5))
        found += alarms(site, current, history, min_articles=settings.getint("HEALTH_MIN_ARTICLES", 3),
                        drop_ratio=settings.getfloat("HEALTH_DROP_RATIO", 0.5),
                        fallback_jump=settings.getfloat("HEALTH_FALLBACK_JUMP", 0.3))
    return found
