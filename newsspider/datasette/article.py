"""An article's own page in datasette: what it says, where it came from, and how it changed.

Pure functions (paragraphs, diffs, safe links) and one loader that reads an
article and everything that links to it through datasette's read-only
connection. Every value goes to the template as text: Jinja escapes it.
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

# The article fields a version can differ in, shown one per line; the body gets a paragraph diff.
VERSION_FIELDS = ("headline", "published_at", "updated_at", "updated_at_raw", "section", "language", "site", "url",
                  "canonical_url", "authors")
WORD = re.compile(r"\S+\s*")


def paragraphs(body: str | None) -> list[str]:
    """The body as stored: paragraphs joined by a blank line."""
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]


def safe_href(url: str | None) -> str | None:
    """The URL if a browser may follow it (http or https), else None: a stored javascript: link stays text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def words_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op "same", "del" or "ins": one paragraph's change, word by word."""
    a, b = WORD.findall(old), WORD.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out


def lines_diff(old: list[str], new: list[str]) -> list[dict[str, Any]]:
    """What changed between two lists of paragraphs (or list items).

    Blocks: {"op": "same", "count": n} for unchanged runs (folded), {"op": "del"|"ins", "text": ...},
    and {"op": "changed", "segments": words_diff(...)} for a paragraph edited in place.
    """
    out: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append({"op": "same", "count": i2 - i1})
        elif tag == "replace" and i2 - i1 == j2 - j1:
            out.extend({"op": "changed", "segments": words_diff(o, n)} for o, n in zip(old[i1:i2], new[j1:j2]))
        else:
            out.extend({"op": "del", "text": t} for t in old[i1:i2])
            out.extend({"op": "ins", "text": t} for t in new[j1:j2])
    return out


def _json_list(value: str | None) -> list:
    try:
        parsed = json.loads(value) if value else []
    except ValueError:
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]


def _credit_lines(credits: list) -> list[str]:
    return [" ".join(filter(None, [c.get("caption"), c.get("raw")])) if isinstance(c, dict) else str(c) for c in credits]


def _link_lines(links: list) -> list[str]:
    return [f"{link.get('title') or ''} <{link.get('url')}>" if isinstance(link, dict) else str(link) for link in links]


def version_changes(before: dict, after: dict, before_credits: list[str], after_credits: list[str],
                    before_links: list[str], after_links: list[str]) -> dict[str, Any]:
    """What differs from one state of an article to the next, field by field."""
    fields = [{"name": f, "before": before.get(f), "after": after.get(f)}
              for f in VERSION_FIELDS if (before.get(f) or None) != (after.get(f) or None)]
    body = None
    if (before.get("body") or "") != (after.get("body") or ""):
        body = lines_diff(paragraphs(before.get("body")), paragraphs(after.get("body")))
    credits = lines_diff(before_credits, after_credits) if before_credits != after_credits else None
    links = lines_diff(before_links, after_links) if before_links != after_links else None
    return {"fields": fields, "body": body, "credits": credits, "links": links}


async def _rows(db, sql: str, params: dict) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def load(db, article_id: int) -> dict[str, Any] | None:
    """Everything the article page shows, or None when the archive has no such article."""
    p = {"id": article_id}
    found = await _rows(db, "select * from articles where id = :id", p)
    if not found:
        return None
    article = found[0]
    credits = await _rows(db, "select position, raw, agency, photographer, caption from image_credits where article_id = :id order by position", p)
    # A related link points at the archived copy when the archive has the page under that URL.
    related = await _rows(db, """
        select r.position, r.title, r.url, coalesce(u.article_id, c.id) as archived_id
        from related_links r
        left join article_urls u on u.url = r.url
        left join articles c on c.canonical_url = r.url
        where r.article_id = :id order by r.position""", p)
    for link in related:
        link["href"] = safe_href(link["url"])
    urls = await _rows(db, "select url, reason, first_seen, last_seen from article_urls where article_id = :id order by first_seen, url", p)
    for u in urls:
        u["href"] = safe_href(u["url"])
    near = await _rows(db, """
        select d.article_id, d.first_id, d.matched_id, d.similarity, d.detected_at,
               case when d.article_id = :id then d.matched_id else d.article_id end as other_id
        from near_duplicates d where :id in (d.article_id, d.matched_id, d.first_id)
        order by d.detected_at""", p)
    if near:
        ids = sorted({n["other_id"] for n in near} | {n["first_id"] for n in near})
        heads = {r["id"]: r for r in await _rows(
            db, "select id, site, headline, canonical_url from articles where id in (select value from json_each(:ids))",
            {"ids": json.dumps(ids)})}
        for n in near:
            n["other"] = heads.get(n["other_id"], {"id": n["other_id"]})
            n["relation"] = "copy of" if n["article_id"] == article_id else "copied by"
    raw = await _rows(db, """select id, run_id, url, final_url, status, fetched_at, outcome, error, encoding
                             from raw_responses where article_id = :id order by id""", p)
    versions = await _rows(db, "select * from article_versions where article_id = :id order by id", p)
    # Each stored version is the state before a change; the state after it is the next version, or today's article.
    current_credits = _credit_lines(credits)
    current_links = _link_lines(related)
    states = versions[1:] + [article]
    for version, after in zip(versions, states):
        after_credits = current_credits if after is article else _credit_lines(_json_list(after.get("image_credits")))
        after_links = current_links if after is article else _link_lines(_json_list(after.get("related_links")))
        version["changed_fields_list"] = _json_list(version.get("changed_fields"))
        version["changes"] = version_changes(version, after, _credit_lines(_json_list(version.get("image_credits"))), after_credits,
                                             _link_lines(_json_list(version.get("related_links"))), after_links)
    return {
        "article": article,
        "authors": [a for a in _json_list(article.get("authors")) if a],
        "paragraphs": paragraphs(article.get("body")),
        "credits": credits,
        "related": related,
        "urls": urls,
        "near_duplicates": near,
        "raw_responses": raw,
        "versions": versions,
        "canonical_href": safe_href(article.get("canonical_url")),
    }
