"""newsspider: a Scrapy-based scraper and archiver for news pages, storing into SQLite.

The Python API (imports are lazy: `import newsspider` loads nothing else):

    >>> import newsspider
    >>> article = newsspider.parse(html, "https://www.example.org/2024/05/01/story.html")
    >>> article = newsspider.fetch("https://www.example.org/2024/05/01/story.html")   # one page, politely
    >>> with newsspider.Archive("archive.db") as archive:                             # read-only
    ...     df = archive.to_pandas(site="people_fr")
"""

__version__ = "0.1.0"

__all__ = ["parse", "fetch", "Archive", "ArchivedArticle", "__version__"]


def __getattr__(name):
    # Lazy, so that `import newsspider` (and its submodules importing __version__) stay cheap and circle-free.
    if name == "parse":
        from .parsing import parse

        return parse
    if name == "fetch":
        import importlib

        # A callable module: fetch(url) is commands.fetch.fetch_article(url), and fetch.FetchError its error.
        return importlib.import_module(f"{__name__}.commands.fetch")
    if name in ("Archive", "ArchivedArticle"):
        from .archive import read

        return read.ArchiveReader if name == "Archive" else read.ArchivedArticle
    raise AttributeError(f"module 'newsspider' has no attribute {name!r}")
