from __future__ import annotations

import subprocess

import pytest

from tests.support.paths import PEOPLE_FR, run_cli


@pytest.fixture(scope="session")
def mirror_server():
    from newsspider.commands.mirror import MirrorServer, people_fr_mounts

    with MirrorServer(people_fr_mounts(PEOPLE_FR)) as server:
        yield server


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory):
    """`newsspider demo` run once for the session: (path of its archive, what it printed). Treat it as read-only."""
    cwd = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--db", str(cwd / "archive.db"), cwd=cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    return cwd / "archive.db", result.stdout


@pytest.fixture(scope="session")
def redis_url():
    """A Redis on 127.0.0.1 for the scale-out tests: NEWSSPIDER_TEST_REDIS (set by `make test`), else one started here.

    Never a skip: without redis-server these tests fail and say how to get it.
    """
    import os
    import shutil
    import time

    import redis

    from tests.support.serving import free_port

    def answers(url: str) -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    url = os.environ.get("NEWSSPIDER_TEST_REDIS")
    if url:
        if not answers(url):
            pytest.fail(f"NEWSSPIDER_TEST_REDIS={url} does not answer; `make redis` starts Debian's redis-server there")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `make test` installs Debian's (apt-get install redis-server) "
                    "and starts it; plain pytest starts one itself when the binary is on PATH")
    port = free_port()
    proc = subprocess.Popen([binary, "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
