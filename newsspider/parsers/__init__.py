"""Parsers: pure functions of (html, url, now). No Scrapy, no network, no database.

GenericParser (generic.py) reads any news page; BaseParser (base.py) is the protocol and the
registry a site's parser joins by naming its hosts. Choosing the parser for a URL, with every
site package loaded, is newsspider.parsing (`parse`, `parse_page`, `parser_for`): this package
imports nothing above it, and in particular not newsspider.sites, whose parsers build on it.
"""

from __future__ import annotations

from .base import BaseParser
from .generic import GenericParser
from .page import Page, ParseError

__all__ = ["Page", "ParseError", "GenericParser", "BaseParser"]
