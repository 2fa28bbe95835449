"""`newsspider serve`: the archive in datasette, read-only, on 127.0.0.1, with the packaged metadata.

Stored HTML and text are shown as text: datasette escapes every cell, bodies
of raw responses are BLOBs (shown as "<Binary: N bytes>"), and no datasette
plugin is loaded, since a plugin's render_cell hook could turn a cell into
live HTML.
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


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """The packaged metadata, bound to the database name datasette gives `db_path` (its file stem)."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    databases[Path(db_path).stem] = databases.pop(TEMPLATE_DATABASE)
    return metadata


def datasette_args(db_path: str | Path, metadata_file: str | Path, *, host: str, port: int, immutable: bool) -> list[str]:
    db = str(db_path)
    args = ["serve", "--host", host, "--port", str(port), "--metadata", str(metadata_file)]
    # Without --immutable datasette opens the file with SQLite's mode=ro: it reads a
    # running crawl's new rows and cannot write. --immutable is for a copy nobody
    # writes to (read-only media, a published snapshot): no locking, cached counts.
    args += ["--immutable", db] if immutable else [db]
    return args


def only_default_plugins() -> list[str]:
    """Unload every datasette plugin that is not part of datasette itself; returns their names."""
    from datasette.plugins import DEFAULT_PLUGINS, pm

    removed = []
    for plugin in list(pm.get_plugins()):
        if getattr(plugin, "__name__", None) not in DEFAULT_PLUGINS:
            removed.append(pm.get_name(plugin) or repr(plugin))
            pm.unregister(plugin)
    return removed


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001, immutable: bool = False, metadata_dir: Path) -> None:
    """Run datasette until interrupted. The metadata file is written into metadata_dir."""
    from datasette.cli import cli

    metadata_file = Path(metadata_dir) / "metadata.json"
    metadata_file.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
    removed = only_default_plugins()
    if removed:
        print(f"newsspider serve: not loading datasette plugins {', '.join(removed)} (stored HTML is shown as text only)")
    cli.main(datasette_args(db_path, metadata_file, host=host, port=port, immutable=immutable), prog_name="datasette")
