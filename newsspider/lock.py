"""One run at a time per archive: an advisory lock on `<archive>.lock`, held for the whole run.

flock is released by the kernel when the process dies, SIGKILL included, so a killed run never
leaves a stale lock behind; the file's text only says who held it last, for the error message.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path

from .archive.db import utcnow


WAIT_POLL_SECONDS = 0.2


class ArchiveLocked(RuntimeError):
    """Another run holds the archive's lock."""


class ArchiveLock:
    def __init__(self, db_path: str | os.PathLike):
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> ArchiveLock:
        """Take the lock, waiting up to `wait` seconds for another run to release it; ArchiveLocked if it does not."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(min(WAIT_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
                    continue
                holder = _read(fd)
                os.close(fd)
                waited = f" after waiting {wait:g} s" if wait else ""
                raise ArchiveLocked(f"{self.path} is held by another run ({holder or 'unknown process'}){waited}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {utcnow()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
