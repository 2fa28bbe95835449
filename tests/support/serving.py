"""`newsspider serve` in a subprocess on a free 127.0.0.1 port, for tests: `with served(db) as url: ...`."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:  # datasette's 4xx/5xx pages are answers too
        return exc.code, exc.read().decode("utf-8", "replace")


@contextmanager
def served(db: str | Path, *, startup_timeout: float = 60, extra: tuple[str, ...] = ()) -> Iterator[str]:
    port = free_port()
    # A file, not a pipe: datasette logs every request, and a pipe nobody reads fills up and stops it.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsspider", "serve", "--db", str(db), "--port", str(port), *extra],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"newsspider serve exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                if fetch(f"{url}/-/versions.json", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"newsspider serve did not answer within {startup_timeout} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
