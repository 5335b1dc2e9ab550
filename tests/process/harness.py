"""Parent side of the process-level tests: worker processes, a barrier, throwaway servers.

A :class:`WorkerPool` starts OS processes running :mod:`tests.process.worker` against the
parent test's database and stores. :meth:`WorkerPool.race` hands each worker a job, waits
until every one has armed (settings applied, connections open), then releases them all with
one ``go`` line each: a barrier across processes. :class:`RedisServer` and :class:`Uvicorn` are
servers a test owns and may kill and restart.
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings as django_settings
from django.db import connections

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
#: Racing workers: half through WSGI, half through ASGI, on a machine with few cores.
RACERS = 6


def jwtflow_with(**overrides: Any) -> dict[str, Any]:
    """The test JWTFLOW setting with ``overrides``."""
    return {**django_settings.JWTFLOW, **overrides}


def parent_database() -> dict[str, Any]:
    """The parent's test database as a ``DATABASES["default"]`` a child process can use."""
    source = connections["default"].settings_dict
    keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    return {key: source[key] for key in keys if source.get(key) is not None}


#: The Redis database the child processes' cache uses: not the shared 0, which other test
#: runs on the same server flush between tests.
CHILD_REDIS_DB = 14


def own_redis_db(url: str) -> str:
    """``url`` on :data:`CHILD_REDIS_DB`."""
    return url.rsplit("/", 1)[0] + f"/{CHILD_REDIS_DB}"


def child_settings() -> dict[str, Any]:
    """Settings of a child process: the parent's test database, its caches on their own db."""
    caches = dict(django_settings.CACHES)
    if "redis" in caches:
        caches["redis"] = {**caches["redis"], "LOCATION": own_redis_db(caches["redis"]["LOCATION"])}
    return {"DATABASES": {"default": parent_database()}, "CACHES": caches}


def child_env(settings: Mapping[str, Any]) -> dict[str, str]:
    """The environment of a child process: :mod:`tests.process.settings` with ``settings``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.process.settings",
        "JWTFLOW_PROCESS_SETTINGS": json.dumps(settings),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


class Worker:
    """One worker process and its JSON-lines pipe; stderr goes to ``log``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.process.worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        self._buffer = b""

    def send(self, message: Mapping[str, Any] | str) -> None:
        """Write one line: a JSON object, or a bare word such as ``go``."""
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, deadline: float) -> dict[str, Any]:
        """Read one JSON line; fail with the worker's log on an error, an exit or the deadline."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise AssertionError(f"worker timed out; its log:\n{self.log_text()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"worker exited; its log:\n{self.log_text()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        if "error" in message:
            raise AssertionError(f"worker failed:\n{message['error']}")
        return message

    def log_text(self) -> str:
        """The worker's stderr so far."""
        return self.log.read_text(errors="replace")[-5000:]

    def close(self) -> None:
        """End the worker: close its stdin, then kill it if it lingers."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class WorkerPool:
    """``size`` workers on ``settings``; even-numbered ones go through WSGI, odd ones ASGI."""

    def __init__(self, size: int, settings: Mapping[str, Any], logs: Path) -> None:
        env = child_env(settings)
        self.workers = [Worker(env, logs / f"worker-{index}.log") for index in range(size)]
        deadline = time.monotonic() + TIMEOUT
        for worker in self.workers:
            worker.receive(deadline)

    def race(
        self, requests: list[list[dict[str, Any]]], jwtflow: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Give worker ``i`` the requests ``requests[i]``, release all at once, return results.

        Each result is the worker's answer (``responses``, ``started``, ``finished``) plus its
        ``mode``.
        """
        workers = self.workers[: len(requests)]
        assert len(workers) == len(requests), "more racers than workers"
        modes = ["sync" if index % 2 == 0 else "async" for index in range(len(workers))]
        for worker, mode, job in zip(workers, modes, requests, strict=True):
            worker.send({"mode": mode, "jwtflow": jwtflow, "requests": job})
        deadline = time.monotonic() + TIMEOUT
        for worker in workers:
            worker.receive(deadline)  # armed
        for worker in workers:
            worker.send("go")
        results = [worker.receive(deadline) for worker in workers]
        return [{**result, "mode": mode} for result, mode in zip(results, modes, strict=True)]

    def run(
        self,
        requests: list[dict[str, Any]],
        *,
        mode: str = "sync",
        jwtflow: Mapping[str, Any] | None = None,
        setup: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Send ``requests`` in order from the first worker; return its responses."""
        worker = self.workers[0]
        worker.send({"mode": mode, "jwtflow": jwtflow, "setup": setup or [], "requests": requests})
        deadline = time.monotonic() + TIMEOUT
        worker.receive(deadline)
        worker.send("go")
        responses: list[dict[str, Any]] = worker.receive(deadline)["responses"]
        return responses

    def close(self) -> None:
        """End every worker: all are told at once, so that they shut down in parallel."""
        for worker in self.workers:
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in self.workers:
            worker.close()


def post(path: str, data: Any = None, token: str | None = None) -> dict[str, Any]:
    """A POST request for a worker."""
    return {"method": "POST", "path": path, "data": data, "token": token}


def get(path: str, token: str | None = None) -> dict[str, Any]:
    """A GET request for a worker."""
    return {"method": "GET", "path": path, "token": token}


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: what kind of token the server issued."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def has_session(token: str) -> bool:
    """Whether the server issued ``token`` in a session (``sid``), rather than sessionless."""
    return "sid" in claims(token)


def overlap(results: list[dict[str, Any]]) -> float:
    """Seconds during which every racer was in flight at once (negative: they never were)."""
    return float(min(r["finished"] for r in results) - max(r["started"] for r in results))


class RedisServer:
    """A redis-server this test owns, persisting every write before acknowledging it.

    ``appendonly yes`` with ``appendfsync always`` writes and fsyncs the append-only file before
    Redis answers a command, so a SIGKILL (a crash) loses nothing that was acknowledged, and a
    restart on the same directory reloads it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart) the server on its port and directory; wait until it answers."""
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--dir", str(self.directory), "--save", "", "--appendonly", "yes"),
                *("--appendfsync", "always", "--logfile", str(self.directory / "redis.log")),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited: {self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer: {self.log_text()}")

    def kill(self) -> None:
        """SIGKILL the server: a crash, with no chance to save anything more."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def log_text(self) -> str:
        """The server's log."""
        log = self.directory / "redis.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""


