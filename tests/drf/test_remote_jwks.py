"""A verify-only service with ``JWKS_URL``: JWTAuthentication over WSGI and ASGI, outages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from jwtflow import AccessToken, codec
from jwtflow.config import Config
from jwtflow.keys import KeyRing
from tests.forge import Response, assert_rejected
from tests.jwks_server import JWKSServer, serving
from tests.pem import key_pair

pytestmark = pytest.mark.django_db(transaction=True)
Http = Callable[..., Response]


@pytest.fixture
def issuer() -> KeyRing:
    entry = {"alg": "ES256", "key": key_pair("p256").private, "kid": "issuer-1"}
    return KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))


@pytest.fixture
def server(issuer: KeyRing, settings: Any) -> Iterator[JWKSServer]:
    with serving() as running:
        running.document = issuer.public_jwks()
        settings.JWTFLOW = {"JWKS_URL": running.url, "JWKS_ALLOW_HTTP": True}
        yield running


def access_token(ring: KeyRing, user: User) -> str:
    now = int(time.time())
    claims = {"token_type": "access", "jti": f"j{now}", "user_id": user.pk}
    return codec.encode({**claims, "iat": now, "exp": now + 300}, ring)


def test_a_token_of_the_issuer_authenticates(
    http: Http, server: JWKSServer, issuer: KeyRing, user: User
) -> None:
    for _ in range(3):
        response = http("GET", "/api/me/", token=access_token(issuer, user))
        assert response.status_code == 200
        assert response.json()["id"] == str(user.pk)
    assert server.requests == 1


def test_a_token_of_another_key_is_a_401(http: Http, server: JWKSServer, user: User) -> None:
    entry = {"alg": "ES384", "key": key_pair("p384").private, "kid": "x"}
    stranger = KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))
    assert_rejected(http("GET", "/api/me/", token=access_token(stranger, user)), "token_invalid")


def test_an_unreachable_issuer_without_a_cached_set_is_a_503(
    http: Http, server: JWKSServer, issuer: KeyRing, user: User
) -> None:
    server.stop()
    response = http("GET", "/api/me/", token=access_token(issuer, user))
    assert response.status_code == 503
    assert response.json()["code"] == "store_unavailable"


def test_token_verify_fetches_the_key_set_itself(
    http: Http, server: JWKSServer, issuer: KeyRing, user: User
) -> None:
    # The first request a fresh process sees is a token/verify/: it must fetch, not answer 503.
    response = http("POST", "/auth/token/verify/", data={"token": access_token(issuer, user)})
    assert response.status_code == 200, response.json()
    assert server.requests == 1


def test_the_token_api_verifies_with_a_fetched_key_set(
    mode: str, server: JWKSServer, issuer: KeyRing, user: User
) -> None:
    raw = access_token(issuer, user)
    token = AccessToken.verify(raw) if mode == "sync" else asyncio.run(AccessToken.averify(raw))
    assert token.payload["user_id"] == user.pk
    assert server.requests == 1
