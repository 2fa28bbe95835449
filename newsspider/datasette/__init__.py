"""The datasette plugin that makes the archive a reading room (loaded through the `datasette` entry point).

- an article's row page reads like the article (templates/row.html, data from article.load);
- `articles` first on the home and database pages, internal tables hidden by the metadata;
- JSON cells shown compactly, the whole value one click away;
- raw responses shown as text/plain at /-/raw/<database>/<raw_responses id>.txt, never as HTML.

Every value reaches the page escaped: templates use Jinja's autoescape, and the
one cell renderer here escapes before it marks up.
"""

from __future__ import annotations

import json
import re

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from . import article as article_page

# A cell longer than this shows its start on one line; the whole value is in a <details>.
FOLD_CHARS = 160
# The search query's matches, marked **like this** by FTS5's highlight() and snippet().
MATCH = re.compile(r"\*\*[^*]+?\*\*")


def _looks_like_archive(table_names: set[str]) -> bool:
    return {"articles", "image_credits", "related_links", "article_urls"} <= table_names


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name == "row" and table == "articles" and request is not None:
        async def article_vars():
            db = datasette.get_database(database)
            if not _looks_like_archive(set(await db.table_names())):
                return {}
            try:
                article_id = int(tilde_decode(request.url_vars["pks"]))
            except (KeyError, ValueError):
                return {}
            # The article page lists links from the tables people read, not from the lookup index.
            return {"newsspider_article": await article_page.load(db, article_id),
                    "newsspider_hidden_tables": set(await db.hidden_table_names())}
        return article_vars
    if template in ("index.html", "database.html"):
        async def featured():
            dashboards = datasette.plugin_config("datasette-dashboards") or {}
            return {"newsspider_tables": await _tables_in_metadata_order(datasette),
                    "newsspider_charts": next(iter(dashboards), None)}
        return featured
    return None


async def _tables_in_metadata_order(datasette) -> dict[str, list[str]]:
    """For each archive served: its visible tables, in the order the metadata lists them (articles first)."""
    out = {}
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        present = set(await db.table_names())
        if not _looks_like_archive(present):
            continue
        described = (datasette.metadata("tables", database=name, fallback=False) or {})
        hidden = set(await db.hidden_table_names())
        ordered = [t for t in described if t in present and t not in hidden]
        out[name] = ordered + sorted(present - hidden - set(ordered))
    return out


def _order(tables, order):
    """Datasette's table list, the given names first in that order, hidden tables last."""
    if not order:
        return tables
    rank = {name: i for i, name in enumerate(order)}
    return sorted(tables, key=lambda t: (t.get("hidden", False), rank.get(t["name"], len(rank)), t["name"]))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["newsspider_order"] = _order


def _compact(value, depth: int = 0) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_compact(v, depth + 1)}" for k, v in value.items())
        return "{" + inner + "}" if depth else inner
    if isinstance(value, list):
        if all(isinstance(v, list) and len(v) == 2 for v in value) and value:  # [[name, value], ...], e.g. headers
            return "; ".join(f"{k}: {v}" for k, v in value)
        inner = ", ".join(_compact(v, depth + 1) for v in value)
        return "[" + inner + "]" if depth else inner
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _marked(text: str, table) -> Markup:
    """Escaped text; in query results, the search's **matches** also get a <mark>."""
    escaped = escape(text)
    if table is None and "**" in text:
        return Markup(MATCH.sub(lambda m: f"<mark>{m.group(0)}</mark>", str(escaped)))
    return escaped


def _article_link(row, value, column, table, database, datasette):
    """In query results, an id beside a headline is an article's (the canned queries): link it to the article page."""
    if table is None and column == "id" and isinstance(value, int) and "headline" in row.keys():
        return Markup('<a href="{}">{}</a>').format(datasette.urls.row(database, "articles", value), value)
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Compact cells: a JSON list or object as one short line, long text folded into a one-line <details>.

    The full value is inside the <details> (one click), so a row page loses nothing; datasette's
    own rendering (links, labels, binary) is left to every other cell.
    """
    if not isinstance(value, str):
        return _article_link(row, value, column, table, database, datasette)
    if value[:1] in ("[", "{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, (list, dict)):
            summary = _compact(parsed)
            if len(summary) <= FOLD_CHARS:
                return Markup('<span class="ns-json">{}</span>').format(summary)
            return Markup('<details class="ns-fold ns-json"><summary>{}</summary><pre>{}</pre></details>').format(
                summary, json.dumps(parsed, ensure_ascii=False, indent=1))
    if len(value) > FOLD_CHARS and not value.startswith(("http://", "https://")):
        return Markup('<details class="ns-fold"><summary>{}</summary><div>{}</div></details>').format(
            _marked(value[:FOLD_CHARS], table), _marked(value, table))
    if table is None and "**" in value:
        return _marked(value, table)
    return None


async def raw_response_text(request, datasette):
    """A raw response's body as it was received, as text/plain: a page's HTML is shown, never rendered."""
    from ..archive.raw import decompress

    database = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"No database {database}")
    allowed = await datasette.permission_allowed(request.actor, "view-table", resource=(database, "raw_bodies"), default=True)
    if not allowed:
        return Response.text("Forbidden", status=403)
    rows = (await db.execute(
        """select r.url, r.final_url, r.status, r.fetched_at, r.encoding, b.data, b.compression
           from raw_responses r join raw_bodies b on b.sha256 = r.body_sha256 where r.id = :id""",
        {"id": int(request.url_vars["id"])})).rows
    if not rows:
        raise NotFound("No such raw response")
    row = rows[0]
    body = decompress(row["data"], row["compression"])
    try:
        text = body.decode(row["encoding"] or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return Response.text(text, headers={
        "X-Content-Type-Options": "nosniff",
        # Even a browser that sniffs would run nothing: the text is a sandboxed, script-less document.
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Content-Disposition": f'inline; filename="raw-{int(request.url_vars["id"])}.txt"',
    })


@hookimpl
def register_routes():
    return [(r"^/-/raw/(?P<database>[^/]+)/(?P<id>\d+)\.txt$", raw_response_text)]
