"""The Redis the cache and Redis store rows use, preferably one of the benchmark's own.

A shared server is a poor fit: test suites flush it (Django's ``cache.clear()`` is ``FLUSHDB``)
and log users out, which turns the benchmark's live sessions into revoked ones mid-run; and the
benchmark's load would slow their tests. So: ``BENCH_REDIS_URL`` if set, else a throwaway
``redis-server`` on a free loopback port, else ``JWTFLOW_TEST_REDIS_URL``, else none ("n/a").
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def redis_url(workdir: Path) -> Iterator[str | None]:
    """Yield the Redis URL to use (see the module docstring), or None."""
    chosen = os.environ.get("BENCH_REDIS_URL")
    if chosen or not shutil.which("redis-server"):
        yield chosen or os.environ.get("JWTFLOW_TEST_REDIS_URL") or None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port}")
