"""Measure what ACCESS_TOKEN_REVOCATION costs per request on the model and memory stores.

Run from the repository root, with the test settings (a throwaway test database is created):

    DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. .venv/bin/python scripts/session_cost.py
    JWTFLOW_TEST_DB=postgres DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. \
        .venv/bin/python scripts/session_cost.py

It prints the median time of the authentication policy (token checks plus the user lookup)
with ACCESS_TOKEN_REVOCATION on and off, sync and async. docs/sessions.md quotes the numbers; this
is a measurement, never an assertion in the test suite.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable

import django

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

ROUNDS, BATCH = 15, 200


def median_us(run: Callable[[], object]) -> float:
    """Median microseconds per call over ROUNDS batches of BATCH calls."""
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(BATCH):
            run()
        timings.append((time.perf_counter() - start) / BATCH * 1e6)
    return statistics.median(timings)


def amedian_us(run: Callable[[], object]) -> float:
    """Median microseconds per awaited call, all rounds inside one event loop."""

    async def rounds() -> list[float]:
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for _ in range(BATCH):
                await run()  # type: ignore[misc]
            timings.append((time.perf_counter() - start) / BATCH * 1e6)
        # The thread the ORM hopped to keeps a connection; close it so the database can go.
        await sync_to_async(connections.close_all)()
        return timings

    return statistics.median(asyncio.run(rounds()))


def measure(label: str, revocation: bool) -> None:
    """Print the sync and async cost of authenticating one session access token."""
    from jwtflow import RefreshToken, flows
    from jwtflow.django import conf
    from jwtflow.drivers import run_async, run_sync

    jwtflow = {**settings.JWTFLOW, "ACCESS_TOKEN_REVOCATION": revocation}
    if label == "memory":
        jwtflow["BLACKLIST_BACKEND"] = "jwtflow.memory.MemoryBlacklistBackend"
    with override_settings(JWTFLOW=jwtflow):
        runtime = conf.get_runtime()
        user = User.objects.get(username="bench")
        raw = str(RefreshToken.for_user(user).access_token)
        sync = median_us(lambda: run_sync(flows.authenticate(runtime, raw), runtime.ports))
        hop = amedian_us(lambda: run_async(flows.authenticate(runtime, raw), runtime.ports))
    state = "on " if revocation else "off"
    print(f"{label:8} revocation {state}: sync {sync:7.0f} us   async {hop:7.0f} us")


def main() -> None:
    """Create a test database, a user, and measure."""
    from django.test.runner import DiscoverRunner

    # A database of its own: the shared test database may be in use by a test run.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"jwtflow_cost_{os.getpid()}"
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    try:
        User.objects.create_user("bench", password="bench")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        for revocation in (False, True):
            measure(f"model/{engine}", revocation)
        for revocation in (False, True):
            measure("memory", revocation)
    finally:
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main()
