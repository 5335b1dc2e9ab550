"""Refresh races across OS processes: of N refreshes with one token, exactly one succeeds.

Each racer is a separate process (half through WSGI, half through ASGI) on the same database
and store; they are released together once all of them have their connections open.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.forge import PASSWORD
from tests.process.harness import RACERS, WorkerPool, jwtflow_with, overlap, post

pytestmark = pytest.mark.django_db(transaction=True)


def refresh(token: str) -> dict[str, Any]:
    """A refresh request."""
    return post("/auth/token/refresh/", {"refresh": token})


def login(workers: WorkerPool, store: dict[str, Any], user: User) -> dict[str, str]:
    """Obtain a pair through a worker, so that the store that issues it is the raced one."""
    credentials = {"username": user.get_username(), "password": PASSWORD}
    [response] = workers.run([post("/auth/token/", credentials)], jwtflow=store)
    assert response["status"] == 200, response
    pair: dict[str, str] = response["body"]
    return pair


def outcomes(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one response of each racer."""
    return [result["responses"][0] for result in results]


def test_refreshes_with_one_token_have_one_winner(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    token = login(workers, store, user)["refresh"]

    results = workers.race([[refresh(token)]] * RACERS, jwtflow=store)

    answers = outcomes(results)
    assert sorted(answer["status"] for answer in answers) == [200] + [401] * (RACERS - 1), answers
    losers = [answer["body"]["code"] for answer in answers if answer["status"] == 401]
    assert set(losers) == {"token_blacklisted"}
    [winner] = [answer["body"] for answer in answers if answer["status"] == 200]
    after = workers.run([refresh(winner["refresh"]), refresh(token)], jwtflow=store)
    assert [answer["status"] for answer in after] == [200, 401]


def test_replay_racing_a_legitimate_refresh(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    stolen = login(workers, store, user)["refresh"]
    [rotated] = workers.run([refresh(stolen)], jwtflow=store)
    current = rotated["body"]["refresh"]

    victim, attacker = outcomes(workers.race([[refresh(current)], [refresh(stolen)]], store))

    assert attacker["status"] == 401, attacker
    assert attacker["body"]["code"] == "token_blacklisted"
    assert victim["status"] == 200, victim


def test_a_thief_racing_the_victim_with_one_token_has_one_winner(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    token = login(workers, store, user)["refresh"]

    answers = outcomes(workers.race([[refresh(token)], [refresh(token)]], store))

    assert sorted(answer["status"] for answer in answers) == [200, 401], answers


def test_the_harness_catches_a_store_that_checks_then_writes(
    workers: WorkerPool, user: User
) -> None:
    racy = jwtflow_with(BLACKLIST_BACKEND="tests.process.racy.RacyBlacklistBackend")
    token = login(workers, racy, user)["refresh"]

    results = workers.race([[refresh(token)]] * RACERS, jwtflow=racy)

    winners = [answer for answer in outcomes(results) if answer["status"] == 200]
    assert len(winners) > 1, "the racers did not overlap: the harness would miss a broken store"
    assert overlap(results) > 0
