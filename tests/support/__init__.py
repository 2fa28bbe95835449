"""Helpers for newsspider's own tests and benchmarks: page mutators, fault servers, synthetic mirrors.

Not part of the installed package: they live beside the tests, and import newsspider like any user.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Subprocesses (`python -m newsspider crawl ...`, the parse pool's workers, `python -m tests.support.reader`)
# load test plug-ins by dotted name; whatever their working directory, they find `tests` through PYTHONPATH.
_paths = os.environ.get("PYTHONPATH", "").split(os.pathsep) if os.environ.get("PYTHONPATH") else []
if str(ROOT) not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *_paths])
