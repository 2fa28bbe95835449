"""The health alarm: each run's field coverage per site, against the site's recent runs.

Silent breakage after a redesign shows as a field that suddenly goes missing: the headline
is found on every page, but updated_at on none. Each run records, per site, the share of its
articles that have each field; a field whose share falls below HEALTH_DROP_RATIO of the
median of the last HEALTH_HISTORY_RUNS runs (that had at least HEALTH_MIN_ARTICLES articles
of the site) raises an alarm: the run's summary says so and `newsspider crawl` exits 5.
"""

from __future__ import annotations

from statistics import median

FIELDS = ("headline", "body", "published_at", "updated_at", "authors", "image_credits", "related_links")
PREFIX = "newsspider/coverage/"


def count(stats, article) -> None:
    """Count one stored article's fields in the crawl stats."""
    site = article.site or "unknown"
    stats.inc_value(f"{PREFIX}{site}/articles")
    for name in FIELDS:
        if getattr(article, name, None):
            stats.inc_value(f"{PREFIX}{site}/{name}")


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
            out[site] = {"articles": articles, **{name: round(counts.get(name, 0) / articles, 4) for name in FIELDS}}
    return out


def alarms(site: str, current: dict, history: list[dict], *, min_articles: int = 3, drop_ratio: float = 0.5,
           min_baseline: float = 0.2, min_history: int = 2) -> list[dict]:
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
    return found


def describe(found: list[dict]) -> str:
    return "; ".join(f"{a['site']} {a['field']} on {a['share']:.0%} of articles (usually {a['baseline']:.0%})" for a in found)


def run_alarms(archive, spider: str, run_id: int, coverage: dict[str, dict[str, float]], settings) -> list[dict]:
    """The alarms of run `run_id`: each site's coverage against the earlier runs of `spider`, per the HEALTH_* settings."""
    # A crawl with the alarm off records no coverage, but ingest counts it regardless: it must ask.
    if not settings.getbool("HEALTH_ENABLED", True):
        return []
    found = []
    for site, current in coverage.items():
        history = archive.coverage_history(spider, site, before_run=run_id, limit=settings.getint("HEALTH_HISTORY_RUNS", 5))
        found += alarms(site, current, history, min_articles=settings.getint("HEALTH_MIN_ARTICLES", 3),
                        drop_ratio=settings.getfloat("HEALTH_DROP_RATIO", 0.5))
    return found
