"""Real servers for the end-to-end tests: a free loopback port, the demo's manage.py, uvicorn.

Shared by every test that serves a project over HTTP (the demo, the README quickstart, the
JWKS interoperability test), so each starts, waits for and stops uvicorn the same way.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
#: How long uvicorn may take to answer its first request.
START_TIMEOUT = 30.0


def free_port() -> int:
    """A loopback port nobody listens on now (the tiny race until the server binds is fine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def demo_manage(env: Mapping[str, str], *args: str) -> None:
    """Run ``example/manage.py ARGS``; fail the test with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "example/manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


@contextmanager
def uvicorn(
    app: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    probe: str,
    app_dir: str | None = None,
) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL, then stop it.

    ``probe`` is a path that answers once the app is up (any HTTP status will do). A server
    that dies or does not answer in time fails the test with its log.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    if app_dir is not None:
        command += ["--app-dir", app_dir]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_serving(proc, base_url + probe, log)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_serving(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"uvicorn exited with {proc.returncode}:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=1.0)
        except httpx.TransportError:
            time.sleep(0.2)
        else:
            return
    pytest.fail(f"uvicorn did not answer within {START_TIMEOUT}s:\n{log.read_text()}")
