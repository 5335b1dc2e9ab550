"""Reading another issuer's JWK Set: usable verifying keys are kept, everything else skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow.jwk import public_jwk, thumbprint
from jwtflow.jwkset import keys_from_jwks
from tests.pem import KeyPair

Pem = Callable[[str], KeyPair]


def public(pair: KeyPair, **members: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwcrypto_jwk.JWK.from_pem(pair.public).export_public())
    return {**jwk, **members}


@pytest.mark.parametrize(
    ("name", "alg"),
    [
        ("p256", "ES256"),
        ("p384", "ES384"),
        ("p521", "ES512"),
        ("ed25519", "EdDSA"),
        ("ed448", "EdDSA"),
        ("rsa", "RS256"),
    ],
)
def test_alg_defaults_from_the_key_type(name: str, alg: str, pem: Pem) -> None:
    (key,) = keys_from_jwks({"keys": [public(pem(name))]})
    assert key.alg == alg
    assert key.signing is None
    assert key.kid == thumbprint(public(pem(name)))


def test_secp256k1_defaults_to_es256k() -> None:
    jwk = public_jwk(ec.generate_private_key(ec.SECP256K1()).public_key())
    (key,) = keys_from_jwks({"keys": [jwk]})
    assert key.alg == "ES256K"


def test_kid_and_alg_are_taken_from_the_jwk(pem: Pem) -> None:
    (key,) = keys_from_jwks({"keys": [public(pem("rsa"), kid="k", alg="PS384")]})
    assert (key.kid, key.alg) == ("k", "PS384")


def test_a_private_jwk_keeps_only_its_public_half(pem: Pem) -> None:
    jwk = json.loads(jwcrypto_jwk.JWK.from_pem(pem("p256").private).export_private())
    (key,) = keys_from_jwks({"keys": [jwk]})
    assert isinstance(key.verifying, ec.EllipticCurvePublicKey)


def test_the_first_of_two_keys_with_one_kid_wins(pem: Pem) -> None:
    keys = keys_from_jwks({"keys": [public(pem("p256"), kid="k"), public(pem("p384"), kid="k")]})
    assert [key.alg for key in keys] == ["ES256"]


@pytest.mark.parametrize(
    "entry",
    [
        {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "alg": "HS256"},
        "not an object",
        {"kty": "EC", "crv": "P-256"},
        {"kty": "OKP", "crv": "X25519", "x": "AAAA"},
    ],
)
def test_unusable_entries_are_skipped(entry: Any, pem: Pem) -> None:
    keys = keys_from_jwks({"keys": [entry, public(pem("ed25519"), kid="ok")]})
    assert [key.kid for key in keys] == ["ok"]


@pytest.mark.parametrize(
    "members",
    [{"use": "enc"}, {"alg": "HS256"}, {"alg": "ES384"}, {"alg": "none"}, {"kid": 5}, {"kid": ""}],
)
def test_keys_not_fit_for_verifying_are_skipped(members: dict[str, Any], pem: Pem) -> None:
    assert keys_from_jwks({"keys": [public(pem("p256"), **members)]}) == ()


@pytest.mark.parametrize("document", [None, [], {}, {"keys": {}}, {"keys": "x"}])
def test_a_document_that_is_not_a_jwk_set_is_a_value_error(document: Any) -> None:
    with pytest.raises(ValueError, match="not a JWK Set"):
        keys_from_jwks(document)
