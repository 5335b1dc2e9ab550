"""JWK import, export and RFC 7638 thumbprints, checked against jwcrypto (not written by us)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow.jwk import b64decode, b64encode, load_jwk, public_jwk, secret_jwk, thumbprint
from tests.pem import KeyPair

Pem = Callable[[str], KeyPair]
NAMES = ["rsa", "p256", "p384", "p521", "ed25519", "ed448"]


def theirs(pem_bytes: bytes) -> jwcrypto_jwk.JWK:
    return jwcrypto_jwk.JWK.from_pem(pem_bytes)


@pytest.mark.parametrize("name", NAMES)
def test_public_jwk_and_thumbprint_match_jwcrypto(name: str, pem: Pem) -> None:
    pair = pem(name)
    public = serialization.load_pem_public_key(pair.public)
    ours = public_jwk(public)
    expected = json.loads(theirs(pair.public).export_public())
    assert ours == {member: expected[member] for member in ours}
    assert thumbprint(ours) == theirs(pair.public).thumbprint()


def test_secp256k1_keys_export_with_their_curve_name() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    assert public_jwk(key.public_key())["crv"] == "secp256k1"


def test_secret_thumbprint_matches_jwcrypto() -> None:
    secret = b"s" * 32
    expected = jwcrypto_jwk.JWK(kty="oct", k=b64encode(secret)).thumbprint()
    assert thumbprint(secret_jwk(secret)) == expected


@pytest.mark.parametrize("name", NAMES)
def test_private_and_public_jwks_import(name: str, pem: Pem) -> None:
    pair = pem(name)
    exported = json.loads(theirs(pair.private).export_private())
    private = load_jwk(exported)
    public = load_jwk(json.loads(theirs(pair.public).export_public()))
    assert public_jwk(private.public_key()) == public_jwk(public)


def test_rsa_private_jwk_without_primes_is_completed(pem: Pem) -> None:
    exported = json.loads(theirs(pem("rsa").private).export_private())
    minimal = {name: exported[name] for name in ("kty", "n", "e", "d")}
    key = load_jwk(minimal)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert public_jwk(key.public_key())["n"] == exported["n"]


def test_oct_jwk_is_the_secret() -> None:
    assert load_jwk({"kty": "oct", "k": b64encode(b"abc")}) == b"abc"


def test_ec_private_key_must_match_its_point(pem: Pem) -> None:
    exported = json.loads(theirs(pem("p256").private).export_private())
    other = json.loads(jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256").export_private())
    with pytest.raises(ValueError, match="does not match"):
        load_jwk({**exported, "d": other["d"]})


@pytest.mark.parametrize(
    "jwk",
    [
        {},
        {"kty": "dsa"},
        {"kty": "OKP", "crv": "X25519", "x": "AAAA"},
        {"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "n": 5, "e": "AQAB"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"},
        {"kty": "oct", "k": "not base64!"},
        {"kty": "oct", "k": "AAA="},
        {"kty": "oct", "k": "ä"},
        {"kty": "oct"},
    ],
)
def test_malformed_jwks_raise_value_error(jwk: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"."):
        load_jwk(jwk)


@pytest.mark.parametrize(
    "jwk", [{"kty": "RSA", "n": "AQAB"}, {"kty": "EC", "crv": "P-256"}, {"kty": "x"}, {"k": "a"}]
)
def test_thumbprint_of_an_incomplete_jwk_raises_value_error(jwk: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a complete JWK"):
        thumbprint(jwk)


def test_public_jwk_of_a_non_jose_key_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not a JOSE key type"):
        public_jwk(object())


def test_base64url_round_trip_and_refusals() -> None:
    assert b64decode(b64encode(b"\xff\x00\x01")) == b"\xff\x00\x01"
    for bad in ("a", None, "AA=="):
        with pytest.raises(ValueError, match="not a base64url string"):
            b64decode(bad)
