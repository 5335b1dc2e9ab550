"""The runner's side of the worker processes: start them, talk JSON lines, stop them."""

from __future__ import annotations

import contextlib
import json
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Any

#: A worker that says nothing for this long is stuck (set-up migrates and logs in once).
TIMEOUT_SECONDS = 300


class WorkerError(RuntimeError):
    """A worker died or stopped answering."""


class WorkerProcess:
    """One ``python -m bench.worker`` for a library and profile."""

    def __init__(self, lib: str, profile: str, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.lib, self.profile, self.log = lib, profile, log
        self.status: dict[str, Any] = {}
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.worker"],
            cwd=cwd,
            env={**env, "BENCH_LIB": lib, "BENCH_PROFILE": profile},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def wait_ready(self) -> dict[str, Any]:
        """Read the ready line: ``{"ready": true, ...}`` or why not (``na`` / ``error``)."""
        try:
            self.status = self._read()
        except WorkerError as error:
            self.status = {"ready": False, "error": f"{error}\n{self.log_tail()}"}
        return self.status

    @property
    def ready(self) -> bool:
        """Whether set-up succeeded."""
        return bool(self.status.get("ready"))

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return the answer.

        Raises:
            WorkerError: the worker died or timed out.
        """
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError as error:
            raise WorkerError(f"{self.lib}/{self.profile} is gone") from error
        return self._read()

    def _read(self) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if not selector.select(TIMEOUT_SECONDS):
                raise WorkerError(f"{self.lib}/{self.profile} did not answer")
        line = stdout.readline()
        if not line:
            raise WorkerError(f"{self.lib}/{self.profile} exited ({self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the worker wrote to stderr."""
        self._log.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Ask it to quit, then make sure it is gone."""
        if self.process.poll() is None:
            with contextlib.suppress(WorkerError, ValueError, OSError):
                self.ask({"op": "quit"})
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
