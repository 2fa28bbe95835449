"""One run at a time per archive: an advisory lock on `<archive>.lock`, held for the whole run.

flock is released by the kernel when the process dies, SIGKILL included, so a killed run never
leaves a stale lock behind; the file's text only says who held it last, for the error message.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import socket
import time
from pathlib import Path

from .db import FILE_MODE, make_dirs, utcnow


WAIT_POLL_SECONDS = 0.2


class ArchiveLocked(RuntimeError):
    """Another run holds the archive's lock."""


class UnsafeLockFile(RuntimeError):
    """`<db>.lock` is a symlink, a hard link or not a file: using it would write through it."""


class ArchiveLock:
    def __init__(self, db_path: str | os.PathLike):
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> ArchiveLock:
        """Take the lock, waiting up to `wait` seconds for another run to release it; ArchiveLocked if it does not."""
        make_dirs(self.path.parent)
        fd = _open_lock_file(self.path)
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


def _open_lock_file(path: Path) -> int:
    """The lock file, never through a symlink nor onto another file's inode: the lock is truncated and written to."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeLockFile(f"{path} is a symbolic link: refusing to use it as the archive's lock (remove it)") from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise UnsafeLockFile(f"{path} is not a plain file of its own (a hard link or a special file): refusing to use it as the archive's lock")
    return fd


def _read(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
