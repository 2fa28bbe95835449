"""The shape of the code, checked: frozen migrations, an import graph without circles, parsers at the bottom.

The rules (read from the AST, nothing is imported to check them):
- newsspider/archive/schema.py imports nothing from newsspider: a migration runs only code written
  beside it, so an old migration keeps its meaning when live code changes (#13).
- No module of newsspider/ imports itself back through others. An import of a package's submodule
  (`from . import minhash`, `from .. import datasette`) counts as an edge to that submodule only: the parent package's
  __init__ is loaded before any of its modules anyway, so it is not an edge.
- newsspider/parsers/ imports from newsspider only parsers/ itself and items.py (the Article it
  returns, the required fields, the size cap): besides those, stdlib and third-party only. Not
  settings.py, which loads the site packages' data, and not newsspider/sites/: the site parsers build on GenericParser, and loading them is the job of
  newsspider/parsing/, above both (#13). Checked also at run time, in a fresh interpreter: the site
  packages are loaded through importlib, which the AST does not see.
- No module of newsspider/sites/ imports newsspider/parsing/: parsing/ loads the sites, so a site
  importing it back would be a circle at run time that the AST graph cannot show.
- newsspider/archive/ is below the run and the Scrapy adapters: it imports from newsspider only
  archive/ itself, items.py, timestamps.py and minhash.py, never runs/, pipelines/ or spiders/.
- newsspider/runs/ (a run's life) is below the commands: it imports none of the modules that
  start runs (cli, demo, worker, ingest, reparse), so a command may use any of runs/.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "newsspider"
PARSERS_MAY_IMPORT = {"newsspider.items"}
ARCHIVE_MAY_IMPORT = {"newsspider.items", "newsspider.timestamps", "newsspider.archive.minhash"}
COMMANDS = {
    "newsspider.cli", "newsspider.commands.demo",
    "newsspider.distributed.worker", "newsspider.distributed.ingest", "newsspider.commands.reparse",
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    """The newsspider modules an import statement names (absolute dotted names)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            base = ".".join(package[:len(package) - (node.level - 1)] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
        names = submodules + ([base] if len(submodules) < len(node.names) else [])
    found = []
    for name in names:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known and name != module:
            found.append(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[module] = {target for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                         for target in imported(module, path, node, known)}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_has_no_circles():
    assert circles(graph()) == []


def test_the_circle_finder_finds_a_circle():
    # The check above is only as good as this: a two- and a three-module circle, and a chain that is none.
    edges = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert sorted(circles(edges)) == [["a", "b"], ["c", "d", "e"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_relative_and_submodule_imports():
    edges = graph()
    assert "newsspider.archive.minhash" in edges["newsspider.archive.neardup"]  # from . import minhash
    assert "newsspider.datasette" in edges["newsspider.commands.serve"]  # from .. import datasette
    assert "newsspider.archive.db" in edges["newsspider.archive"]  # from .db import Archive


def test_parsers_import_nothing_above_them():
    outside = {module: sorted(t for t in targets if not _in(t, "newsspider.parsers") and t not in PARSERS_MAY_IMPORT)
               for module, targets in graph().items() if _in(module, "newsspider.parsers")}
    assert {module: targets for module, targets in outside.items() if targets} == {}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_parsers_check_refuses_the_sites():
    # The rule above is only as good as this: the old parsers/__init__.py's import of the site registry is refused.
    assert "newsspider.sites" not in PARSERS_MAY_IMPORT and not _in("newsspider.sites", "newsspider.parsers")
    assert not _in("newsspider.parsing", "newsspider.parsers")


def test_importing_the_parsers_loads_no_site():
    # In a fresh interpreter: a site's parser.py imports parsers/generic.py, which must not load the sites back.
    code = ("import sys, newsspider.parsers.generic, newsspider.parsers; "
            "loaded = sorted(m for m in sys.modules if m == 'newsspider.sites' or m.startswith(('newsspider.sites.', 'newsspider.parsing'))); "
            "assert loaded == [], loaded")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_site_parser_imported_first_loads_without_a_circle():
    # Each site's parser.py imported before anything else, then the registry: no half-initialised module on the way.
    for name in sorted(p.name for p in (PACKAGE / "sites").iterdir() if (p / "parser.py").exists()):
        code = (f"import newsspider.sites.{name}.parser, newsspider.parsing; "
                f"assert any(p.__module__ == 'newsspider.sites.{name}.parser' for p in newsspider.parsing.registered_hosts().values())")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_sites_do_not_import_the_parsing_room():
    found = {module: sorted(t for t in targets if _in(t, "newsspider.parsing"))
             for module, targets in graph().items() if _in(module, "newsspider.sites")}
    assert {module: targets for module, targets in found.items() if targets} == {}


def test_the_archive_imports_nothing_above_it():
    outside = {module: sorted(t for t in targets if not _in(t, "newsspider.archive") and t not in ARCHIVE_MAY_IMPORT)
               for module, targets in graph().items() if _in(module, "newsspider.archive")}
    assert {module: targets for module, targets in outside.items() if targets} == {}


def test_runs_import_no_command():
    found = {module: sorted(targets & COMMANDS) for module, targets in graph().items() if _in(module, "newsspider.runs")}
    assert "newsspider.runs.recorder" in found  # the rule looks at the package it names
    assert {module: targets for module, targets in found.items() if targets} == {}




def test_migrations_import_no_live_code():
    path = PACKAGE / "archive" / "schema.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    live = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "newsspider"):
            live.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''}")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "newsspider" for a in node.names):
            live.append(f"line {node.lineno}: import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in {"__import__", "import_module"}:
                live.append(f"line {node.lineno}: {name}()")
    assert live == []


def test_the_frozen_minhash_of_the_migrations_keeps_its_keys():
    # Pinned when m004/m008 were frozen (then equal to newsspider/archive/minhash.py's body_band_keys):
    # a change to the frozen copy would re-index old archives differently from what they had.
    from newsspider.archive import schema

    pairs = json.loads((ROOT / "tests" / "fixtures" / "near_duplicates" / "pairs.json").read_text(encoding="utf-8"))["pairs"]
    keys = [schema._m_band_keys(schema._m_shingles(pair["a"])) for pair in pairs]
    assert len(keys) == 6 and all(len(k) == 40 for k in keys)
    assert hashlib.sha256(json.dumps(keys).encode()).hexdigest() == "01933a2a8eeb6d93f83b2a4d8931ad03da5db770a0c03bc7b74ee09d51aff06e"
