"""Scrapy settings for newsspider. Override any of them with `-s NAME=VALUE`.

Only settings live here: every component reads its values from the crawler in
`from_crawler`, and distributed/ingest.py, which runs without a crawler, imports its default.
"""

# A module, not its names: Scrapy takes every upper-case name here for a setting.
from . import items
from .sites import default_settings as _site_settings

BOT_NAME = "newsspider"
SPIDER_MODULES = ["newsspider.spiders", "newsspider.sites"]
NEWSPIDER_MODULE = "newsspider.spiders"

# ---- the archive --------------------------------------------------------------------
ARCHIVE_DB = "archive.db"
ARCHIVE_BATCH_SIZE = 50  # items per write transaction
ARCHIVE_FLUSH_SECONDS = 5.0  # a partial batch is written after this long
# A batch the archive refuses (disk full, locked past the busy timeout) is tried this many more
# times, the first after ARCHIVE_WRITE_RETRY_SECONDS, then twice as long...; then the crawl stops (exit 1).
ARCHIVE_WRITE_RETRIES = 2
ARCHIVE_WRITE_RETRY_SECONDS = 1.0
# How long a write waits for another writer of the archive (SQLite's busy timeout) before it counts as failed.
ARCHIVE_BUSY_TIMEOUT = 30.0
# `newsspider ingest`: how long a batch not yet full (--batch-size, ARCHIVE_BATCH_SIZE) waits for more.
# Workers push one item at a time, and an ingest that keeps up with them would otherwise write
# a transaction per item or two, the costly case ARCHIVE_BATCH_SIZE exists to avoid
# (docs/PERFORMANCE.md). Small beside ARCHIVE_FLUSH_SECONDS, which a crawl's own store waits.
INGEST_LINGER_SECONDS = 0.25
# ---- crawling through Redis (`crawl --redis`, `ingest`) -----------------------------------
# A lost or refused Redis connection is retried, with exponential backoff (0.1 s up to 10 s),
# for this long before a worker or ingest gives up (exit 1): enough for Redis to restart.
REDIS_RETRY_SECONDS = 180
# A worker not heard from for this long is taken for dead: the requests it held go back to the
# frontier, and it is no longer waited for. Renewed every sixth of it.
REDIS_LEASE_SECONDS = 60
# Set on workers (from NEWSSPIDER_INCREMENTAL): known articles from PREFIX:known, published by ingest.
NEWSSPIDER_REDIS_KNOWN = False
# The fields an article must have to be stored: also the default of parsers/normalize.py's rule.
NEWSSPIDER_REQUIRED_FIELDS = list(items.REQUIRED_FIELDS)

# ---- identity and politeness ----------------------------------------------------------
# Who runs this crawler: an e-mail address or URL, put in the User-Agent so site
# operators can reach you. Set it: `-s NEWSSPIDER_CONTACT=you@example.org`.
NEWSSPIDER_CONTACT = ""
# {version} and {contact} are filled in; setting USER_AGENT itself overrides this.
NEWSSPIDER_USER_AGENT = "newsspider/{version} (news archiver for research; contact: {contact})"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 0.5  # a floor under AutoThrottle's delay, per site
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = items.MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
# 429/503 with Retry-After: wait as asked (up to RETRY_AFTER_MAX_SECONDS), then retry.
RETRY_AFTER_ENABLED = True
RETRY_AFTER_MAX_SECONDS = 120
RETRY_AFTER_MAX_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    # Above RetryMiddleware (550): it sees a 503 first and honours the server's Retry-After.
    "newsspider.middlewares.retry_after.RetryAfterMiddleware": 560,
    # Stock middleware, plus a counter for gzip bombs (newsspider/failures/too_large_decompressed).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsspider.middlewares.compression.CountingHttpCompressionMiddleware": 590,
    # Between the downloader and RedirectMiddleware (600) / RetryMiddleware (550): sees every try.
    "newsspider.middlewares.failures.FailureStatsMiddleware": 610,
    # Before RobotsTxtMiddleware (100): a redirect off the site is refused, even for a retried request.
    "newsspider.middlewares.redirects.OffsiteRedirectMiddleware": 60,
}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy starts this many asyncio tasks for every response's output (default 100); our pipelines
# are synchronous, so more than one gains nothing and cost about 1 ms a page (docs/PERFORMANCE.md).
CONCURRENT_ITEMS = 1

ITEM_PIPELINES = {
    "newsspider.pipelines.parse.ParsePipeline": 50,
    "newsspider.pipelines.validate.ValidatePipeline": 100,
    "newsspider.pipelines.store.StorePipeline": 300,
}
EXTENSIONS = {
    "newsspider.runs.recorder.CrawlRunRecorder": 500,
    "newsspider.runs.coverage.FieldCoverage": 510,
}

