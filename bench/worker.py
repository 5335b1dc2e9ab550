"""A worker process: one library in one profile, timing scenarios on request.

``python -m bench.worker`` with ``BENCH_LIB``, ``BENCH_PROFILE`` and ``BENCH_DIR`` set. It
configures Django once, migrates its own SQLite file, creates the user, logs in through the
library's own endpoint, then answers JSON lines on stdin:

- ``{"op": "prepare", "id": ...}``: build the job, check one result, warm up; answer the time
  of one call (``us``) or why the library has no such scenario (``na``).
- ``{"op": "run", "id": ..., "n": ...}``: time ``n`` calls; answer ``us`` per call.
- ``{"op": "token"}``: the access token (for the HTTP runs); ``{"op": "quit"}``.

Anything the library prints goes to stderr; stdout carries only the answers.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any, TextIO

from bench.libs import load
from bench.libs.base import PASSWORD, USERNAME, Context, Unsupported
from bench.scenarios import Setup, by_id
from bench.timing import Job

#: Calls timed when preparing: enough to warm caches, connections and lazy imports.
WARMUP_CALLS = 5


def prepare_process(ctx: Context) -> Setup:
    """Configure Django for ``ctx``, create the schema and the user, log in once.

    Raises:
        Unsupported: the library has nothing equivalent to this profile.
    """
    load(ctx.lib).settings(ctx)  # a profile the library cannot do stops here, before Django
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.create_user(USERNAME, f"{USERNAME}@example.com", PASSWORD)
    # The user existed long before the measured requests: jwtflow's user cache tombstones a
    # user for USER_CACHE_SECONDS after each save, which would otherwise cover the whole run.
    caches["default"].clear()
    access, refresh = load(ctx.lib).obtain(USERNAME, PASSWORD)
    return Setup(user=user, access=access, refresh=refresh)


def _error() -> str:
    """The exception line first (the table's note), then the traceback (the JSON's)."""
    trace = traceback.format_exc()
    return trace.strip().splitlines()[-1] + "\n" + trace


class Worker:
    """The command loop of one worker."""

    def __init__(self, ctx: Context, setup: Setup, out: TextIO) -> None:
        self.ctx, self.setup, self.out = ctx, setup, out
        self.adapter = load(ctx.lib)
        self.jobs: dict[str, Job] = {}
        self.scenarios = by_id()

    def send(self, message: dict[str, Any]) -> None:
        """Write one answer line."""
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def handle(self, message: dict[str, Any]) -> bool:
        """Answer one command; False on quit."""
        op = message["op"]
        if op == "quit":
            return False
        if op == "token":
            self.send({"ok": True, "token": self.setup.access})
        elif op == "prepare":
            self.send(self.prepare(message["id"]))
        elif op == "run":
            self.send({"ok": True, "us": self.jobs[message["id"]].measure(int(message["n"]))})
        return True

    def prepare(self, scenario_id: str) -> dict[str, Any]:
        """Build, check and warm up a scenario's job."""
        try:
            job = self.scenarios[scenario_id].make(self.adapter, self.setup)
            job.once()
            job.measure(WARMUP_CALLS)
            self.jobs[scenario_id] = job
            return {"ok": True, "us": job.measure(WARMUP_CALLS)}
        except Unsupported as reason:
            return {"ok": False, "na": str(reason)}
        except Exception:
            return {"ok": False, "error": _error()}


def main() -> None:
    """Set up, report ready (or why not), then serve commands until quit or end of input."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the answers
    ctx = Context.from_environ()
    try:
        setup = prepare_process(ctx)
    except Unsupported as reason:
        out.write(json.dumps({"ready": False, "na": str(reason)}) + "\n")
        return
    except Exception:
        out.write(json.dumps({"ready": False, "error": _error()}) + "\n")
        return
    worker = Worker(ctx, setup, out)
    worker.send({"ready": True, "features": worker.adapter.features()})
    for line in sys.stdin:
        if not worker.handle(json.loads(line)):
            break


if __name__ == "__main__":
    main()
