"""newsspider: a Scrapy-based scraper and archiver for news pages, storing into SQLite."""

__version__ = "0.1.0"
