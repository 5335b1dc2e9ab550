"""Minting: a login pair (access + refresh, no password check) per algorithm; refresh rotation."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import iscoroutinefunction

from bench.libs.base import Adapter
from bench.scenarios import Scenario, Setup
from bench.scenarios.verify import ALGORITHMS
from bench.timing import Job, expect


def _login_pair(adapter: Adapter, setup: Setup) -> Job:
    user = setup.user

    def check(pair: Any) -> None:
        expect(len(pair) == 2 and all(p.count(".") == 2 for p in pair), f"pair {pair!r}")

    return Job(call=lambda: adapter.login_pair(user), check=check)


def _refresh(adapter: Adapter, setup: Setup) -> Job:
    """POST the refresh endpoint in-process, each call with the token the previous one returned.

    That is how a client rotates, and every library spends the old token (blacklists it) each
    time, so a call never sees a token twice.
    """
    from rest_framework.test import APIRequestFactory

    view, factory = adapter.refresh_view(), APIRequestFactory()
    current = {"raw": setup.refresh}

    def request() -> Any:
        body = json.dumps({"refresh": current["raw"]})
        return factory.post("/", body, content_type="application/json")

    def spent(response: Any) -> Any:
        if response.status_code != 200:
            raise AssertionError(f"refresh answered {response.status_code}: {response.data}")
        current["raw"] = response.data["refresh"]
        return response

    if iscoroutinefunction(view):

        async def acall() -> Any:
            return spent(await view(request()))

        return Job(acall=acall)
    return Job(call=lambda: spent(view(request())))


SCENARIOS = [
    *(
        Scenario(
            f"login.{profile}", f"login pair (sign access + refresh), {alg}", profile, _login_pair
        )
        for profile, alg in ALGORITHMS.items()
    ),
    Scenario(
        "login.model",
        "login pair with the model store (session or outstanding-token row)",
        "model",
        _login_pair,
    ),
    Scenario(
        "refresh.rotate",
        "refresh endpoint, rotate + blacklist (model)",
        "model",
        _refresh,
    ),
]