# ---- incremental runs and the health alarm ------------------------------------------------
# Known articles newer than this many days are re-checked (conditionally); older ones are
# only noted as seen. NEWSSPIDER_INCREMENTAL=0 (`newsspider crawl --full`) refetches all.
NEWSSPIDER_INCREMENTAL = True
NEWSSPIDER_RECHECK_DAYS = 3
# A field found on fewer than HEALTH_DROP_RATIO x its usual share of a site's articles (the
# median over the last HEALTH_HISTORY_RUNS runs with at least HEALTH_MIN_ARTICLES of them)
# raises the alarm: the summary says so and `newsspider crawl` exits 5.
HEALTH_ENABLED = True
HEALTH_HISTORY_RUNS = 5
HEALTH_MIN_ARTICLES = 3
HEALTH_DROP_RATIO = 0.5
# A field the generic fallback gives (the site parser found nothing) on HEALTH_FALLBACK_JUMP more of
# the articles than its median share over those runs raises the alarm too, even while coverage holds.
HEALTH_FALLBACK_JUMP = 0.3

# ---- the sites ----------------------------------------------------------------------------
# Each site's own settings (PEOPLE_FR_BASE_URL, PEOPLE_FR_SECTIONS, ...) are declared in its
# package's SETTINGS (newsspider/sites/<name>/__init__.py), where they are documented.
globals().update(_site_settings())

# ---- news (the generic spider: `newsspider crawl news -a start=URL`) --------------------------
# Link hops from a start page when `-a depth=N` is not given: 1 fetches the start pages
# and the article-like pages they link to; 2 also goes through section and tag pages.
NEWS_DEPTH = 1
# Public host -> base URL to fetch it from, to crawl a local copy exactly like the site
# (articles are stored under their public URLs). JSON on the command line:
#   -s NEWS_HOST_MAP='{"www.example.org": "http://127.0.0.1:8000"}'
# The www. and bare forms of a host share its entry. When set, site hosts missing from it
# are never requested, so a mirror crawl cannot reach the real site.
NEWS_HOST_MAP = {}

# Discovery limits: what sitemaps and feeds may add to one crawl. A sitemap index nested deeper
# than NEWS_SITEMAP_MAX_DEPTH hops below the URL given is not fetched (a self-generating index
# tree ends there); one sitemap or feed is read up to NEWS_SITEMAP_MAX_URLS entries (the
# sitemaps.org limit); a crawl takes at most NEWS_SITEMAP_MAX_URLS_PER_CRAWL entries and
# fetches at most NEWS_SITEMAP_MAX_FILES sitemaps and feeds. 0 turns a limit off (for the depth:
# index entries are not followed). Each limit hit is counted under newsspider/limits/ and named
# in the run's summary.
NEWS_SITEMAP_MAX_DEPTH = 3
NEWS_SITEMAP_MAX_URLS = 50_000
NEWS_SITEMAP_MAX_URLS_PER_CRAWL = 1_000_000
NEWS_SITEMAP_MAX_FILES = 10_000

# ---- bounded time --------------------------------------------------------------------------
# The longest one page's parse may take (wall-clock seconds; 0: no limit). A page that takes
# longer is kept raw (outcome parse_timeout in raw_responses), counted in
# newsspider/limits/parse_time, named in the summary, and the crawl goes on. Ordinary
# articles parse in well under a second; the largest page a crawl accepts (DOWNLOAD_MAXSIZE)
# in some 30 s on the development machine (docs/RELIABILITY.md).
PARSE_TIME_LIMIT_SECONDS = 20.0
# Parser processes (newsspider/parsing/pool.py): 'auto' is one per CPU this process may use (0 on a
# single CPU, where a pool would only add pickling); 0 parses in the crawl's own thread.
NEWSSPIDER_PARSE_WORKERS = "auto"
# The parse function the workers import, by dotted name (tests plug in tests.support.slowparse.*).
NEWSSPIDER_PARSE_FUNCTION = "newsspider.parsing.parse_page"
# The workers also compress the raw response and make the near-duplicate band keys, work taken off
# the crawl's thread (newsspider/parsing/precompute.py). A Redis worker, which stores nothing, does not.
NEWSSPIDER_PARSE_PRECOMPUTE = True

# ---- bounded memory ----------------------------------------------------------------------
# The requests waiting to be fetched are kept on disk, in a folder made for the run under
# NEWSSPIDER_QUEUE_DIR (default: the system's temporary folder) and removed after it, so a
# sitemap of 200,000 URLs does not hold 200,000 requests in memory. Setting JOBDIR yourself
# keeps Scrapy's meaning (a crawl that can be paused and resumed there); False keeps the
# frontier in memory.
NEWSSPIDER_DISK_QUEUE = True
NEWSSPIDER_QUEUE_DIR = None

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
