"""``aauthenticate`` with a database user: one thread hop for the user and every store check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from jwtflow import JWTAuthentication, RefreshToken
from jwtflow.runtime import current

pytestmark = pytest.mark.django_db(transaction=True)
JWTSettings = Callable[..., None]
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def authenticate(access: str) -> Any:
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {access}"))

    async def once() -> Any:
        try:
            return await JWTAuthentication().aauthenticate(request)
        finally:
            close = getattr(current().ports.blacklist, "aclose", None)
            if close is not None:
                await close()

    return asyncio.run(once())


def configure(name: str, jwt_settings: JWTSettings, settings: Any, redis_url: str | None) -> None:
    """One of the setups the hop count is checked under."""
    if name == "revocation off":
        jwt_settings(ACCESS_TOKEN_REVOCATION=False)
    elif name == "user cache":
        settings.CACHES = {**settings.CACHES, "users": {"BACKEND": LOCMEM, "LOCATION": "hops"}}
        jwt_settings(USER_CACHE_SECONDS=60, USER_CACHE_ALIAS="users")
    elif name == "redis store":
        assert redis_url is not None
        url = redis_url.rsplit("/", 1)[0] + "/15"  # not the shared cache's database
        jwt_settings(BLACKLIST_BACKEND="jwtflow.RedisBlacklistBackend", BLACKLIST_REDIS_URL=url)


@pytest.mark.parametrize("setup", ["model store", "revocation off", "user cache", "redis store"])
def test_one_hop_per_request(
    setup: str,
    user: User,
    hops: list[Any],
    jwt_settings: JWTSettings,
    settings: Any,
    request: pytest.FixtureRequest,
) -> None:
    redis_url = request.getfixturevalue("redis_url") if setup == "redis store" else None
    configure(setup, jwt_settings, settings, redis_url)
    access = str(RefreshToken.for_user(user).access_token)
    hops.clear()
    for _ in range(2):  # with the user cache: a miss, then a hit
        found, _token = authenticate(access)
        assert found.pk == user.pk
    assert len(hops) == 2, hops
