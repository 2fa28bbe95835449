"""The `newsspider` command line."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import textwrap
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import click

from . import __version__
from .runs import health
from .archive.db import FILE_MODE, Archive, make_dirs
from .runs.crawl import EXIT_ALARM, EXIT_EMPTY, EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_NEEDS_UPGRADE, EXIT_USAGE, project_settings, run_crawl
from .distributed import DEFAULT_PREFIX
from .evaluation.metrics import definitions_help
from .names import check_name
from .spiders.user_agent import templated_user_agent
from .archive.lock import ArchiveLock, ArchiveLocked, UnsafeLockFile
from .commands.pagefile import GZIP_MAGIC, inflate, read_page
from .runs.counts import RunCounts, limits_hit, page_accounting, summary_line
from .timestamps import utc_columns

# Package data (pyproject.toml), so that `newsspider demo` runs from an installed wheel; the tests serve it too.
DEFAULT_MIRROR = Path(__file__).resolve().parent / "demo_data" / "people_fr"


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        out[name.strip()] = val
    return out


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO 8601 time such as 2024-06-01T12:00:00+02:00, got {value!r}", param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _article_dict(article) -> dict:
    """An article as `extract` prints it: its fields, then the UTC columns the archive would store."""
    return {**article.to_dict(), **utc_columns(article)}


@contextmanager
def _archive_run(db_path: str, name: str, wait: float = 0.0):
    """Hold the archive's lock for one command that writes to it (crawl, ingest, reparse, demo); exit 4 if another holds it."""
    try:
        lock = ArchiveLock(db_path).acquire(wait)
    except ArchiveLocked as exc:
        click.echo(f"newsspider {name}: not started: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except UnsafeLockFile as exc:
        click.echo(f"newsspider {name}: not started: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    try:
        if Path(db_path).exists():
            with Archive(db_path) as archive:
                # Holding the lock, no other run can be going on: a run still marked running was killed.
                archive.close_stale_runs()
        yield
    finally:
        lock.release()


def _summary(name: str, result, db_path: str) -> str:
    stats = getattr(result, "stats", None) or {}  # an ingest has no crawl stats
    line = summary_line(name, result.run_id, result.status, result.finish_reason, result.counts, result.elapsed, db_path,
                        error=result.failure, pages=page_accounting(stats) if stats else None)
    line += limits_hit(stats)
    if result.alarms:
        line += f" ALARM: {health.describe(result.alarms)}"
    return line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsspider")
def main():
    """newsspider: crawl news sites into a SQLite archive.

    \b
    Examples:
      newsspider demo                                  # crawl the bundled mirror into ./archive.db
      newsspider crawl people_fr -a sections=Economie  # crawl the real site
      newsspider crawl --sites sites.toml              # every site of a sites file, one run
      newsspider extract https://www.example.org/a.html  # fetch and parse one live page
      newsspider extract --url URL page.html           # parse one saved page
      newsspider serve                                 # browse the archive in datasette
      newsspider reparse                               # re-extract stored pages with today's parsers
      newsspider export --format jsonl -o a.jsonl      # articles as JSON lines (or csv, parquet, text, markdown, warc, wacz)
      newsspider ingest --redis redis://host:6379/0    # write what `crawl --redis` workers found
      newsspider upgrade --db archive.db               # bring an older archive up to this version
    """


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("spider", required=False)
@click.option("--sites", "sites_path", type=click.Path(exists=True, dir_okay=False),
              help="Crawl every site of this sites file (TOML, see `newsspider sites check`) in one run, instead of SPIDER.")
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to write to.")
@click.option("-a", "spider_args", multiple=True, metavar="NAME=VALUE", help="Spider argument, as in `scrapy crawl -a`.")
@click.option("-s", "settings_args", multiple=True, metavar="NAME=VALUE", help="Scrapy setting, as in `scrapy crawl -s`.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only discover articles dated on or after this day (listings, sitemaps, feeds).")
@click.option("--full", is_flag=True, help="Fetch every article again, known or not (default: incremental).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write Scrapy's log to this file instead of stderr.")
@click.option("--log-level", default=None, type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Scrapy log level (default INFO).")
@click.option("--redis", "redis_url", metavar="URL",
              help="Run as one worker of a crawl shared through Redis (redis://[:password@]host:6379/0): "
              "items go to `newsspider ingest`, not to --db.")
@click.option("--redis-job", metavar="NAME",
              help="With --redis: the shared crawl to join (default: the spider's name). Workers of one job share a frontier.")
@click.option("--redis-prefix", default=DEFAULT_PREFIX, show_default=True, metavar="PREFIX",
              help="With --redis: namespace of the Redis keys, one per archive (ingest takes the same).")
@click.option("--redis-reset", is_flag=True,
              help="With --redis: forget the job's frontier and seen requests first (refused while workers of the job run).")
def crawl(spider, sites_path, db_path, spider_args, settings_args, since, full, log_file, log_level, redis_url, redis_job, redis_prefix, redis_reset):
    """Crawl SPIDER into the archive and print a one-line summary.

    Runs are incremental: new articles are fetched, known ones newer than
    NEWSSPIDER_RECHECK_DAYS (3) re-checked with conditional requests, older
    ones only noted as seen. One run at a time per archive: a second one
    exits at once.

    \b
    Exit codes:
      0  success
      1  the crawl failed (did not finish, or no page could be fetched)
      2  bad usage (unknown spider, bad option, unknown or bad -a argument)
      3  nothing was found: no article stored or seen (a site that stops yielding articles)
      4  another run holds the archive's lock (<db>.lock)
      5  health alarm: a field's coverage fell well below the site's recent runs,
         or its share of generic-fallback answers rose well above them

    \b
    Spiders: people_fr (People's Daily Online in French), news (any site).
    people_fr arguments:
      -a sections=Economie,Chine   section index pages to start from
      -a max_pages=N               index pages per section (index.html, index2.html, ...)
      -a urls=URL,URL              article URLs to fetch as well
    news arguments: -a start=URL, -a sitemap=URL, -a feed=URL (see the README)

    With --redis URL, this process is one worker of a crawl that any number
    of workers, on any machines, share through Redis: one frontier, one
    duplicate filter. It never opens --db and takes no lock; `newsspider
    ingest` writes what the workers found. A worker exits 0 when the shared
    crawl is over (1 if it failed, 4 if --redis-reset was refused).

    \b
    Examples:
      newsspider crawl people_fr
      newsspider crawl people_fr --db /srv/news/archive.db -a sections=Economie -a max_pages=2
      newsspider crawl people_fr --since 2024-05-01 --log-file /var/log/newsspider.log
      newsspider crawl news -a sitemap=https://www.example.org/sitemap.xml -s NEWSSPIDER_CONTACT=me@example.org
      newsspider crawl people_fr --redis redis://:secret@10.0.0.5:6379/0   # on each worker machine
      newsspider crawl --sites examples/sites.toml --db /srv/news/archive.db  # every site, one run

    With --sites FILE, every site of the file is crawled in one run (one
    process, one lock): one summary line per site, then a total. Each site
    has its own crawl_runs row (args.site names it). The exit code is the
    worst of the sites' (1 over 5 over 3 over 0), and the total names the
    sites that did not succeed.
    """
    if bool(spider) == bool(sites_path):
        raise click.UsageError("give a SPIDER or --sites FILE (not both)")
    overrides = _pairs(settings_args, "-s")
    overrides["ARCHIVE_DB"] = db_path
    if log_level:
        overrides["LOG_LEVEL"] = log_level.upper()
    if log_file:
        overrides["LOG_FILE"] = log_file
        # Made here with its mode: Scrapy's logging would create it 0o666 & ~umask.
        make_dirs(Path(log_file).parent)
        os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))
    if full:
        overrides["NEWSSPIDER_INCREMENTAL"] = False
    args = _pairs(spider_args, "-a")
    if since:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise click.BadParameter(f"expected a date such as 2024-05-01, got {since!r}", param_hint="--since") from None
        args["since"] = since
    settings = project_settings(overrides)
    if sites_path:
        if spider_args or redis_url or redis_job or redis_reset:
            raise click.UsageError("--sites takes its sources and arguments from the file: no -a, no --redis")
        sys.exit(_crawl_sites(sites_path, settings, args, db_path))
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(settings)
    known = loader.list()
    if spider not in known:
        raise click.UsageError(f"unknown spider {spider!r}; known: {', '.join(sorted(known))}")
    accepted = getattr(loader.load(spider), "arguments", lambda: None)()
    unknown = sorted(set(args) - set(accepted)) if accepted is not None else []
    if unknown:
        raise click.UsageError(f"unknown argument {', '.join('-a ' + a for a in unknown)} for spider {spider}; "
                               f"known: {', '.join(accepted)}")
    if not settings.get("NEWSSPIDER_CONTACT") and templated_user_agent(settings) is not None:
        click.echo(f"newsspider {spider}: warning: NEWSSPIDER_CONTACT is not set, so site operators cannot reach you "
                   "(the User-Agent says \"contact: unset\"); pass -s NEWSSPIDER_CONTACT=you@example.org", err=True)
    if redis_url:
        sys.exit(_crawl_worker(spider, settings, args, redis_url, redis_job or spider, redis_prefix, redis_reset))
    if redis_job or redis_reset:
        raise click.UsageError("--redis-job and --redis-reset go with --redis URL")
    with _archive_run(db_path, spider):
        result = run_crawl(spider, settings=settings, args=args)
    if result.error:
        click.echo(f"newsspider {spider}: cannot start: {result.error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(_summary(spider, result, db_path))
    if result.status == "failed" and result.finish_reason == "finished":
        click.echo(f"newsspider {spider}: failed: no page could be fetched ({result.counts.http_errors} network or HTTP errors, "
                   "see the log); is the site, or the network, down?", err=True)
    sys.exit(result.exit_code)


def _crawl_sites(path, settings, args, db_path) -> int:
    from .spiders import sites_file
    from .runs.crawl import run_sites

    try:
        sites = sites_file.load(path)
    except sites_file.SitesFileError as exc:
        raise click.UsageError(str(exc)) from None
    for site in sites:
        site.arguments.update({k: v for k, v in args.items() if k not in site.arguments})  # --since
    with _archive_run(db_path, "crawl --sites"):
        results = run_sites(sites, settings=settings)
    worst, failing = EXIT_OK, []
    total = RunCounts()
    for result in results:
        if result.error:
            click.echo(f"newsspider {result.spider}: cannot start: {result.error}", err=True)
        click.echo(_summary(result.spider, result, db_path))
        code = result.exit_code if not result.error else EXIT_USAGE
        if code:
            failing.append(f"{result.spider} (exit {code})")
        worst = max(worst, code, key=_EXIT_SEVERITY.index)
        for key, value in result.counts.as_dict().items():
            setattr(total, key, getattr(total, key) + value)
    status = "finished" if not failing else f"{len(failing)} of {len(results)} sites did not succeed: {', '.join(failing)}"
    elapsed = max((r.elapsed for r in results), default=0.0)
    click.echo(summary_line(f"total ({len(results)} sites)", None, status, None, total, elapsed, db_path))
    return worst


# Which site's exit code the run of many sites takes: the most serious.
_EXIT_SEVERITY = [EXIT_OK, EXIT_EMPTY, EXIT_ALARM, EXIT_USAGE, EXIT_FAILED]


def _crawl_worker(spider, settings, args, url, job, prefix, reset) -> int:
    from .distributed import worker

    try:
        check_name(job, "--redis-job")
        check_name(prefix, "--redis-prefix")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    retry_seconds = settings.getfloat("REDIS_RETRY_SECONDS")
    try:
        warning = worker.ping(url, retry_seconds)
        running = worker.reset_job(url, job, prefix, retry_seconds) if reset else 0
    except worker.RedisUnavailable as exc:
        click.echo(f"newsspider {spider}: not started: {exc}", err=True)
        return EXIT_FAILED
    if warning:
        click.echo(f"newsspider {spider}: WARNING: {warning}", err=True)
    if running:
        click.echo(f"newsspider {spider}: not started: {running} workers of job {job} are running; not resetting it", err=True)
        return EXIT_LOCKED
    result = worker.run_worker(spider, settings=settings, args=args, url=url, job=job, prefix=prefix)
    if result.crawl.error:
        click.echo(f"newsspider {spider}: cannot start: {result.crawl.error}", err=True)
        return EXIT_USAGE
    click.echo(worker.summary_line(spider, result, url, job))
    return result.exit_code


@main.command()
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The Redis the workers push to (redis://[:password@]host:6379/0).")
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to write to.")
@click.option("--redis-prefix", default=DEFAULT_PREFIX, show_default=True, metavar="PREFIX",
              help="Namespace of the Redis keys, as given to the workers.")
@click.option("--idle-seconds", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Stop once no item has come, and no worker has run, for this long.")
@click.option("--follow", is_flag=True, help="Never stop on idleness; run until SIGTERM or Ctrl-C (a service).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Items per write transaction (default ARCHIVE_BATCH_SIZE, 50).")
@click.option("-s", "settings_args", multiple=True, metavar="NAME=VALUE",
              help="Setting, e.g. HEALTH_DROP_RATIO=0.3 (health alarm) or ARCHIVE_BATCH_SIZE.")
def ingest(redis_url, db_path, redis_prefix, idle_seconds, follow, batch_size, settings_args):
    """Write what `newsspider crawl --redis` workers found into the archive.

    The single writer of a crawl spread over workers: it takes items from
    Redis in batches, dedupes them as a local crawl does, writes each batch
    in one transaction and only then removes it from Redis (a killed ingest
    loses nothing). It holds the archive's lock while it runs, records its
    run in crawl_runs (spider "ingest") and ends with a one-line summary.

    \b
    Exit codes, as for crawl:
      0  stored articles (new, updated or seen again)
      1  failed: Redis or the archive became unusable, or interrupted without --follow
      3  nothing was stored
      4  another run holds the archive's lock (<db>.lock)
      5  health alarm: a field's coverage fell well below the site's recent runs,
         or its share of generic-fallback answers rose well above them

    \b
    Examples:
      newsspider ingest --redis redis://127.0.0.1:6379/0 --db /srv/news/archive.db
      newsspider ingest --redis redis://:secret@10.0.0.5:6379/0 --follow
      newsspider ingest --redis redis://127.0.0.1:6379/0 --redis-prefix archive2 --idle-seconds 60
    """
    from .distributed import worker
    from .distributed.ingest import run_ingest

    try:
        check_name(redis_prefix, "--redis-prefix")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    settings = project_settings(_pairs(settings_args, "-s"))
    try:
        warning = worker.ping(redis_url, settings.getfloat("REDIS_RETRY_SECONDS"))
    except worker.RedisUnavailable as exc:
        click.echo(f"newsspider ingest: not started: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    if warning:
        click.echo(f"newsspider ingest: WARNING: {warning}", err=True)
    with _archive_run(db_path, "ingest"):
        result = run_ingest(redis_url, db_path, prefix=redis_prefix, settings=settings, idle_seconds=idle_seconds,
                            follow=follow, batch_size=batch_size)
    line = _summary("ingest", result, db_path)
    if result.rejected:
        line += f" ({result.rejected} messages rejected: see {redis_prefix}:items:rejected)"
    click.echo(line)
    if result.error:
        click.echo(f"newsspider ingest: {result.error}", err=True)
    sys.exit(result.exit_code)


EXTRACT_CANNOT_FETCH = 3
EXTRACT_NOT_AN_ARTICLE = 4


def _normalized(article, moment, html: bytes):
    """The article cleaned as the crawl cleans it, and why it is not one when it is a soft error page
    (an error page served with status 200: the crawl keeps it raw and stores no article)."""
    from .parsers.normalize import normalize

    fetched = moment or datetime.now(timezone.utc)
    return normalize(article, fetched.isoformat(), html=html, required=()).soft_error


@main.command()
@click.argument("source", required=False, metavar="[URL | FILE | -]")
@click.option("--url", help="The URL the page was fetched from (chooses the parser, resolves links); needed with FILE and -.")
@click.option("--batch", is_flag=True, help='Read JSON lines {"url", "path"} on stdin, write one result line each.')
@click.option("--now", help="Treat this ISO 8601 time as the present (dates after it are rejected). Default: the clock.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="With a URL: seconds to wait for the server.")
@click.option("-s", "settings_args", multiple=True, metavar="NAME=VALUE",
              help="With a URL: a setting, e.g. NEWSSPIDER_CONTACT=you@example.org for the User-Agent.")
def extract(source, url, batch, now, timeout, settings_args):
    """Parse one page (a live URL, a saved file, or stdin) and print the article as JSON.

    A URL (http:// or https://) is fetched once, politely: the crawler's
    User-Agent, the site's robots.txt obeyed, redirects followed. A FILE
    (.html or .html.gz) or - (the page on stdin) is parsed offline and needs
    --url. In --batch mode each output line is {"url", "path", "article":
    {...}, "utc": {...}} or {"url", "path", "error": "..."}, in input order;
    a bad page never stops the batch. A field whose extraction
    failed is empty, and named in "field_errors": {field: error}. The
    article is cleaned and judged as the crawl does (newsspider.parsers.
    normalize); an error page served as a page ("404 Not Found" with
    status 200) prints no article: exit 4, or "error": "soft error page: ..."
    in --batch mode.

    \b
    Exit codes:
      0  the article was printed
      1  the page was read but could not be parsed
      2  bad usage (no such file, FILE or - without --url)
      3  the URL could not be fetched (unreachable, HTTP error, refused by robots.txt)
      4  the page is an error page served as a page (a soft 404): no article

    \b
    Examples:
      newsspider extract https://www.example.org/news/2024/05/story-123.html -s NEWSSPIDER_CONTACT=you@example.org
      newsspider extract --url http://french.peopledaily.com.cn/Economie/n3/2016/0619/c31355-9074390.html page.html
      curl -s URL | newsspider extract - --url URL
      echo '{"url": "https://example.org/a", "path": "a.html.gz"}' | newsspider extract --batch
    """
    from .parsing.budget import ParseTimeout, time_limit
    from .parsers import ParseError
    from .parsing import parse, parse_page
    from .settings import PARSE_TIME_LIMIT_SECONDS

    moment = _parse_now(now)
    if batch:
        if source or url:
            raise click.UsageError("--batch reads stdin; do not pass a source or --url")
        for line in sys.stdin:
            if not line.strip():
                continue
            record = {"url": None, "path": None}
            try:
                case = json.loads(line)
                record = {"url": case.get("url"), "path": case.get("path")}
                html = read_page(record["path"])
                with time_limit(PARSE_TIME_LIMIT_SECONDS):
                    parsed = parse_page(html, record["url"], now=moment)
                if (reason := _normalized(parsed.article, moment, html)) is not None:
                    raise _SoftError(reason)
                record["article"] = parsed.article.to_dict()
                record["utc"] = utc_columns(parsed.article)
                if parsed.field_errors:
                    record["field_errors"] = parsed.field_errors
            except _SoftError as exc:
                record["error"] = f"soft error page: {exc}"
            except (ParseTimeout, ParseError, OSError, ValueError, TypeError, AttributeError, EOFError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    if source and source.split(":", 1)[0].lower() in ("http", "https") and "://" in source:
        if url and url != source:
            raise click.UsageError("a URL source is its own --url; pass one or the other")
        page, article = _extract_live(source, moment, timeout, settings_args)
        _print_article(source, article, moment, page.body)
        return
    if not source or not url:
        raise click.UsageError("pass a URL, or FILE (or - for stdin) with --url URL (or --batch)")
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "stdin"
    else:
        if not Path(source).is_file():
            raise click.UsageError(f"no such file: {source}")
        name = source
        try:
            data = read_page(source)
        except ValueError as exc:
            raise click.ClickException(f"cannot read {name}: {exc}") from exc
    if data[:2] == GZIP_MAGIC:
        try:
            data = inflate(io.BytesIO(data))
        except ValueError as exc:
            raise click.ClickException(f"cannot read {name}: {exc}") from exc
    try:
        with time_limit(PARSE_TIME_LIMIT_SECONDS):
            article = parse(data, url, now=moment)
    except (ParseTimeout, ParseError) as exc:
        raise click.ClickException(f"cannot parse {name}: {exc}") from exc
    _print_article(name, article, moment, data)


def _print_article(name: str, article, moment, html: bytes) -> None:
    """The article as JSON, once judged as the crawl judges it: the same for a FILE, stdin and a URL."""
    if (reason := _normalized(article, moment, html)) is not None:
        click.echo(f"newsspider extract: {name} is an error page served as a page, not an article (soft error page: {reason})", err=True)
        sys.exit(EXTRACT_NOT_AN_ARTICLE)
    click.echo(json.dumps(_article_dict(article), ensure_ascii=False, indent=2))


class _SoftError(Exception):
    pass


def _extract_live(url: str, moment, timeout: float, settings_args):
    """Fetch and parse one live page, as newsspider.fetch does; exit 3 when it cannot be fetched."""
    from .commands.fetch import FetchError, fetch_and_parse
    from .spiders.user_agent import user_agent
    from .parsers import ParseError

    agent = user_agent(project_settings(_pairs(settings_args, "-s")))
    try:
        return fetch_and_parse(url, agent=agent, timeout=timeout, now=moment)
    except FetchError as exc:
        click.echo(f"newsspider extract: cannot fetch {url}: {exc}", err=True)
        sys.exit(EXTRACT_CANNOT_FETCH)
    except ParseError as exc:
        raise click.ClickException(f"cannot parse {url}: {exc}") from exc


@main.command()
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to write to.")
@click.option("--mirror", type=click.Path(file_okay=False), default=None,
              help="The mirror folder (default: the one shipped in the package, newsspider/demo_data/people_fr).")
@click.option("--log-level", default="WARNING", show_default=True, type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def demo(db_path, mirror, log_level):
    """Serve the bundled mirror of People's Daily French on 127.0.0.1 and crawl it.

    The real people_fr spider and settings crawl the mirror exactly as they
    would the site; only the base URLs point at the local server. No traffic
    leaves this machine.

    \b
    Example:
      newsspider demo && datasette archive.db
    """
    from .commands.demo import run_demo

    mirror_dir = Path(mirror) if mirror else DEFAULT_MIRROR
    if not (mirror_dir / "site").is_dir():
        raise click.UsageError(f"no mirror at {mirror_dir} (expected a site/ folder); pass --mirror")
    with _archive_run(db_path, "demo"):
        code = run_demo(mirror_dir, db_path, log_level=log_level.upper())
    sys.exit(code)


@main.command("eval")
@click.argument("cases_file", metavar="CASES.jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option("--compare", metavar="NAMES", help="Also run these baselines (comma-separated: trafilatura, htmldate) on the same pages; "
              "their scores are printed beside ours, with the pages on which we are worse/better.")
@click.option("--worst", type=click.IntRange(min=1), metavar="N",
              help="List, per field, the N pages where we lose most to each baseline (the two values), or score lowest.")
@click.option("--folds", type=click.IntRange(min=2), metavar="K", help="Split the cases into K folds by publisher; print every field per fold "
              "and measure each rule of newsspider.parsers.rules in-sample and out-of-fold.")
@click.option("--no-rules", is_flag=True, help="With --folds: skip the rule measurements (one extra parse of every page per rule).")
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N cases (after --publisher).")
@click.option("--publisher", metavar="SUBSTR", help="Score only cases whose publisher contains SUBSTR (case-insensitive), e.g. de/ or ORF.")
@click.option("--per-case", type=click.Path(dir_okay=False, writable=True), help="Write one JSON line of scores per case to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
def evaluate(cases_file, compare, worst, folds, no_rules, limit, publisher, per_case, as_json):
    """Score the parsers on labelled pages (the Fundus case-file format).

    Each case is parsed with now = its crawl_date + 1 day (crawl dates are
    taken as UTC), so the page's own dates are not rejected as future. A case
    is scored only on the fields it has an expected value for; the n column
    says how many were. A page that fails to parse counts as an error and is
    scored as an empty prediction.

    \b
    Scores (newsspider/evaluation/metrics.py DEFINITIONS, also docs/EVALUATION.md):
    {scores}

    \b
    Folds (--folds K): a publisher's pages all go to fold sha256(publisher) mod K.
    Each rule is run switched off too; per fold it is kept only if it helps the
    other K-1 folds, and the out-of-fold figure scores each fold with that choice.

    \b
    Examples:
      newsspider eval /work/shared/data/fundus/cases.jsonl --compare trafilatura,htmldate
      newsspider eval cases.jsonl --compare trafilatura,htmldate --worst 5
      newsspider eval cases.jsonl --compare trafilatura,htmldate --folds 5
      newsspider eval cases.jsonl --publisher de/ --limit 20 --per-case scores.jsonl
      newsspider eval cases.jsonl --json | jq .extractors.newsspider.body
    """
    from .evaluation.cases import load_cases, select
    from .evaluation.compare import folds_dict, format_folds, format_worst
    from .evaluation.run import BASELINES, EXTRACTORS, NewsspiderExtractor, evaluate as run_evaluation, format_table, write_per_case
    from .parsers.rules import RULES

    baselines = [n.strip() for n in (compare or "").split(",") if n.strip()]
    unknown = [n for n in baselines if n not in BASELINES]
    if unknown:
        raise click.BadParameter(f"unknown baseline(s) {', '.join(unknown)}; choose from {', '.join(BASELINES)}", param_hint="--compare")
    cases, problems = load_cases(cases_file)
    cases = select(cases, publisher=publisher, limit=limit)
    if not cases:
        raise click.ClickException(f"no cases to score in {cases_file}" + (f" for publisher {publisher!r}" if publisher else ""))
    extractors = [NewsspiderExtractor()] + [EXTRACTORS[n]() for n in dict.fromkeys(baselines)]
    if folds and not no_rules:
        extractors += [NewsspiderExtractor(disabled=[rule]) for rule in RULES]
    result = run_evaluation(cases, extractors, source=cases_file, problems=problems)
    if per_case:
        with open(per_case, "w", encoding="utf-8") as out:
            write_per_case(result, out)
    if as_json:
        report = result.to_dict()
        if folds:
            report["folds"] = folds_dict(result, folds)
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(format_table(result))
    if worst:
        click.echo("")
        click.echo(format_worst(result, worst))
    if folds:
        click.echo("")
        click.echo(format_folds(result, folds))


# The definitions are written once, beside the metrics; the help shows them in full.
evaluate.help = evaluate.help.replace("    {scores}", textwrap.indent(definitions_help(74), "    "))


@main.command("save-fixture")
@click.argument("url")
@click.option("--site", required=True, help="Fixture folder: the parser's site name, e.g. people_fr.")
@click.option("--fixtures-dir", default="tests/fixtures/sites", show_default=True, type=click.Path(file_okay=False),
              help="Where the site folders are (tests/test_site_fixtures.py collects them).")
@click.option("--case", "case_name", help="File name without extension. Default: a slug of the URL path.")
@click.option("--force", is_flag=True, help="Overwrite an existing fixture.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True, help="Seconds to wait for the server.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=16 * 1024 * 1024, show_default=True, help="Refuse a larger page.")
@click.option("-s", "settings_args", multiple=True, metavar="NAME=VALUE", help="Setting, as for crawl; NEWSSPIDER_CONTACT goes into the User-Agent.")
def save_fixture(url, site, fixtures_dir, case_name, force, timeout, max_bytes, settings_args):
    """Fetch one page and save it as a parser fixture with a draft expected JSON.

    Writes FIXTURES_DIR/SITE/CASE.html.gz (the page as served, after
    redirects) and CASE.json: the current parser's extraction plus "url",
    "fetched_at" and a "_draft": true marker, the layout that
    tests/test_site_fixtures.py collects. The draft is today's output,
    not the truth: check every field against the page before a test relies
    on it. An existing fixture is never overwritten without --force.

    This uses the network and is for a person; the tests run it only against
    a server on 127.0.0.1. The request carries the crawler's User-Agent
    (NEWSSPIDER_USER_AGENT with NEWSSPIDER_CONTACT).

    \b
    Examples:
      newsspider save-fixture https://www.example.org/news/2024/05/story-123.html --site example -s NEWSSPIDER_CONTACT=you@example.org
      newsspider save-fixture URL --site people_fr --case 9074390 --force
    """
    from .commands.fetch import FetchError
    from .spiders.user_agent import user_agent
    from .commands.save_fixture import case_slug, fixture_paths, save_fixture as save

    try:
        paths = fixture_paths(fixtures_dir, site, case_name or case_slug(url))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    agent = user_agent(project_settings(_pairs(settings_args, "-s")))
    try:
        saved = save(url, paths, user_agent=agent, timeout=timeout, max_bytes=max_bytes, force=force)
    except FileExistsError as exc:
        raise click.ClickException(f"{exc} exists; pass --force to overwrite") from exc
    except FetchError as exc:
        raise click.ClickException(str(exc)) from exc
    moved = f" (redirected from {url})" if saved.page.url != url else ""
    click.echo(f"wrote {paths.html} ({len(saved.page.body)} bytes from {saved.page.url}{moved})")
    click.echo(f"wrote {paths.expected} (draft from {saved.parser})")
    read_as = json.loads(paths.expected.read_text(encoding="utf-8")).get("site")
    if read_as and read_as != site:
        # tests/test_site_fixtures.py files a case under the site its parser names.
        click.echo(f"note: {saved.parser} reads this page as site {read_as!r}, not {site!r}: "
                   f"move it to {paths.html.parent.parent / read_as}/ or fix the parser's hosts")
    if saved.parse_error:
        click.echo(f"the parser failed on this page ({saved.parse_error}); fill in the draft by hand")
    click.echo(f"Review {paths.expected.name} against the page, correct it, and remove \"_draft\" and \"_note\" before committing.")


def _since(value: str | None) -> str | None:
    return _bound(value, "--since")


def _existing_archive(db_path: str) -> None:
    if not Path(db_path).is_file():
        raise click.UsageError(f"no archive at {db_path}; pass --db")


def _read_only_archive(db_path: str, since: str | None = None, command: str = "export") -> str | None:
    """Check the archive and --since, without writing: a reader runs no migration (the archive may be on
    read-only media, or a crawl's), and exits 6 when the archive is older than this version. Returns --since in UTC."""
    _existing_archive(db_path)
    since_utc = _since(since)
    from .archive import schema
    from .archive.db import connect

    try:
        db = connect(db_path, readonly=True)
        missing = schema.pending(db)
        db.close()
    except sqlite3.DatabaseError as exc:
        click.echo(f"newsspider {command}: cannot read {db_path}: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    if missing:
        click.echo(f"newsspider {command}: {db_path} was made by an older newsspider and needs upgrading "
                   f"({len(missing)} migrations: {', '.join(missing)}). Run `newsspider upgrade --db {db_path}` "
                   "with write access to it (a crawl upgrades it too).", err=True)
        sys.exit(EXIT_NEEDS_UPGRADE)
    return since_utc


@main.command()
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to upgrade.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
              help="Wait this long for a run holding the archive's lock; exit 4 if it still holds it.")
def upgrade(db_path, wait):
    """Bring an archive made by an older newsspider up to this version's schema.

    Runs the migrations the archive has not had, in one transaction, holding
    the archive's lock (exit 4 while a crawl holds it). Writers (crawl,
    ingest, reparse) do this on their own; readers (serve, export) never do,
    and exit 6 until it is done.

    \b
    Example:
      newsspider upgrade --db /srv/news/archive.db
    """
    from .archive import schema
    from .archive.db import connect

    _existing_archive(db_path)
    db = connect(db_path, readonly=True)
    missing = schema.pending(db)
    db.close()
    with _archive_run(db_path, "upgrade", wait=wait):
        Archive(db_path).close()  # taking the lock opened it already; this says it plainly
    click.echo(f"upgraded {db_path}: {len(missing)} migrations applied" + (f" ({', '.join(missing)})" if missing else " (it was up to date)"))


# The files SQLite and newsspider keep beside an archive: writing over any of them destroys it.
ARCHIVE_SIDE_FILES = ("", "-wal", "-shm", "-journal", ".lock")


def _refuse_archive_output(db_path: str, output: str) -> None:
    """A usage error (exit 2) if `output` is the archive or one of its side files, by path (links resolved) or by inode."""
    target = Path(output)
    try:
        target_stat = target.stat()
    except OSError:
        target_stat = None
    for suffix in ARCHIVE_SIDE_FILES:
        side = Path(f"{db_path}{suffix}")
        same = side.resolve() == target.resolve()
        if not same and target_stat is not None:
            try:
                same = os.path.samestat(side.stat(), target_stat)
            except OSError:
                pass
        if same:
            raise click.UsageError(f"-o {output} is the archive {db_path}{' (its ' + suffix + ' file)' if suffix else ''}: "
                                   "refusing to write over it; choose another output file", ctx=click.get_current_context())


def _new_file(path: str, mode: str, **kwargs):
    """Open an output file for writing; a new one is rw-r--r-- at most, whatever the umask (open()'s 0o666 under umask 000 is world-writable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


@main.command()
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to re-parse.")
@click.option("--site", help="Only articles of this site (parser name, e.g. people_fr).")
@click.option("--since", help="Only pages fetched at or after this date or time (UTC unless an offset is given).")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True, help="Pages per transaction.")
@click.option("--restart", is_flag=True, help="Start over instead of resuming an unfinished run with the same --site and --since.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
              help="Wait this long for a crawl (or another writer) holding the archive's lock; exit 4 if it still holds it.")
def reparse(db_path, site, since, batch_size, restart, quiet, wait):
    """Re-extract every stored page with the current parsers, without fetching.

    Each article's latest stored response is parsed again as the crawl parsed
    it (same bytes, same encoding, same "now"). Articles that come out
    different are updated and their previous state kept in article_versions
    (cause "reparse"); pages that gave no article before are stored if they
    give one now. Work is committed in batches; an interrupted run is resumed
    by running the same command again. Ends with the number of articles in
    which each field changed.

    It writes, so it takes the archive's lock as a crawl does: while a crawl
    or ingest holds it, reparse exits 4 at once, or after --wait seconds.

    \b
    Examples:
      newsspider reparse --db archive.db
      newsspider reparse --site people_fr --since 2024-06-01
      newsspider reparse --restart --batch-size 500
      newsspider reparse --wait 3600          # after the running crawl, from cron
    """
    from .commands.reparse import reparse as run_reparse

    _existing_archive(db_path)
    since_utc = _since(since)
    with _archive_run(db_path, "reparse", wait=wait), Archive(db_path) as archive:
        bar = None

        def on_start(total):
            nonlocal bar
            if not quiet:
                bar = click.progressbar(length=total, label="re-parsing", file=sys.stderr, show_pos=True)
                bar.__enter__()

        try:
            result = run_reparse(archive, site=site, since=since_utc, batch_size=batch_size, restart=restart,
                                 on_start=on_start, on_batch=lambda n: bar.update(n) if bar else None)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    resumed = " (resumed)" if result.resumed else ""
    click.echo(f"reparse run {result.run_id}{resumed}: {result.pages} pages, {result.changed} articles changed")
    other = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(result.outcomes.items()) if name not in ("changed", "unchanged"))
    if other:
        click.echo(f"this session: {other}")
    if result.by_parser:
        # Which parser, in which dated version, made this session's changes.
        click.echo("changed by: " + ", ".join(f"{name} ({n})" for name, n in sorted(result.by_parser.items())))
    if result.field_counts:
        click.echo("field            articles changed")
        for name, n in sorted(result.field_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"{name:<16} {n}")
    else:
        click.echo("no field changed")


@main.command()
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to serve.")
@click.option("--port", "-p", type=click.IntRange(min=0, max=65535), default=8001, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--immutable", is_flag=True, help="For an archive no crawl writes to any more: no locking, cached counts.")
def serve(db_path, port, immutable):
    """Browse the archive in datasette, read-only, on 127.0.0.1.

    Uses the metadata shipped with newsspider: table and column descriptions,
    facets on site, section, language, agency and date, and canned queries
    (latest articles, articles by photo agency, updated articles, full-text
    search). Datasette opens the file read-only, so it can run beside a
    crawl; stored HTML is always shown as text.

    It never writes to the archive, not even to upgrade it: on read-only
    media it serves as --immutable; an archive made by an older newsspider
    exits 6 until `newsspider upgrade` is run where it is writable.

    \b
    Examples:
      newsspider serve                      # ./archive.db on http://127.0.0.1:8001/
      newsspider serve --db /srv/news/archive.db --port 8002
      newsspider serve --db snapshot.db --immutable
    """
    import tempfile

    from .commands.serve import serve as run_serve

    _read_only_archive(db_path, command="serve")  # the metadata describes this version's schema
    from .archive.db import is_read_only_media

    if not immutable and is_read_only_media(db_path):
        # mode=ro needs a WAL index file SQLite cannot create there; nothing can be writing it either.
        click.echo(f"newsspider serve: {db_path} is on read-only media: serving it as --immutable", err=True)
        immutable = True
    with tempfile.TemporaryDirectory(prefix="newsspider-serve-") as tmp:
        run_serve(db_path, port=port, immutable=immutable, metadata_dir=Path(tmp))


EXPORT_FORMATS = ("jsonl", "csv", "parquet", "text", "markdown", "warc", "wacz")
_FOLDER_FORMATS = ("parquet", "text", "markdown")


def _bound(value: str | None, hint: str) -> str | None:
    from .archive.export import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected a date or ISO 8601 time, e.g. 2024-06-01 or 2024-06-01T12:00:00+02:00 ({exc})", param_hint=hint) from exc


@main.command()
@click.option("--db", "db_path", default="archive.db", show_default=True, help="SQLite archive to export from.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="jsonl, csv (articles), parquet (a folder partitioned by site and month), "
              "text or markdown (a folder, one file per article), warc or wacz (raw responses).")
@click.option("--since", help="Only what was fetched at or after this date or time (UTC unless an offset is given).")
@click.option("--published-since", help="Only articles published at or after this date or time (published_at_utc; UTC unless an offset is given).")
@click.option("--published-until", help="Only articles published before this date or time (published_at_utc).")
@click.option("--site", help="Only articles of this site (parser name, e.g. people_fr).")
@click.option("-o", "--output", default="-", show_default=True, help="Output file; - for stdout. A new folder for parquet, text and markdown.")
def export(db_path, fmt, since, published_since, published_until, site, output):
    """Export articles (JSON lines, CSV, Parquet, text, Markdown) or the stored responses (WARC, WACZ).

    Streams row by row, in constant memory, whatever the archive's size.
    jsonl: one article per line with its authors, image_credits and
    related_links as lists. csv: one row per article, those three as JSON in
    their cells. parquet: a folder of hive-style partitions
    site=SITE/month=YYYY-MM/ with the columns and types of
    newsspider.Archive(...).to_arrow(). text / markdown: a folder with one
    file per article, SITE/ID.txt or .md. --since selects articles whose
    stored content was fetched at or after the date (new or changed since);
    --published-since / --published-until select by publication time
    (published_at_utc: an article whose page stated no offset is left out).
    warc: one gzipped WARC/1.1 response record per stored response (all
    fetches, with their HTTP status and headers; Content-Encoding is dropped
    as the body is stored decoded), for replay or re-indexing with web-archive
    tools; wacz: the same WARC with its CDXJ index, page list and
    datapackage.json, for ReplayWeb.page.

    Never writes to the archive (read-only media work); exits 6 when the
    archive needs `newsspider upgrade`, and 2 when -o is the archive or one
    of its -wal, -shm, -journal or .lock files.

    \b
    Examples:
      newsspider export --format jsonl -o articles.jsonl
      newsspider export --format csv --site people_fr --since 2024-06-01 -o june.csv
      newsspider export --format parquet --published-since 2024-01-01 -o articles.parquet/
      newsspider export --format markdown --site people_fr -o texts/
      newsspider export --format warc -o archive.warc.gz
      newsspider export --format wacz --published-since 2024-06-01 --published-until 2024-07-01 -o june.wacz
    """
    from .archive import bundles, connect
    from .archive import export as exporter

    filters = {"since": _read_only_archive(db_path, since), "site": site,
               "published_since": _bound(published_since, "--published-since"),
               "published_until": _bound(published_until, "--published-until")}
    filters = {k: v for k, v in filters.items() if v is not None}
    if fmt in _FOLDER_FORMATS:
        if output == "-":
            raise click.UsageError(f"--format {fmt} writes a folder: pass -o DIR")
        if Path(output).exists() and (not Path(output).is_dir() or any(Path(output).iterdir())):
            raise click.UsageError(f"{output} exists and is not an empty folder; {fmt} export writes a new one")
    if output != "-":
        _refuse_archive_output(db_path, output)
    db = connect(db_path, readonly=True)
    software = f"newsspider {__version__}"
    try:
        if fmt in ("warc", "wacz"):
            write = exporter.write_warc if fmt == "warc" else bundles.write_wacz
            if output == "-":
                n = write(db, sys.stdout.buffer, software=software, **filters)
            else:
                with _new_file(output, "wb") as out:
                    n = write(db, out, software=software, **filters)
        elif fmt == "parquet":
            try:
                n = bundles.write_parquet(db, output, **filters)
            except ImportError as exc:
                raise click.ClickException(f"parquet needs pyarrow: pip install 'newsspider[analysis]' ({exc})") from exc
        elif fmt in ("text", "markdown"):
            n = bundles.write_text_files(db, output, markdown=fmt == "markdown", **filters)
        else:
            write = exporter.write_jsonl if fmt == "jsonl" else exporter.write_csv
            if output == "-":
                n = write(db, sys.stdout, **filters)
            else:
                with _new_file(output, "w", encoding="utf-8", newline="") as out:
                    n = write(db, out, **filters)
    finally:
        db.close()
    what = "responses" if fmt in ("warc", "wacz") else "articles"
    click.echo(f"exported {n} {what} as {fmt}" + (f" to {output}" if output != "-" else ""), err=True)


if __name__ == "__main__":
    main()


@main.group()
def sites():
    """Sites files: many sites, their sources, parsers and settings, for `crawl --sites`."""


@sites.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def sites_check(path):
    """Validate the sites file PATH: print its sites, or every problem (line, site, key); exit 2 on any.

    \b
    Example:
      newsspider sites check examples/sites.toml
      newsspider crawl --sites examples/sites.toml
    """
    from .spiders import sites_file

    try:
        loaded = sites_file.load(path)
    except sites_file.SitesFileError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    for site in loaded:
        sources = ", ".join(f"{len(getattr(site, k))} {k}" for k in sites_file.SOURCE_KEYS if getattr(site, k))
        click.echo(f"{site.name}: parser {site.parser}, spider {site.spider}, {sources}"
                   + (f", {site.settings}" if site.settings else ""))
    click.echo(f"{path}: {len(loaded)} sites, OK")
