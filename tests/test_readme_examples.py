"""Code in the README runs: the "Adding a site" parser example registers and parses."""

from __future__ import annotations

import re

from tests.support.paths import ROOT
from newsspider.parsing import parse, parser_for

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_adding_a_site_example_works():
    # The README shows the worked example's real parser (sites/bild/parser.py), not a copy that drifts.
    section = README.split("### Adding a site", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = "\n".join(line[3:] if line.startswith("   ") else line for line in code.splitlines())
    source = (ROOT / "newsspider" / "sites" / "bild" / "parser.py").read_text(encoding="utf-8")
    assert code.strip() in source
    # Run as written, registered under a test-only host, so the site's own pages keep its parser.
    code = code.replace("from . import HOSTS, NAME", 'HOSTS, NAME = ("readme-example.test",), "example"')
    code = code.replace("from ...parsers.", "from newsspider.parsers.")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    cls = namespace["BildParser"]
    assert parser_for("https://readme-example.test/a") is cls
    html = ("<html><head><meta property='og:title' content='Exclusive: Real headline | Sport'></head><body>"
            "<h1 class='article-title'><span class='kicker'>Exclusive</span><span>: </span><span>Real headline</span></h1><p>"
            + "Text. " * 30 + "</p></body></html>")
    article = parse(html, "https://readme-example.test/news/2024/05/01/story.html")
    assert article.headline == "Exclusive: Real headline"
    assert article.site == "example"
