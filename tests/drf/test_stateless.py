"""JWTStatelessAuthentication: no database, sync and async, the 401 contract unchanged."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from jwtflow import AccessToken, JWTStatelessAuthentication, RefreshToken, TokenUser, sessions
from jwtflow.drivers import run_sync
from jwtflow.runtime import current

# Tests without a django_db mark fail on any database query.


def authenticate(mode: str, header: str | None) -> Any:
    factory = APIRequestFactory()
    raw = factory.get("/") if header is None else factory.get("/", HTTP_AUTHORIZATION=header)
    request = Request(raw)
    authenticator = JWTStatelessAuthentication()
    if mode == "sync":
        return authenticator.authenticate(request)
    return asyncio.run(authenticator.aauthenticate(request))


def test_the_user_is_a_token_user_without_a_query(mode: str, jwt_settings: Any) -> None:
    jwt_settings(ACCESS_TOKEN_REVOCATION=False)
    token = AccessToken.mint(current(), {"user_id": 123456})
    user, verified = authenticate(mode, f"Bearer {token}")
    assert isinstance(user, TokenUser)
    assert user.pk == 123456
    assert str(verified) == str(token)


def test_no_token_is_none(mode: str) -> None:
    assert authenticate(mode, None) is None


def test_a_bad_token_is_a_401_with_its_code(mode: str) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate(mode, "Bearer a.b.c")
    assert caught.value.get_codes() == {"detail": "token_invalid", "code": "token_invalid"}


@pytest.mark.django_db(transaction=True)
def test_an_ended_session_stops_its_access_token_at_once(mode: str, user: User) -> None:
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    assert authenticate(mode, f"Bearer {access}")[0].pk == user.pk
    refresh.blacklist()
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate(mode, f"Bearer {access}")
    assert caught.value.get_codes() == {"detail": "token_blacklisted", "code": "token_blacklisted"}


@pytest.mark.django_db(transaction=True)
def test_logout_all_stops_sessionless_access_tokens(mode: str, user: User) -> None:
    runtime = current()
    access = AccessToken.mint(runtime, {"user_id": user.pk})
    assert authenticate(mode, f"Bearer {access}")[0].pk == user.pk
    run_sync(sessions.end_all(runtime, user.pk), runtime.ports)
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate(mode, f"Bearer {access}")
    assert caught.value.get_codes() == {"detail": "token_blacklisted", "code": "token_blacklisted"}


@pytest.mark.django_db(transaction=True)
def test_the_session_check_is_one_query_and_loads_no_user(
    user: User, django_assert_num_queries: Any
) -> None:
    access = RefreshToken.for_user(user).access_token
    with django_assert_num_queries(1) as captured:
        authenticate("sync", f"Bearer {access}")
    assert "auth_user" not in captured.captured_queries[0]["sql"]


@pytest.mark.redis
def test_async_with_the_redis_store_makes_no_thread_hop(
    jwt_settings: Any, redis_url: str, hops: list[Any]
) -> None:
    # The session check is awaited on redis.asyncio: nothing may run in a thread.
    url = redis_url.rsplit("/", 1)[0] + "/15"  # not the shared cache's database
    jwt_settings(BLACKLIST_BACKEND="jwtflow.RedisBlacklistBackend", BLACKLIST_REDIS_URL=url)
    access = AccessToken.mint(current(), {"user_id": 42})
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {access}"))

    async def authenticate_once() -> Any:
        try:
            return await JWTStatelessAuthentication().aauthenticate(request)
        finally:
            await current().ports.blacklist.aclose()  # type: ignore[attr-defined]

    user, _ = asyncio.run(authenticate_once())
    assert user.pk == 42
    assert hops == []
