"""`newsspider demo`: the people_fr spider on the bundled mirror, served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click

from ..archive.db import connect
from ..archive.read import EXAMPLE_QUERY, article_by_url_ending, article_listing
from ..runs.crawl import project_settings, run_crawl
from .mirror import MirrorServer, people_fr_mounts
from ..sites.people_fr import CANONICAL_HOST
from ..runs.counts import page_accounting, summary_line


def mirror_plan(mirror_dir: Path) -> dict[str, str]:
    """Spider arguments that cover the mirror: its sections, its index pages, its alias copies."""
    site = mirror_dir / "site"
    sections = sorted(p.name for p in site.iterdir() if (p / "index.html").is_file())
    pages = max((len(list((site / s).glob("index*.html"))) for s in sections), default=1)
    alias_urls = [
        f"http://{host_dir.name}/{page.relative_to(host_dir).as_posix()}"
        for host_dir in sorted((mirror_dir / "alias").glob("*"))
        for page in sorted(host_dir.rglob("*.html"))
    ]
    args = {"sections": ",".join(sections), "max_pages": str(pages)}
    if alias_urls:
        args["urls"] = ",".join(alias_urls)
    return args


def crawl_mirror(mirror_dir: Path, db_path: str, *, base_url: str, log_level: str = "WARNING", extra_settings: dict | None = None):
    settings = project_settings(
        {
            "ARCHIVE_DB": db_path,
            "PEOPLE_FR_BASE_URL": base_url,
            "PEOPLE_FR_ALIAS_BASE_URL": f"{base_url}/alias/french.people.com.cn",
            # Our own server on loopback: no need to wait between requests.
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_START_DELAY": 0,
            "NEWSSPIDER_CONTACT": "newsspider demo (local mirror)",
            "LOG_LEVEL": log_level,
            **(extra_settings or {}),
        }
    )
    return run_crawl("people_fr", settings=settings, args=mirror_plan(mirror_dir))


def run_demo(mirror_dir: Path, db_path: str, *, log_level: str = "WARNING") -> int:
    with MirrorServer(people_fr_mounts(mirror_dir)) as server:
        click.echo(f"Serving the mirror {mirror_dir} on {server.url} (as http://{CANONICAL_HOST}/)")
        result = crawl_mirror(mirror_dir, db_path, base_url=server.url, log_level=log_level)
    click.echo(summary_line("people_fr", result.run_id, result.status, result.finish_reason, result.counts, result.elapsed, db_path,
                            error=result.failure, pages=page_accounting(result.stats) if result.stats else None))
    if result.error:
        click.echo(f"error: {result.error}", err=True)
        return result.exit_code
    db = connect(db_path, readonly=True)
    rows = article_listing(db)
    click.echo(f"\n{len(rows)} articles in {db_path}:")
    for r in rows:
        headline = r["headline"] if len(r["headline"]) <= 70 else r["headline"][:67] + "..."
        click.echo(f"  {r['updated_at'][:16]}  {r['section']:<10} {r['credits']} credits {r['related']:>2} related  {headline}")
    seed = article_by_url_ending(db, "/c31355-9074390.html")
    db.close()
    click.echo(
        f"\nBrowse it:  .venv/bin/newsspider serve --db {db_path}   (datasette, then open http://127.0.0.1:8001/)\n"
        f"Query it:   .venv/bin/sqlite-utils {db_path} \"{EXAMPLE_QUERY}\" --table"
    )
    if seed:
        click.echo(f"The seed article is articles/{seed[0]}: {seed[1]}")
    return result.exit_code
