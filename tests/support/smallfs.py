"""A small filesystem the test makes (tmpfs, mounted under the test's own tmp dir) and removes, to fill up for real.

    with small_filesystem(tmp / "fs", "3m") as fs:
        ... # write until "database or disk is full"
        fs.resize("64m")  # give it space: the same files, now with room
        fs.read_only()    # or make it read-only media

Needs root (mount); `available()` says whether this machine lets the test mount one.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class SmallFilesystem:
    def __init__(self, path: Path):
        self.path = path

    def _remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.path)], check=True, capture_output=True)

    def resize(self, size: str) -> None:
        self._remount(f"size={size}")

    def read_only(self) -> None:
        self._remount("ro")

    def read_write(self) -> None:
        self._remount("rw")


def _mount(path: Path, size: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True, capture_output=True)


def available() -> bool:
    """True when a tmpfs can be mounted here (root, a mount binary, no sandbox refusing it)."""
    if os.geteuid() != 0:
        return False
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            _mount(Path(tmp), "1m")
        except (OSError, subprocess.CalledProcessError):
            return False
        subprocess.run(["umount", tmp], check=False, capture_output=True)
    return True


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[SmallFilesystem]:
    path.mkdir(parents=True, exist_ok=True)
    _mount(path, size)
    try:
        yield SmallFilesystem(path)
    finally:
        # Lazily: a process the test started may still hold a file open for a moment.
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)
