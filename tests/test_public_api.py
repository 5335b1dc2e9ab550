"""The public names of ``jwtflow`` and the token API as a Django project uses it."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connections

import jwtflow
from jwtflow import AccessToken, RefreshToken, TokenError
from jwtflow.django.models import TokenSession
from jwtflow.drf.authentication import JWTAuthentication
from jwtflow.errors import TokenBlacklisted, TokenTypeInvalid
from jwtflow.ports import BlacklistBackend


def test_every_public_name_resolves() -> None:
    for name in jwtflow.__all__:
        assert getattr(jwtflow, name) is not None, name
    assert jwtflow.JWTAuthentication is JWTAuthentication
    assert jwtflow.BlacklistBackend is BlacklistBackend
    assert issubclass(jwtflow.ModelBlacklistBackend, BlacklistBackend)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = jwtflow.Nope


@pytest.mark.django_db(transaction=True)
def test_token_api(user: User) -> None:
    access = AccessToken.for_user(user)
    assert str(access) == access.raw
    assert access.token_type == "access"
    assert AccessToken.verify(str(access)).payload == access.payload
    refresh = RefreshToken.for_user(user)
    assert refresh.exp > access.exp
    assert refresh.access_token.payload["user_id"] == user.pk
    rotated = refresh.rotate()
    assert rotated.jti != refresh.jti
    assert rotated.payload["sid"] == refresh.payload["sid"]
    asyncio.run(rotated.ablacklist())
    refresh.blacklist()  # the same session: already ended, and blacklist() is idempotent
    assert TokenSession.objects.get(sid=refresh.payload["sid"]).revoked is True
    for token in (refresh, rotated):
        with pytest.raises(TokenError) as caught:
            RefreshToken.verify(str(token))
        assert caught.value.code == "token_blacklisted"


@pytest.mark.django_db(transaction=True)
async def test_averify_in_async_code_through_the_model_store(user: User) -> None:
    # Guards 1d843d2: RefreshToken.verify in async code raised SynchronousOnlyOperation (the
    # model store's query ran on the event loop); averify awaits the store instead.
    # RefreshToken.for_user starts a session (a store write): async code awaits afor_user.
    access, refresh = AccessToken.for_user(user), await RefreshToken.afor_user(user)
    try:
        assert await AccessToken.averify(str(access)) == access
        assert await RefreshToken.averify(str(refresh)) == refresh
        with pytest.raises(TokenTypeInvalid):
            await RefreshToken.averify(str(access))
        with pytest.raises(TokenTypeInvalid):
            await AccessToken.averify(str(refresh))
        await refresh.ablacklist()
        with pytest.raises(TokenBlacklisted):
            await RefreshToken.averify(str(refresh))
    finally:
        # The store ran in asgiref's worker thread; its connection would keep PostgreSQL
        # from dropping the test database.
        await sync_to_async(connections.close_all)()
