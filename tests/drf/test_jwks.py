"""``GET .well-known/jwks.json`` over WSGI and ASGI: public keys only, caching headers, ETag."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from jwtflow import AccessToken
from tests.forge import Response
from tests.pem import key_pair

Http = Callable[..., Response]
URL = "/auth/.well-known/jwks.json"
SECRET = "jwks-tests-" + "s" * 40


@pytest.fixture
def ring(settings: Any) -> dict[str, Any]:
    """An issuer ring: an ES256 signing key, an HMAC key, a verify-only RSA public key."""
    settings.JWTFLOW = {
        "SIGNING_KEYS": [
            {"alg": "ES256", "key": key_pair("p256").private, "kid": "es"},
            {"alg": "HS256", "key": SECRET, "kid": "hs"},
        ],
        "VERIFYING_KEYS": [{"alg": "RS256", "key": key_pair("rsa").public, "kid": "rs"}],
    }
    jwtflow_settings: dict[str, Any] = settings.JWTFLOW
    return jwtflow_settings


def test_the_route_is_named_jwks() -> None:
    assert reverse("jwtflow:jwks") == URL


@pytest.mark.usefixtures("ring")
def test_publishes_the_public_keys_only(http: Http) -> None:
    response = http("GET", URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    keys = {jwk["kid"]: jwk for jwk in response.json()["keys"]}
    assert set(keys) == {"es", "rs"}
    assert {(jwk["alg"], jwk["use"]) for jwk in keys.values()} == {
        ("ES256", "sig"),
        ("RS256", "sig"),
    }
    assert keys["es"]["kty"] == "EC"
    for jwk in keys.values():
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(jwk)


@pytest.mark.django_db
@pytest.mark.usefixtures("ring")
def test_a_token_verifies_with_the_published_key(http: Http, user: Any) -> None:
    token = str(AccessToken.for_user(user))
    keyset = jwcrypto_jwk.JWKSet.from_json(json.dumps(http("GET", URL).json()))
    verified = jwcrypto_jwt.JWT(jwt=token, key=keyset, algs=["ES256"])
    assert json.loads(verified.claims)["user_id"] == user.id


@pytest.mark.usefixtures("ring")
def test_an_unchanged_document_is_a_304(http: Http) -> None:
    etag = http("GET", URL).headers["ETag"]
    assert etag.startswith('"')
    for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = http("GET", URL, headers={"If-None-Match": value})
        assert response.status_code == 304
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == "public, max-age=300"
    assert http("GET", URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_etag_changes_with_the_keys(http: Http, ring: dict[str, Any], settings: Any) -> None:
    before = http("GET", URL).headers["ETag"]
    settings.JWTFLOW = {
        **ring,
        "VERIFYING_KEYS": [{"alg": "EdDSA", "key": key_pair("ed25519").public}],
    }
    after = http("GET", URL)
    assert after.headers["ETag"] != before
    assert http("GET", URL, headers={"If-None-Match": before}).status_code == 200


def test_max_age_follows_jwks_cache_seconds(
    http: Http, ring: dict[str, Any], settings: Any
) -> None:
    settings.JWTFLOW = {**ring, "JWKS_CACHE_SECONDS": 60}
    assert http("GET", URL).headers["Cache-Control"] == "public, max-age=60"


def test_no_public_keys_is_a_404(http: Http) -> None:
    response = http("GET", URL)
    assert response.status_code == 404
    assert "no public keys" in response.json()["detail"]


@pytest.mark.usefixtures("ring")
def test_needs_no_authentication_even_when_the_project_requires_it(
    http: Http, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }
    assert http("GET", URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 200
