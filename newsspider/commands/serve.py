"""`newsspider serve`: the archive in datasette, read-only, on 127.0.0.1, with the packaged metadata.

Stored HTML and text are shown as text: datasette escapes every cell, bodies
of raw responses are BLOBs (shown as "<Binary: N bytes>") or text/plain, and
the only datasette plugins loaded are newsspider's own (newsspider.datasette:
the article page, compact cells, raw responses as text) and the chart plugin
with what it needs (TRUSTED_PLUGINS); any other installed plugin is unloaded,
since a plugin's render_cell hook could turn a cell into live HTML.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

METADATA = files("newsspider") / "datasette" / "metadata.yaml"
# The key under `databases` in metadata.yaml: a file named archive.db.
TEMPLATE_DATABASE = "archive"


# Plugins `serve` keeps (module names): ours, and datasette-dashboards with the two plugins it
# requires. None renders a stored value as HTML: datasette-render-markdown would only for the
# columns its config names, and the metadata names none.
TRUSTED_PLUGINS = ("newsspider.datasette", "datasette_dashboards", "datasette_leaflet", "datasette_render_markdown")


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """The packaged metadata, bound to the database name datasette gives `db_path` (its file stem).

    Each chart names the canned query it draws (`query_name`): the chart gets that query's SQL and
    the database name, so a chart and its query never disagree.
    """
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    name = Path(db_path).stem
    databases[name] = databases.pop(TEMPLATE_DATABASE)
    queries = databases[name].get("queries", {})
    for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
        for chart in dashboard.get("charts", {}).values():
            if "query_name" in chart:
                chart["db"] = name
                chart["query"] = queries[chart["query_name"]]["sql"]
    return metadata


def datasette_args(db_path: str | Path, metadata_file: str | Path, *, host: str, port: int, immutable: bool) -> list[str]:
    db = str(db_path)
    args = ["serve", "--host", host, "--port", str(port), "--metadata", str(metadata_file)]
    # Without --immutable datasette opens the file with SQLite's mode=ro: it reads a
    # running crawl's new rows and cannot write. --immutable is for a copy nobody
    # writes to (read-only media, a published snapshot): no locking, cached counts.
    args += ["--immutable", db] if immutable else [db]
    return args


def only_trusted_plugins() -> list[str]:
    """Unload every datasette plugin that is neither datasette's own nor trusted, load ours; returns what was unloaded."""
    from datasette.plugins import DEFAULT_PLUGINS, pm

    from .. import datasette as reading_room

    removed = []
    for plugin in list(pm.get_plugins()):
        name = getattr(plugin, "__name__", None)
        if name not in DEFAULT_PLUGINS and name not in TRUSTED_PLUGINS:
            removed.append(pm.get_name(plugin) or repr(plugin))
            pm.unregister(plugin)
    # Loaded through the `datasette` entry point when newsspider is installed; registered here otherwise.
    if not pm.is_registered(reading_room):
        pm.register(reading_room, name="newsspider")
    return removed


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001, immutable: bool = False, metadata_dir: Path) -> None:
    """Run datasette until interrupted. The metadata file is written into metadata_dir."""
    from datasette.cli import cli

    metadata_file = Path(metadata_dir) / "metadata.json"
    metadata_file.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
    removed = only_trusted_plugins()
    if removed:
        print(f"newsspider serve: not loading datasette plugins {', '.join(removed)} (stored HTML is shown as text only)")
    cli.main(datasette_args(db_path, metadata_file, host=host, port=port, immutable=immutable), prog_name="datasette")
