"""JWTStatelessAuthentication: no database, sync and async, the 401 contract unchanged."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from jwtflow import AccessToken, JWTStatelessAuthentication, TokenUser
from jwtflow.runtime import current

# No django_db mark: any database query fails the test.


def authenticate(mode: str, header: str | None) -> Any:
    factory = APIRequestFactory()
    raw = factory.get("/") if header is None else factory.get("/", HTTP_AUTHORIZATION=header)
    request = Request(raw)
    authenticator = JWTStatelessAuthentication()
    if mode == "sync":
        return authenticator.authenticate(request)
    return asyncio.run(authenticator.aauthenticate(request))


def test_the_user_is_a_token_user_without_a_query(mode: str) -> None:
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
