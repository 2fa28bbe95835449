"""The commands besides crawling, each the body of a `newsspider` subcommand (cli.py parses the options and calls in here).

demo.py (`demo`: the bundled mirror crawled into an archive), serve.py (`serve`: datasette
over the archive), reparse.py (`reparse`: the current parsers over the stored responses; its
SQL is archive/reparse_store.py), save_fixture.py (`save-fixture`), fetch.py (one page fetched
outside a crawl: `extract URL`, `save-fixture` and the API's `newsspider.fetch(url)`), and
mirror.py (the static server of a site mirror that `demo` and the tests crawl).
"""