class Uvicorn:
    """The test project under uvicorn on ``settings``; :meth:`start` again restarts it."""

    def __init__(self, settings: Mapping[str, Any], log: Path) -> None:
        self.env = child_env(settings)
        self.log = log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers HTTP."""
        command = [sys.executable, "-m", "uvicorn", "tests.process.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stderr=log)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"uvicorn exited:\n{self.log.read_text()}")
            try:
                httpx.get(f"{self.base_url}/api/me/", timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.1)
            else:
                return
        raise AssertionError(f"uvicorn did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and the server refuse to run as root; scripts/services.sh runs them as `postgres`.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresServer:
    """A second, throwaway PostgreSQL started by ``scripts/services.sh`` in its own state dir.

    :meth:`crash` stops it with ``pg_ctl -m immediate`` (no shutdown checkpoint, like a crash);
    :meth:`start` brings it back on the same data directory, through crash recovery.

    The script's cluster trades durability for speed. ``fsync = off`` is harmless here (a server
    crash leaves the operating system's page cache, so recovery finds the WAL), but
    ``synchronous_commit = off`` acknowledges a commit before its WAL leaves the server's
    memory, so a crash would lose the last commits; this server turns it back on, as
    production servers have it.
    """

    def __init__(self, state: Path) -> None:
        self.state = state
        self.env = {**os.environ, "JWTFLOW_SERVICES_DIR": str(state)}
        done = self._services("start", "pg")
        self.port = int((state / "pg.port").read_text()) if (state / "pg.port").exists() else 0
        self.started = bool(self.port)
        self.output = done.stderr
        if self.started:
            self.data = Path((state / "pg.dir").read_text().strip()) / "data"
            self.bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version)[-1]

    def _services(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/services.sh", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def database(self, name: str) -> dict[str, Any]:
        """Create the database ``name`` and return its ``DATABASES`` entry."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute("ALTER SYSTEM SET synchronous_commit = 'on'")
            connection.execute("SELECT pg_reload_conf()")
            connection.execute(f'CREATE DATABASE "{name}"')
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def _pg_ctl(self, *args: str) -> None:
        command = _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args])
        subprocess.run(command, cwd="/", check=True, capture_output=True, timeout=120)

    def crash(self) -> None:
        """Stop the server without a clean shutdown."""
        self._pg_ctl("stop", "-m", "immediate", "-w")

    def start(self) -> None:
        """Start the stopped server again and wait until it accepts connections."""
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.data.parent / "postgres.log"))

    def remove(self) -> None:
        """Stop the server and delete its cluster."""
        self._services("stop", "pg")


def _version(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())
