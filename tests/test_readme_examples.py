"""Code in the README runs: the "Adding a site" parser example registers and parses."""

from __future__ import annotations

import re

from conftest import ROOT
from newsspider.parsers import parse, parser_for

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_adding_a_site_example_works():
    section = README.split("### Adding a site", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = "\n".join(line[3:] if line.startswith("   ") else line for line in code.splitlines())
    # Registered under a test-only host, so other tests' example.org pages keep the generic parser.
    code = code.replace('hosts = ("www.example.org", "example.org")', 'hosts = ("readme-example.test",)')
    code = code.replace("from ...parsers.", "from newsspider.parsers.")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    cls = namespace["ExampleParser"]
    assert parser_for("https://readme-example.test/a") is cls
    html = "<html><body><h1><span class='kicker'>Exclusive</span> Real headline</h1><p>" + "Text. " * 30 + "</p></body></html>"
    article = parse(html, "https://readme-example.test/news/2024/05/01/story.html")
    assert article.headline == "Real headline"
    assert article.site == "example"
