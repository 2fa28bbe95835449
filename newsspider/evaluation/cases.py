"""Reading an evaluation case file (the Fundus layout: one JSON object a line).

    {"url", "file", "publisher", "crawl_date", "version",
     "expected": {"title", "authors", "publishing_date", "body_text", "images": [{"authors", "caption"}]}}

`file` is relative to the case file's folder (.html or .html.gz). Expected values are
taken as they come and mended where the data is known to be loose: a list may arrive as
a string holding a Python or JSON literal ("['André Schmidt']"), a field may be missing,
null or blank. A field that cannot be read is None: the case is not scored on it.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..commands.pagefile import read_page
from .metrics import parse_moment


@dataclass(frozen=True)
class Expected:
    title: str | None = None
    authors: list[str] | None = None
    published: datetime | None = None
    body: str | None = None
    # The credit names of each expected image, in page order; None: images not labelled.
    images: list[list[str]] | None = None


@dataclass(frozen=True)
class Case:
    line: int
    url: str
    path: Path
    publisher: str = ""
    crawl_date: datetime | None = None
    expected: Expected = field(default_factory=Expected)

    @property
    def now(self) -> datetime | None:
        """The parser's present: a day after the crawl, so the page's own dates are not rejected as future."""
        return self.crawl_date + timedelta(days=1) if self.crawl_date else None

    def read_html(self) -> bytes:
        return read_page(self.path)


def _listish(value: Any) -> list | None:
    """A list, or a string holding a list literal, as a list; anything else None."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.startswith("[") and text.endswith("]")):
            return None
        for reader in (json.loads, ast.literal_eval):
            try:
                value = reader(text)
                break
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return value if isinstance(value, (list, tuple)) else None


def _text(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):  # a text kept as its paragraphs
        value = "\n\n".join(str(v) for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return value


def _names(value: Any) -> list[str] | None:
    """Author or credit names. None (not labelled) stays None; an empty list is a label: nobody."""
    items = _listish(value)
    if items is not None:
        return [str(v).strip() for v in items if isinstance(v, (str, int, float)) and str(v).strip()]
    if isinstance(value, str) and value.strip():
        return [value.strip()]  # a plain string is one name
    return None  # null, blank or of another type: not a label we can read


def _images(value: Any) -> list[list[str]] | None:
    items = _listish(value)
    if items is None:
        return None
    images, seen = [], set()
    for item in items:
        if isinstance(item, str):  # an image given by its credit alone
            images.append([item])
        elif isinstance(item, dict):
            names = _names(item.get("authors")) or []
            # The labels list some images twice, credit and caption alike (a thumbnail and its full
            # view, 22 entries on 7 of the 188 shared pages): one image, which one credit accounts for.
            key = (tuple(names), _text(item.get("caption")))
            if names and key in seen:
                continue
            seen.add(key)
            images.append(names)
    return images


def _expected(raw: Any) -> Expected:
    raw = raw if isinstance(raw, dict) else {}
    published = parse_moment(raw.get("publishing_date")) if isinstance(raw.get("publishing_date"), str) else None
    return Expected(
        title=_text(raw.get("title")),
        authors=_names(raw.get("authors")),
        published=published,
        body=_text(raw.get("body_text")),
        images=_images(raw.get("images")),
    )


def _crawl_date(value: Any) -> datetime | None:
    moment = parse_moment(value) if isinstance(value, str) else None
    # Fundus records crawl times without an offset; they are taken as UTC.
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def load_cases(path: str | Path) -> tuple[list[Case], list[str]]:
    """The cases of a case file, and a note for each line that could not be used (a bad line
    or a missing page never stops the evaluation, it is reported)."""
    path = Path(path)
    cases: list[Case] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                problems.append(f"line {number}: not JSON ({exc})")
                continue
            if not isinstance(record, dict):
                problems.append(f"line {number}: not a JSON object")
                continue
            url, file = record.get("url"), record.get("file")
            if not isinstance(url, str) or not url or not isinstance(file, str) or not file:
                problems.append(f"line {number}: no url or file")
                continue
            page = path.parent / file
            if not page.is_file():
                problems.append(f"line {number}: no page at {page}")
                continue
            cases.append(Case(
                line=number,
                url=url,
                path=page,
                publisher=str(record.get("publisher") or ""),
                crawl_date=_crawl_date(record.get("crawl_date")),
                expected=_expected(record.get("expected")),
            ))
    return cases, problems


def select(cases: list[Case], publisher: str | None = None, limit: int | None = None) -> list[Case]:
    """Cases whose publisher contains `publisher` (case-insensitive), then the first `limit`."""
    if publisher:
        needle = publisher.casefold()
        cases = [c for c in cases if needle in c.publisher.casefold()]
    return cases[:limit] if limit is not None else cases
