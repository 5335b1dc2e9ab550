"""Parsing one configured key: PEM, secrets, JWK dicts and key files, checked per algorithm."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow.errors import ConfigurationError
from jwtflow.jwk import b64encode
from jwtflow.keyparse import Slot, load_entry
from tests.pem import KeyPair

from .helpers import SECRET

Pem = Callable[[str], KeyPair]
SLOT = Slot("SIGNING_KEYS", 2)


def private_jwk(pem_bytes: bytes) -> dict[str, Any]:
    exported: dict[str, Any] = json.loads(jwcrypto_jwk.JWK.from_pem(pem_bytes).export_private())
    return exported


def refused(alg: str, value: Any, *, signing: bool = True) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_entry(SLOT, alg, value, signing=signing)
    assert caught.value.key == "SIGNING_KEYS"
    message = str(caught.value)
    assert "entry [2] " in message
    return message


def test_slot_without_a_position_names_only_the_setting() -> None:
    assert str(Slot("SIGNING_KEY").error("is bad.")) == "JWTFLOW['SIGNING_KEY']: is bad."


@pytest.mark.parametrize("signing", [True, False])
def test_hmac_secret_signs_and_verifies(signing: bool) -> None:
    signing_key, verifying_key = load_entry(SLOT, "HS256", SECRET, signing=signing)
    assert verifying_key == SECRET.encode()
    assert signing_key == (SECRET.encode() if signing else None)


def test_hmac_secret_as_oct_jwk() -> None:
    secret = b"z" * 48
    jwk = {"kty": "oct", "k": b64encode(secret)}
    assert load_entry(SLOT, "HS384", jwk, signing=True) == (secret, secret)


def test_weak_hmac_secret_is_refused_with_the_keygen_hint() -> None:
    message = refused("HS512", SECRET)
    assert "is 48 bytes; HS512 needs at least 64" in message
    assert "jwtflow keygen --alg HS512" in message


def test_asymmetric_jwk_under_hmac_is_refused(pem: Pem) -> None:
    assert "needs an HMAC secret" in refused("HS256", private_jwk(pem("p256").private))


def test_private_pem_signs_and_its_public_half_verifies(pem: Pem) -> None:
    signing_key, verifying_key = load_entry(SLOT, "RS256", pem("rsa").private, signing=True)
    assert isinstance(signing_key, rsa.RSAPrivateKey)
    assert verifying_key.public_numbers() == signing_key.public_key().public_numbers()


def test_a_private_key_in_a_verifying_entry_keeps_only_its_public_half(pem: Pem) -> None:
    signing_key, verifying_key = load_entry(SLOT, "ES384", pem("p384").private, signing=False)
    assert signing_key is None
    assert isinstance(verifying_key, ec.EllipticCurvePublicKey)


def test_public_pem_verifies(pem: Pem) -> None:
    signing_key, verifying_key = load_entry(SLOT, "EdDSA", pem("ed448").public, signing=False)
    assert signing_key is None
    assert isinstance(verifying_key, ed448.Ed448PublicKey)


def test_public_pem_cannot_sign(pem: Pem) -> None:
    assert "could not be parsed" in refused("RS256", pem("rsa").public)


def test_public_jwk_cannot_sign(pem: Pem) -> None:
    public = json.loads(jwcrypto_jwk.JWK.from_pem(pem("p256").public).export_public())
    assert "is a public key; a signing key under ES256 must be private" in refused("ES256", public)
    assert load_entry(SLOT, "ES256", public, signing=False)[0] is None


def test_private_jwk_signs(pem: Pem) -> None:
    signing_key, _ = load_entry(SLOT, "EdDSA", private_jwk(pem("ed25519").private), signing=True)
    assert signing_key.public_key().public_bytes_raw()


@pytest.mark.parametrize("alg", ["ES256K", "ES256"])
def test_ecdsa_keys_must_be_on_the_curve_their_alg_names(alg: str) -> None:
    curve = ec.SECP256R1() if alg == "ES256K" else ec.SECP256K1()
    key = ec.generate_private_key(curve)
    pem_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert f"is not a key for {alg}" in refused(alg, pem_bytes)


def test_es256k_accepts_a_secp256k1_key() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    pem_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert load_entry(SLOT, "ES256K", pem_bytes, signing=True)[0] is not None


def test_plain_secret_under_an_asymmetric_alg_is_refused() -> None:
    assert "must be a PEM-encoded key under RS256" in refused("RS256", SECRET)


def test_invalid_jwk_is_refused() -> None:
    assert "is not a valid JWK" in refused("ES256", {"kty": "EC", "crv": "P-256"})


@pytest.mark.parametrize("kind", ["pem", "jwk"])
def test_key_files_are_read(kind: str, pem: Pem, tmp_path: Path) -> None:
    path = tmp_path / f"key.{kind}"
    pair = pem("p256")
    if kind == "pem":
        path.write_bytes(pair.private)
    else:
        path.write_text(json.dumps(private_jwk(pair.private)))
    signing_key, _ = load_entry(SLOT, "ES256", path, signing=True)
    assert isinstance(signing_key, ec.EllipticCurvePrivateKey)


def test_missing_key_file_is_refused(tmp_path: Path) -> None:
    message = refused("ES256", tmp_path / "missing.pem")
    assert "could not be read from" in message
    assert "missing.pem" in message


def test_key_file_with_broken_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text("{not json")
    assert "holds neither a PEM key nor a JWK" in refused("ES256", path)
