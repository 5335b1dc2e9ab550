"""Refresh races across OS processes: of N refreshes with one token, exactly one succeeds.

Each racer is a separate process (half through WSGI, half through ASGI) on the same database
and store; they are released together once all of them have their connections open. With
sessions (tokens with ``sid``), a token presented again after its rotation is reuse: the loser
ends the whole session, the winner's new tokens included.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.forge import PASSWORD
from tests.process.harness import (
    RACERS,
    WorkerPool,
    claims,
    get,
    has_session,
    jwtflow_with,
    overlap,
    post,
)

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


def statuses(answers: list[dict[str, Any]]) -> list[int]:
    """The status codes, sorted."""
    return sorted(answer["status"] for answer in answers)


def codes(answers: list[dict[str, Any]]) -> set[str]:
    """The error codes of the refused answers."""
    return {answer["body"]["code"] for answer in answers if answer["status"] != 200}


def still_works(workers: WorkerPool, store: dict[str, Any], pair: dict[str, str]) -> list[int]:
    """Status of an authenticated request with ``pair``'s access token, then of its refresh."""
    answers = workers.run(
        [get("/api/me/", pair["access"]), refresh(pair["refresh"])], jwtflow=store
    )
    return [answer["status"] for answer in answers]


def test_refreshes_with_one_token_have_one_winner(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    token = login(workers, store, user)["refresh"]

    answers = outcomes(workers.race([[refresh(token)]] * RACERS, jwtflow=store))

    assert statuses(answers) == [200] + [401] * (RACERS - 1), answers
    [winner] = [answer["body"] for answer in answers if answer["status"] == 200]
    if has_session(token):
        # The losers presented a token already rotated: reuse ends the session, for everyone.
        assert "token_reused" in codes(answers)
        assert codes(answers) <= {"token_reused", "token_blacklisted"}
        assert still_works(workers, store, winner) == [401, 401]
    else:
        assert codes(answers) == {"token_blacklisted"}
        assert still_works(workers, store, winner) == [200, 200]


def test_replay_racing_a_legitimate_refresh(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    stolen = login(workers, store, user)["refresh"]
    [rotated] = workers.run([refresh(stolen)], jwtflow=store)
    current = rotated["body"]

    victim, attacker = outcomes(
        workers.race([[refresh(current["refresh"])], [refresh(stolen)]], store)
    )

    assert attacker["status"] == 401, attacker
    if has_session(stolen):
        # Whichever came first, the replay ends the session: nothing of it works afterwards.
        assert attacker["body"]["code"] == "token_reused"
        assert victim["status"] in (200, 401), victim
        assert still_works(workers, store, current) == [401, 401]
        if victim["status"] == 200:
            assert still_works(workers, store, victim["body"]) == [401, 401]
    else:
        assert attacker["body"]["code"] == "token_blacklisted"
        assert victim["status"] == 200, victim


def test_a_thief_racing_the_victim_with_one_token_has_one_winner(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    token = login(workers, store, user)["refresh"]

    answers = outcomes(workers.race([[refresh(token)], [refresh(token)]], store))

    assert statuses(answers) == [200, 401], answers


def test_within_the_grace_period_every_racer_gets_the_same_generation(
    workers: WorkerPool, store: dict[str, Any], user: User
) -> None:
    graceful = {**store, "REUSE_GRACE_PERIOD": 30}
    token = login(workers, graceful, user)["refresh"]
    if not has_session(token):
        pytest.skip("this server issues sessionless tokens: no grace period")

    answers = outcomes(workers.race([[refresh(token)]] * RACERS, jwtflow=graceful))

    # One rotation, and every other racer a fresh pair at the generation it produced.
    assert statuses(answers) == [200] * RACERS, answers
    assert {claims(answer["body"]["refresh"])["gen"] for answer in answers} == {
        claims(token)["gen"] + 1
    }
    assert still_works(workers, graceful, answers[0]["body"]) == [200, 200]


def test_the_harness_catches_a_store_that_checks_then_writes(
    workers: WorkerPool, user: User
) -> None:
    racy = jwtflow_with(BLACKLIST_BACKEND="tests.process.racy.RacyBlacklistBackend")
    token = login(workers, racy, user)["refresh"]

    results = workers.race([[refresh(token)]] * RACERS, jwtflow=racy)

    winners = [answer for answer in outcomes(results) if answer["status"] == 200]
    assert len(winners) > 1, "the racers did not overlap: the harness would miss a broken store"
    assert overlap(results) > 0
