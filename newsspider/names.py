"""The one check for a name given on the command line that becomes part of a path or a key.

`save-fixture --site/--case` name a folder and a file; `--redis-prefix` and `--redis-job` are
parts of Redis keys, which scrapy-redis %-formats and which ':' separates. The same short
alphabet is safe in both, so one rule serves both.
"""

from __future__ import annotations

import re

PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_name(value: str, what: str, kind: str = "name") -> str:
    """`value` if it is a plain name; else ValueError naming `what` (the option) and `kind` ("file name", say)."""
    # No '/', no leading '.' (so neither '..' nor a hidden file), no ':' or '%': nothing that leaves a folder or splits a key.
    if not PLAIN_NAME.match(value or "") or ".." in value:
        raise ValueError(f"{what} must be a plain {kind} (letters, digits, _ . -), got {value!r}")
    return value
