"""HTTP load generators for the uvicorn runs: wrk when installed, else an async httpx client.

Both send GETs with a bearer token to one loopback URL over a fixed number of keep-alive
connections for a fixed time, and report requests per second, the 99th percentile latency and
how many answers were not 200.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

CONNECTIONS = 8
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """One bounded run: throughput, tail latency, failures."""

    rps: float
    p99_ms: float
    failures: int


def name() -> str:
    """Which generator runs: ``wrk`` if installed, unless ``BENCH_LOADGEN=httpx``."""
    wanted = os.environ.get("BENCH_LOADGEN", "wrk")
    return "wrk" if wanted == "wrk" and shutil.which("wrk") else "httpx"


def run(url: str, token: str | None, seconds: float) -> Load:
    """Load ``url`` for ``seconds``; a bearer ``token`` if given."""
    if name() == "wrk":
        return _wrk(url, token, seconds)
    return asyncio.run(_httpx(url, token, seconds))


def _wrk(url: str, token: str | None, seconds: float) -> Load:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = float(_search(r"Requests/sec:\s+([\d.]+)", output) or 0)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", output)
    failures = int(_search(r"Non-2xx or 3xx responses:\s+(\d+)", output) or 0)
    failures += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    p99_ms = float(p99.group(1)) * _UNITS[p99.group(2)] if p99 else float("nan")
    return Load(rps, p99_ms, failures)


def _search(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


async def _httpx(url: str, token: str | None, seconds: float) -> Load:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def connection() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - start)
                failures += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return Load(len(latencies) / elapsed, p99 * 1000, failures)
