"""A worker process for the process-level tests: it sends HTTP requests through Django on command.

Run as ``python -m tests.process.worker`` with ``DJANGO_SETTINGS_MODULE=tests.process.settings``.
It speaks JSON lines on stdin and stdout:

1. it answers ``{"ready": true}`` once Django is set up;
2. for each job ``{"mode": "sync"|"async", "jwtflow": {...}?, "setup": [...]?, "requests": [...]}``
   it applies ``jwtflow`` (all of ``settings.JWTFLOW``), runs the ``setup`` steps, opens its
   connections to the database and the store (one round trip each, so that the race is not won
   by whoever connects first) and answers ``{"armed": true}``;
3. on the line ``go`` it sends the requests one after the other, through the WSGI handler
   (``sync``) or the ASGI handler (``async``), and answers
   ``{"responses": [{"status", "body"}], "started", "finished"}`` (times from ``time.time()``).

An exception answers ``{"error": "<traceback>"}`` instead of ``armed`` or ``responses``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import traceback
from typing import Any

import django
from asgiref.sync import sync_to_async


def main() -> None:
    """Serve jobs from stdin until it closes."""
    django.setup()
    reply({"ready": True})
    loop = asyncio.new_event_loop()
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            arm(job, loop)
        except Exception:
            reply({"error": traceback.format_exc()})
            continue
        reply({"armed": True})
        if sys.stdin.readline().strip() != "go":
            break
        try:
            reply(run(job, loop))
        except Exception:
            reply({"error": traceback.format_exc()})
        finally:
            release(loop)
    loop.close()


def reply(message: dict[str, Any]) -> None:
    """Write one JSON line to the parent."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def arm(job: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
    """Apply the job's settings and setup steps, then warm the connections of its mode."""
    from django.conf import settings
    from django.core.signals import setting_changed

    if job.get("jwtflow") is not None:
        settings.JWTFLOW = job["jwtflow"]
        setting_changed.send(sender=None, setting="JWTFLOW", value=job["jwtflow"], enter=True)
    for step in job.get("setup", []):
        setup(step)
    # Warming only evens out the start; with the store down the requests must still run.
    with contextlib.suppress(Exception):
        if job["mode"] == "sync":
            warm()
        else:
            loop.run_until_complete(sync_to_async(warm)())
            loop.run_until_complete(awarm())


def setup(step: dict[str, Any]) -> None:
    """One setup step: ``{"migrate": true}`` or ``{"user": [username, password]}``."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    if step.get("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    if "user" in step:
        username, password = step["user"]
        get_user_model().objects.create_user(username=username, password=password)


def warm() -> None:
    """Open this thread's database connection and the sync store client."""
    from django.db import connection

    from jwtflow.django import conf

    connection.ensure_connection()
    conf.get_runtime().ports.blacklist.is_blacklisted("warm-up")


async def awarm() -> None:
    """Open the async store client (a no-op thread hop for stores without a native one)."""
    from jwtflow.django import conf

    await conf.get_runtime().ports.blacklist.ais_blacklisted("warm-up")


def run(job: dict[str, Any], loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    """Send the job's requests in order and collect the responses."""
    started = time.time()
    if job["mode"] == "sync":
        responses = [send(request) for request in job["requests"]]
    else:
        responses = [loop.run_until_complete(asend(request)) for request in job["requests"]]
    return {"responses": responses, "started": started, "finished": time.time()}


def _arguments(request: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    headers = dict(request.get("headers", {}))
    if request.get("token"):
        headers["Authorization"] = f"Bearer {request['token']}"
    kwargs: dict[str, Any] = {"headers": headers}
    if request.get("data") is not None:
        kwargs.update(data=json.dumps(request["data"]), content_type="application/json")
    return [request["method"], request["path"]], kwargs


def _outcome(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = response.content.decode(errors="replace")
    return {"status": response.status_code, "body": body}


def send(request: dict[str, Any]) -> dict[str, Any]:
    """Send one request through the WSGI handler."""
    from django.test import Client

    args, kwargs = _arguments(request)
    return _outcome(Client().generic(*args, **kwargs))


async def asend(request: dict[str, Any]) -> dict[str, Any]:
    """Send one request through the ASGI handler."""
    from django.test import AsyncClient

    args, kwargs = _arguments(request)
    return _outcome(await AsyncClient().generic(*args, **kwargs))


def release(loop: asyncio.AbstractEventLoop) -> None:
    """Close the database connections, so that the parent can flush or drop the database."""
    from django.db import connections

    connections.close_all()
    loop.run_until_complete(sync_to_async(connections.close_all)())


if __name__ == "__main__":
    main()
