"""Store outages: while the store is down every request that needs it is a 503; after it comes
back, service resumes and no revocation made before the outage is lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, Client

from jwtflow.django import conf
from jwtflow.redis import RedisBlacklistBackend
from tests.forge import PASSWORD, Response
from tests.process.harness import (
    PostgresServer,
    RedisServer,
    WorkerPool,
    get,
    has_session,
    post,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.once]

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(what: str) -> None:
    """Skip locally, fail in CI: a missing server is never a pass there."""
    if CI:
        pytest.fail(f"{what} is missing")
    pytest.skip(f"{what} is missing")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, with every write on disk before it is acknowledged."""
    if not shutil.which("redis-server"):
        missing("redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def send(mode: str, path: str, data: dict[str, Any] | None, token: str = "") -> tuple[int, Any]:
    """POST ``data`` to ``path`` (GET without data) in-process, through WSGI or ASGI."""
    method = "GET" if data is None else "POST"
    kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {token}"} if token else {}}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    if mode == "sync":
        response: Response = Client().generic(method, path, **kwargs)
    else:
        response = asyncio.run(_asend(method, path, kwargs))
    return response.status_code, json.loads(response.content) if response.content else None


async def _asend(method: str, path: str, kwargs: dict[str, Any]) -> Response:
    try:
        response: Response = await AsyncClient().generic(method, path, **kwargs)
        return response
    finally:
        # A store with a native async client closes this loop's before the loop ends.
        store = conf.get_runtime().ports.blacklist
        if isinstance(store, RedisBlacklistBackend):
            await store.aclose()


def pair_for(mode: str, user: User) -> dict[str, str]:
    """Log in."""
    status, body = send(mode, "/auth/token/", {"username": user.username, "password": PASSWORD})
    assert status == 200, body
    return dict(body)


def unavailable(answer: tuple[int, Any]) -> bool:
    """Whether an answer is the fail-closed 503."""
    return answer[0] == 503 and answer[1]["code"] == "store_unavailable"


class TestRedisOutage:
    @pytest.fixture(params=["cache", "redis"])
    def store_server(
        self,
        request: pytest.FixtureRequest,
        redis_server: RedisServer,
        settings: Any,
        jwt_settings: Any,
    ) -> RedisServer:
        """The cache store (Django's RedisCache) or the Redis store on the test's own Redis."""
        if request.param == "redis":
            jwt_settings(
                BLACKLIST_BACKEND="jwtflow.RedisBlacklistBackend",
                BLACKLIST_REDIS_URL=redis_server.url,
            )
            return redis_server
        settings.CACHES = {
            **settings.CACHES,
            "own": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_server.url,
            },
        }
        jwt_settings(
            BLACKLIST_BACKEND="jwtflow.django.stores.CacheBlacklistBackend",
            BLACKLIST_CACHE_ALIAS="own",
        )
        return redis_server

    def test_outage_is_503_and_restart_keeps_every_revocation(
        self, store_server: RedisServer, mode: str, user: User
    ) -> None:
        first = pair_for(mode, user)
        assert send(mode, "/auth/token/blacklist/", {"refresh": first["refresh"]})[0] == 204
        second = pair_for(mode, user)
        # With sessions, every authenticated request and every login asks the store too.
        sessions = has_session(first["refresh"])

        store_server.kill()
        during = [
            send(mode, "/auth/token/refresh/", {"refresh": first["refresh"]}),
            send(mode, "/auth/token/refresh/", {"refresh": second["refresh"]}),
            send(mode, "/auth/token/blacklist/", {"refresh": second["refresh"]}),
        ]
        if sessions:
            during.append(send(mode, "/api/me/", None, second["access"]))
            during.append(send(mode, "/auth/token/", {"username": "alice", "password": PASSWORD}))
        store_server.start()
        after = [
            send(mode, "/auth/token/refresh/", {"refresh": first["refresh"]}),
            send(mode, "/auth/token/refresh/", {"refresh": second["refresh"]}),
            send(mode, "/api/me/", None, first["access"]),
            send(mode, "/api/me/", None, second["access"]),
        ]

        assert all(unavailable(answer) for answer in during), during
        assert after[0][0] == 401
        assert after[0][1]["code"] == "token_blacklisted"
        assert after[1][0] == 200, after
        assert [after[2][0], after[3][0]] == ([401, 200] if sessions else [200, 200]), after


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A second PostgreSQL server of this module's own."""
    server = PostgresServer(tmp_path_factory.mktemp("pg-services"))
    if not server.started:
        missing(f"a throwaway PostgreSQL ({server.output.strip()})")
    yield server
    server.remove()


def test_database_outage_is_503_and_restart_keeps_every_revocation(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    database = postgres.database("jwtflow_fault")
    pool = WorkerPool(1, {"DATABASES": {"default": database}}, tmp_path)
    try:
        login = post("/auth/token/", {"username": "alice", "password": PASSWORD})
        setup: list[dict[str, Any]] = [{"migrate": True}, {"user": ["alice", PASSWORD]}]
        [first, second] = pool.run([login, login], setup=setup)
        revoked, spare = first["body"]["refresh"], second["body"]["refresh"]
        sessions = has_session(revoked)
        [logout] = pool.run([post("/auth/token/blacklist/", {"refresh": revoked})])
        assert logout["status"] == 204, logout

        postgres.crash()
        attempts = [
            post("/auth/token/refresh/", {"refresh": revoked}),
            post("/auth/token/refresh/", {"refresh": spare}),
            login,
        ]
        if sessions:
            attempts.append(get("/api/me/", second["body"]["access"]))
        during = pool.run(attempts, mode="sync") + pool.run(attempts, mode="async")
        postgres.start()
        after = pool.run(attempts[:2], mode="sync")
        after += pool.run([get("/api/me/", first["body"]["access"])], mode="async")
    finally:
        pool.close()

    assert {(answer["status"], answer["body"]["code"]) for answer in during} == {
        (503, "store_unavailable")
    }, during
    assert (after[0]["status"], after[0]["body"]["code"]) == (401, "token_blacklisted")
    assert after[1]["status"] == 200, after
    assert after[2]["status"] == (401 if sessions else 200), after
