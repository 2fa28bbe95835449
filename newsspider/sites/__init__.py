"""Sites: one package per site, found by scanning this folder (no list of sites to edit).

A site package's __init__.py is data only (NAME, HOSTS, canonical(), URL patterns, SOURCES,
SETTINGS); its parser.py registers the parser for HOSTS on import (parsers/base.py), and its
spider.py, when it has one, is found by Scrapy through SPIDER_MODULES.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def names() -> list[str]:
    """Every site package here, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.ispkg)


def site(name: str) -> ModuleType:
    """The site's data module (its __init__.py), without its parser or spider."""
    return importlib.import_module(f"{__name__}.{name}")


def default_settings() -> dict:
    """Every site's SETTINGS, merged: newsspider/settings.py takes its site defaults from here."""
    merged: dict = {}
    for name in names():
        for key, value in getattr(site(name), "SETTINGS", {}).items():
            if key in merged:
                raise RuntimeError(f"setting {key} declared by two sites")
            merged[key] = value
    return merged


def load_parsers() -> None:
    """Import each site's parser.py, which registers it for the site's hosts (newsspider.parsing calls it once)."""
    for name in names():
        if importlib.util.find_spec(f"{__name__}.{name}.parser") is not None:
            importlib.import_module(f"{__name__}.{name}.parser")
