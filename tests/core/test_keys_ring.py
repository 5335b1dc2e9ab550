"""The key ring: kids, selection by kid and alg, verify-only rings, the revoke secret, rules."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow import codec
from jwtflow.config import Config
from jwtflow.errors import ConfigurationError, TokenError
from jwtflow.jwk import secret_jwk, thumbprint
from jwtflow.keys import KeyRing
from tests.forge import hs_token
from tests.pem import KeyPair

from .helpers import LONG_SECRET, SECRET

Pem = Callable[[str], KeyPair]
OTHER_SECRET = "another-secret-" + "z" * 40


def ring(**settings: Any) -> KeyRing:
    return KeyRing.from_config(Config.from_mapping(settings))


def refused(key: str, **settings: Any) -> str:
    with pytest.raises(ConfigurationError) as caught:
        ring(**settings)
    assert caught.value.key == key
    return str(caught.value)


def header(raw: str) -> dict[str, Any]:
    segment = raw.split(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=="))
    return decoded


def test_the_first_signing_key_signs_and_every_key_verifies(pem: Pem) -> None:
    keys = ring(
        SIGNING_KEYS=[
            {"alg": "ES256", "key": pem("p256").private, "kid": "new"},
            {"alg": "HS256", "key": SECRET, "kid": "old"},
        ],
        VERIFYING_KEYS=[{"alg": "RS256", "key": pem("rsa").public, "kid": "older"}],
    )
    assert [key.kid for key in keys.keys] == ["new", "old", "older"]
    assert keys.signer.kid == "new"
    raw = codec.encode({"n": 1}, keys)
    assert header(raw) == {"alg": "ES256", "typ": "JWT", "kid": "new"}
    assert codec.decode(raw, keys) == {"n": 1}
    assert codec.decode(hs_token({"n": 2}, SECRET, {"alg": "HS256", "kid": "old"}), keys) == {
        "n": 2
    }


def test_kid_defaults_to_the_rfc_7638_thumbprint(pem: Pem) -> None:
    keys = ring(
        SIGNING_KEYS=[{"alg": "HS256", "key": SECRET}, {"alg": "RS256", "key": pem("rsa").private}]
    )
    assert keys.keys[0].kid == thumbprint(secret_jwk(SECRET.encode()))
    assert keys.keys[1].kid == jwcrypto_jwk.JWK.from_pem(pem("rsa").public).thumbprint()


def test_the_shorthand_key_has_a_thumbprint_kid_too() -> None:
    assert ring(SIGNING_KEY=SECRET).signer.kid == thumbprint(secret_jwk(SECRET.encode()))


def test_a_jwk_brings_its_own_kid_unless_the_entry_names_one(pem: Pem) -> None:
    jwk = json.loads(jwcrypto_jwk.JWK.from_pem(pem("p256").public).export_public())
    jwk.update(kid="from-jwk", alg="ES256")
    keys = ring(
        VERIFYING_KEYS=[
            {"alg": "ES256", "key": jwk},
            {"alg": "ES256", "key": {**jwk, "kid": "x"}, "kid": "from-entry"},
        ]
    )
    assert [key.kid for key in keys.keys] == ["from-jwk", "from-entry"]


def test_a_jwk_for_another_alg_is_refused(pem: Pem) -> None:
    jwk = json.loads(jwcrypto_jwk.JWK.from_pem(pem("rsa").public).export_public())
    message = refused(
        "VERIFYING_KEYS", VERIFYING_KEYS=[{"alg": "RS256", "key": {**jwk, "alg": "PS256"}}]
    )
    assert "entry [0] is a JWK for 'PS256' but its alg is 'RS256'" in message


def test_two_keys_with_one_kid_are_refused_naming_both() -> None:
    message = refused(
        "VERIFYING_KEYS",
        SIGNING_KEYS=[{"alg": "HS256", "key": SECRET, "kid": "a"}],
        VERIFYING_KEYS=[
            {"alg": "HS256", "key": LONG_SECRET, "kid": "b"},
            {"alg": "HS256", "key": OTHER_SECRET, "kid": "a"},
        ],
    )
    assert "entry [1] has kid 'a', like SIGNING_KEYS entry [0]" in message


def test_one_key_listed_twice_is_refused() -> None:
    entry = {"alg": "HS256", "key": SECRET}
    assert "like SIGNING_KEYS entry [0]" in refused("SIGNING_KEYS", SIGNING_KEYS=[entry, entry])


def test_a_weak_secret_is_refused_by_position() -> None:
    message = refused(
        "SIGNING_KEYS", SIGNING_KEYS=[{"alg": "HS256", "key": SECRET}, {"alg": "HS256", "key": "s"}]
    )
    assert "entry [1] is 1 bytes" in message


def test_a_key_that_does_not_fit_its_alg_is_refused_by_position(pem: Pem) -> None:
    message = refused(
        "VERIFYING_KEYS", VERIFYING_KEYS=[{"alg": "ES384", "key": pem("p256").public}]
    )
    assert "entry [0] is not a key for ES384" in message


def test_the_shorthand_verifying_secret_alone_verifies_only() -> None:
    keys = ring(VERIFYING_KEY=SECRET)
    assert not keys.can_sign
    with pytest.raises(ConfigurationError, match="only verifies tokens") as caught:
        codec.encode({}, keys)
    assert caught.value.key == "SIGNING_KEY"
    assert codec.decode(hs_token({"n": 1}, SECRET), keys) == {"n": 1}


def test_a_ring_of_verifying_keys_only_cannot_sign(pem: Pem) -> None:
    keys = ring(VERIFYING_KEYS=[{"alg": "EdDSA", "key": pem("ed25519").public}])
    assert not keys.can_sign
    with pytest.raises(ConfigurationError, match="only verifies tokens") as caught:
        codec.encode({}, keys)
    assert caught.value.key == "SIGNING_KEYS"


def test_the_public_jwks_leave_out_secrets_and_private_parts(pem: Pem) -> None:
    keys = ring(
        SIGNING_KEYS=[
            {"alg": "HS256", "key": SECRET, "kid": "h"},
            {"alg": "ES256", "key": pem("p256").private, "kid": "e"},
        ]
    )
    (published,) = keys.public_jwks()["keys"]
    assert published["kid"] == "e"
    assert published["alg"] == "ES256"
    assert published["use"] == "sig"
    assert "d" not in published
    assert ring(SIGNING_KEY=SECRET).public_jwks() == {"keys": []}


def several() -> KeyRing:
    return ring(
        SIGNING_KEYS=[
            {"alg": "HS256", "key": SECRET, "kid": "h"},
            {"alg": "HS512", "key": LONG_SECRET, "kid": "h5"},
        ]
    )


@pytest.mark.parametrize(
    ("token_header", "message"),
    [
        ({"alg": "HS256"}, "Token has no 'kid' header; this server has several keys."),
        ({"alg": "HS256", "kid": 7}, "Token header 'kid' must be a string."),
        ({"alg": "HS256", "kid": ["h"]}, "Token header 'kid' must be a string."),
        ({"alg": "HS256", "kid": "nope"}, "Token key id is not known."),
        ({"alg": "HS512", "kid": "h"}, "Token algorithm is not allowed."),
        ({"alg": "HS256", "kid": "h5"}, "Token algorithm is not allowed."),
    ],
)
def test_selection_by_kid_then_alg(token_header: dict[str, Any], message: str) -> None:
    raw = hs_token({"n": 1}, SECRET, token_header)
    with pytest.raises(TokenError) as caught:
        codec.decode(raw, several())
    assert type(caught.value) is TokenError
    assert caught.value.message == message


def test_a_token_without_kid_verifies_against_a_ring_of_one_key() -> None:
    keys = ring(SIGNING_KEYS=[{"alg": "HS256", "key": SECRET}])
    assert codec.decode(hs_token({"n": 1}, SECRET), keys) == {"n": 1}


def test_shorthand_and_ring_do_not_mix() -> None:
    entry = [{"alg": "HS256", "key": SECRET}]
    for shorthand in ({"SIGNING_KEY": SECRET}, {"VERIFYING_KEY": SECRET}, {"ALGORITHM": "HS256"}):
        with pytest.raises(ConfigurationError, match="one-key shorthand") as caught:
            Config.from_mapping({"VERIFYING_KEYS": entry, **shorthand})
        assert caught.value.key == "VERIFYING_KEYS"


def test_revoke_secret_is_required_with_a_ring_and_check_revoke_token() -> None:
    with pytest.raises(ConfigurationError, match="would change when the key rotates") as caught:
        Config.from_mapping(
            {"SIGNING_KEYS": [{"alg": "HS256", "key": SECRET}], "CHECK_REVOKE_TOKEN": True}
        )
    assert caught.value.key == "REVOKE_TOKEN_SECRET"


def test_revoke_secret_does_not_depend_on_the_ring() -> None:
    def revoke_secret(secret: str) -> bytes:
        return ring(
            SIGNING_KEYS=[{"alg": "HS256", "key": secret}],
            CHECK_REVOKE_TOKEN=True,
            REVOKE_TOKEN_SECRET="r" * 32,
        ).revoke_secret

    assert revoke_secret(SECRET) == revoke_secret(LONG_SECRET)


def test_revoke_secret_set_to_the_old_signing_key_keeps_the_shorthand_claims() -> None:
    shorthand = ring(SIGNING_KEY=SECRET).revoke_secret
    moved = ring(SIGNING_KEYS=[{"alg": "HS256", "key": LONG_SECRET}], REVOKE_TOKEN_SECRET=SECRET)
    assert moved.revoke_secret == shorthand


def test_revoke_secret_lets_a_public_key_verifier_check_revocation(pem: Pem) -> None:
    keys = ring(
        VERIFYING_KEY=pem("rsa").public,
        ALGORITHM="RS256",
        CHECK_REVOKE_TOKEN=True,
        REVOKE_TOKEN_SECRET="r" * 32,
    )
    assert keys.revoke_secret == ring(SIGNING_KEY="r" * 32).revoke_secret


def test_public_key_verifier_without_revoke_secret_cannot_check_revocation(pem: Pem) -> None:
    message = refused(
        "CHECK_REVOKE_TOKEN",
        VERIFYING_KEY=pem("rsa").public,
        ALGORITHM="RS256",
        CHECK_REVOKE_TOKEN=True,
    )
    assert "REVOKE_TOKEN_SECRET" in message


@pytest.mark.parametrize("value", ["short", b"x" * 31, 5])
def test_revoke_secret_must_be_32_bytes_of_text_or_bytes(value: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"SIGNING_KEY": SECRET, "REVOKE_TOKEN_SECRET": value})
    assert caught.value.key == "REVOKE_TOKEN_SECRET"
