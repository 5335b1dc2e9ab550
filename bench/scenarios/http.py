"""HTTP: uvicorn serving each library's project on loopback, loaded in bounded runs.

One server per library (all up at once, idle unless loaded), for 1 and then 2 workers; rounds
interleave the libraries endpoint by endpoint. Rows: the protected sync DRF view, the
library's own async view (simplejwt: adrf; floor: a plain async view around the hand-written
authenticator), and the references without authentication (DRF view, plain async Django view).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import loadgen

#: figure suffix -> (path, label, kind, profile). Kinds: "protected" (every library, with its
#: token, and 401 without), "open" (every library's own async view without authentication: what
#: the protected one is compared with), "reference" (measured once, in the floor column).
ENDPOINTS = {
    "drf": ("drf/", "DRF APIView, protected GET", "protected", "hs256"),
    "async": ("async/", "own async view, protected GET", "protected", "hs256"),
    "async.usercache": (
        "async/",
        "own async view, protected GET, user cache",
        "protected",
        "usercache",
    ),
    "async.open": ("async-open/", "own async view, no auth", "open", "hs256"),
    "noauth": ("noauth/", "DRF APIView, no auth (reference)", "reference", "hs256"),
    "plain": ("plain/", "plain async Django view, no auth (reference)", "reference", "hs256"),
}
WORKERS = (1, 2)
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Figure:
    """One HTTP row."""

    id: str
    label: str
    path: str
    kind: str
    workers: int
    profile: str = "hs256"

    @property
    def reference(self) -> bool:
        """Measured for the floor column only."""
        return self.kind == "reference"

    @property
    def protected(self) -> bool:
        """Requested with the library's token (and refused without it)."""
        return self.kind == "protected"


def figures() -> list[Figure]:
    """Every HTTP row, in table order."""
    return [
        Figure(f"http.{w}w.{key}", f"HTTP {w}w: {label}", path, kind, w, profile)
        for w in WORKERS
        for key, (path, label, kind, profile) in ENDPOINTS.items()
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer {url} within {timeout} s")


def status(url: str, token: str | None) -> int:
    """The status of one GET (sanity check before loading an endpoint)."""
    request = urllib.request.Request(url)  # noqa: S310 - loopback URL we built
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@contextmanager
def servers(
    libs: list[str], env: dict[str, str], workers: int, profile: str = "hs256"
) -> Iterator[dict[str, str]]:
    """Start one uvicorn per library (with ``profile``); yield lib -> base URL; stop them all."""
    started: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for lib in libs:
            port = _free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=REPO,
                env={**env, "BENCH_LIB": lib, "BENCH_PROFILE": profile},
                start_new_session=True,
            )
            started[lib] = (process, f"http://127.0.0.1:{port}/")
        for process, base in started.values():
            _wait_until_up(base + "plain/", process)
        yield {lib: base for lib, (_, base) in started.items()}
    finally:
        for process, _ in started.values():
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def load_once(base: str, figure: Figure, token: str, seconds: float) -> loadgen.Load:
    """One bounded run against ``figure``'s endpoint (with the token if it is protected)."""
    return loadgen.run(base + figure.path, token if figure.protected else None, seconds)
