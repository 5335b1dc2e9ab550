"""Interoperability with implementations we did not write: joserfc and jwcrypto both ways, and
the RFC 7515 appendix A and RFC 8037 examples (JSON fixtures typed in from the RFC texts)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwk as joserfc_jwk
from joserfc import jwt as joserfc_jwt
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from jwtflow import codec
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.jwk import b64encode, thumbprint
from jwtflow.keys import Key, KeyRing
from tests.pem import key_pair

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRET = "interop-" + "s" * 40
CASES = [
    ("HS256", None),
    ("RS256", "rsa"),
    ("PS256", "rsa"),
    ("ES256", "p256"),
    pytest.param(
        "EdDSA",
        "ed25519",
        # joserfc flags "EdDSA" as deprecated by RFC 9864 (in favour of "Ed25519"); jwtflow and
        # the other peers still issue "EdDSA", which every verifier accepts.
        marks=pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning"),
    ),
]
KEY_CLASSES: dict[str, Any] = {
    "RS": joserfc_jwk.RSAKey,
    "PS": joserfc_jwk.RSAKey,
    "ES": joserfc_jwk.ECKey,
    "Ed": joserfc_jwk.OKPKey,
}


def ring(alg: str, name: str | None) -> KeyRing:
    material: Any = SECRET if name is None else key_pair(name).private
    entry = {"alg": alg, "key": material, "kid": "interop"}
    return KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))


def joserfc_key(name: str | None, alg: str) -> Any:
    if name is None:
        return joserfc_jwk.OctKey.import_key(SECRET)
    return KEY_CLASSES[alg[:2]].import_key(key_pair(name).private)


def jwcrypto_key(name: str | None) -> jwcrypto_jwk.JWK:
    if name is None:
        return jwcrypto_jwk.JWK(kty="oct", k=b64encode(SECRET.encode()))
    return jwcrypto_jwk.JWK.from_pem(key_pair(name).private)


def claims() -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "42", "iat": now, "exp": now + 60}


@pytest.mark.parametrize(("alg", "name"), CASES)
def test_joserfc_verifies_jwtflow_tokens(alg: str, name: str | None) -> None:
    raw = codec.encode(claims(), ring(alg, name))
    token = joserfc_jwt.decode(raw, joserfc_key(name, alg), algorithms=[alg])
    assert token.claims["sub"] == "42"
    assert token.header["kid"] == "interop"


@pytest.mark.parametrize(("alg", "name"), CASES)
def test_jwcrypto_verifies_jwtflow_tokens(alg: str, name: str | None) -> None:
    raw = codec.encode(claims(), ring(alg, name))
    verified = jwcrypto_jwt.JWT(jwt=raw, key=jwcrypto_key(name), algs=[alg])
    assert json.loads(verified.claims)["sub"] == "42"


@pytest.mark.parametrize(("alg", "name"), CASES)
def test_jwtflow_verifies_joserfc_tokens(alg: str, name: str | None) -> None:
    header = {"alg": alg, "typ": "JWT", "kid": "interop"}
    raw = joserfc_jwt.encode(header, claims(), joserfc_key(name, alg), algorithms=[alg])
    assert codec.decode(raw, ring(alg, name))["sub"] == "42"


@pytest.mark.parametrize(("alg", "name"), CASES)
def test_jwtflow_verifies_jwcrypto_tokens(alg: str, name: str | None) -> None:
    token = jwcrypto_jwt.JWT(header={"alg": alg, "kid": "interop"}, claims=claims())
    token.make_signed_token(jwcrypto_key(name))
    assert codec.decode(token.serialize(), ring(alg, name))["sub"] == "42"


def rfc7515() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = json.loads((FIXTURES / "rfc7515_appendix_a.json").read_text())[
        "vectors"
    ]
    return vectors


@pytest.mark.parametrize("vector", rfc7515(), ids=lambda vector: vector["section"])
def test_rfc_7515_appendix_a_examples_verify(vector: dict[str, Any]) -> None:
    # Signature level: the examples expired in 2011, and their claims are not jwtflow's.
    keys = KeyRing.from_config(
        Config.from_mapping({"VERIFYING_KEYS": [{"alg": vector["alg"], "key": vector["jwk"]}]})
    )
    expected = json.loads((FIXTURES / "rfc7515_appendix_a.json").read_text())["payload"]
    assert codec.decode(vector["jws"], keys) == expected
    header, payload, signature = vector["jws"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(TokenError, match=r"signature is invalid|could not be decoded"):
        codec.decode(tampered, keys)


def test_rfc_8037_ed25519_example_verifies() -> None:
    vector = json.loads((FIXTURES / "rfc8037_a.json").read_text())
    assert thumbprint(vector["jwk"]) == vector["thumbprint"]
    keys = KeyRing.from_config(
        Config.from_mapping({"VERIFYING_KEYS": [{"alg": "EdDSA", "key": vector["jwk"]}]})
    )
    key: Key = keys.keys[0]
    assert key.kid == vector["thumbprint"]
    # The payload is plain text, not a JSON object: the codec refuses it only after the
    # signature verified (a bad signature is refused as such, first).
    with pytest.raises(TokenError, match="payload is not valid base64url-encoded JSON"):
        codec.decode(vector["jws"], keys)
    header, payload, signature = vector["jws"].split(".")
    with pytest.raises(TokenError, match="signature is invalid"):
        codec.decode(f"{header}.{payload}.{signature[:-4]}AAAA", keys)
