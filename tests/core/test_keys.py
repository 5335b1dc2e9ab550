"""KeyRing: key material parsed once and checked against the algorithm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from jwtflow import codec
from jwtflow.config import Config
from jwtflow.errors import ConfigurationError, TokenError
from jwtflow.keyparse import HMAC_MIN_BYTES
from jwtflow.keys import KeyRing
from tests.forge import hs_token
from tests.pem import KeyPair

from .helpers import ASYMMETRIC_KEYS, SECRET

Pem = Callable[[str], KeyPair]


def ring(**settings: Any) -> KeyRing:
    return KeyRing.from_config(Config.from_mapping(settings))


def refused(key: str, **settings: Any) -> str:
    with pytest.raises(ConfigurationError) as caught:
        ring(**settings)
    assert caught.value.key == key
    return str(caught.value)


@pytest.mark.parametrize(("algorithm", "minimum"), sorted(HMAC_MIN_BYTES.items()))
def test_hmac_minimum_lengths_follow_the_hash(algorithm: str, minimum: int) -> None:
    assert minimum == int(algorithm[2:]) // 8


@pytest.mark.parametrize(("algorithm", "minimum"), sorted(HMAC_MIN_BYTES.items()))
@pytest.mark.parametrize("as_bytes", [False, True])
def test_hmac_secret_of_the_minimum_length_is_accepted(
    algorithm: str, minimum: int, as_bytes: bool
) -> None:
    text = "k" * minimum
    secret: str | bytes = text.encode() if as_bytes else text
    keys = ring(SIGNING_KEY=secret, ALGORITHM=algorithm)
    assert keys.signer.alg == algorithm
    assert keys.signer.signing == keys.keys[0].verifying == b"k" * minimum


@pytest.mark.parametrize(("algorithm", "minimum"), sorted(HMAC_MIN_BYTES.items()))
def test_hmac_secret_one_byte_short_is_refused(algorithm: str, minimum: int) -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY="k" * (minimum - 1), ALGORITHM=algorithm)
    assert f"is {minimum - 1} bytes; {algorithm} needs at least {minimum}" in message
    assert "secrets.token_urlsafe" in message


def test_hmac_length_counts_bytes_not_characters() -> None:
    # 16 two-byte characters are 32 bytes: enough for HS256.
    assert ring(SIGNING_KEY="é" * 16).signer.signing == ("é" * 16).encode()


@pytest.mark.parametrize("algorithm", sorted(HMAC_MIN_BYTES))
@pytest.mark.parametrize("name", ["rsa", "p256", "ed25519"])
def test_pem_under_an_hmac_algorithm_is_refused(algorithm: str, name: str, pem: Pem) -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY=pem(name).private, ALGORITHM=algorithm)
    assert "is a PEM/SSH key" in message


@pytest.mark.parametrize(
    "material",
    [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO" + "x" * 40,
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAA" + "x" * 40,
        "\n  -----BEGIN PUBLIC KEY-----\n" + "x" * 40,
    ],
)
def test_ssh_keys_and_indented_pem_under_hmac_are_refused(material: str) -> None:
    assert "is a PEM/SSH key" in refused("SIGNING_KEY", SIGNING_KEY=material)


@pytest.mark.parametrize("verifying", [SECRET, SECRET.encode(), ""])
def test_hmac_verifying_key_may_repeat_the_secret_or_be_empty(verifying: str | bytes) -> None:
    keys = ring(SIGNING_KEY=SECRET, VERIFYING_KEY=verifying)
    assert keys.keys[0].verifying == SECRET.encode()


def test_hmac_verifying_key_that_differs_is_refused() -> None:
    message = refused("VERIFYING_KEY", SIGNING_KEY=SECRET, VERIFYING_KEY=SECRET + "!")
    assert "differs from SIGNING_KEY under HS256" in message


@pytest.mark.parametrize("algorithm", [*ASYMMETRIC_KEYS])
def test_plain_secret_under_an_asymmetric_algorithm_is_refused(algorithm: str) -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY=SECRET * 4, ALGORITHM=algorithm)
    assert f"must be a PEM-encoded private key under {algorithm}" in message


@pytest.mark.parametrize(
    ("algorithm", "name", "public_type"),
    [
        ("RS256", "rsa", rsa.RSAPublicKey),
        ("RS384", "rsa", rsa.RSAPublicKey),
        ("RS512", "rsa", rsa.RSAPublicKey),
        ("PS256", "rsa", rsa.RSAPublicKey),
        ("PS384", "rsa", rsa.RSAPublicKey),
        ("PS512", "rsa", rsa.RSAPublicKey),
        ("ES256", "p256", ec.EllipticCurvePublicKey),
        ("ES384", "p384", ec.EllipticCurvePublicKey),
        ("ES512", "p521", ec.EllipticCurvePublicKey),
        ("EdDSA", "ed25519", ed25519.Ed25519PublicKey),
        ("EdDSA", "ed448", ed448.Ed448PublicKey),
    ],
)
def test_asymmetric_keys_are_parsed_once(
    algorithm: str, name: str, public_type: type, pem: Pem
) -> None:
    keys = ring(SIGNING_KEY=pem(name).private, ALGORITHM=algorithm)
    assert isinstance(keys.keys[0].verifying, public_type)
    assert keys.signer.signing.public_key() == keys.keys[0].verifying


def test_pem_may_be_given_as_text(pem: Pem) -> None:
    keys = ring(SIGNING_KEY=pem("p256").private.decode(), ALGORITHM="ES256")
    assert isinstance(keys.keys[0].verifying, ec.EllipticCurvePublicKey)


@pytest.mark.parametrize(
    ("algorithm", "name"),
    [
        ("ES256", "p384"),
        ("ES256", "p521"),
        ("ES384", "p256"),
        ("ES512", "p384"),
        ("ES256", "rsa"),
        ("ES256", "ed25519"),
        ("RS256", "p256"),
        ("PS256", "ed25519"),
        ("RS512", "ed448"),
        ("EdDSA", "rsa"),
        ("EdDSA", "p256"),
    ],
)
def test_key_of_the_wrong_family_or_curve_is_refused(algorithm: str, name: str, pem: Pem) -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY=pem(name).private, ALGORITHM=algorithm)
    assert f"is not a key for {algorithm}" in message


@pytest.mark.parametrize("algorithm", ["RS256", "PS256", "RS512"])
def test_rsa_keys_under_2048_bits_are_refused(algorithm: str, pem: Pem) -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY=pem("rsa1024").private, ALGORITHM=algorithm)
    assert "under 2048 bits" in message


@pytest.mark.parametrize(
    ("algorithm", "name"), [("RS256", "rsa"), ("ES384", "p384"), ("EdDSA", "ed448")]
)
def test_matching_verifying_key_is_used(algorithm: str, name: str, pem: Pem) -> None:
    pair = pem(name)
    keys = ring(SIGNING_KEY=pair.private, VERIFYING_KEY=pair.public, ALGORITHM=algorithm)
    assert keys.keys[0].verifying == keys.signer.signing.public_key()


def test_verifying_key_of_another_key_pair_is_refused(pem: Pem) -> None:
    message = refused(
        "VERIFYING_KEY",
        SIGNING_KEY=pem("rsa").private,
        VERIFYING_KEY=pem("rsa-other").public,
        ALGORITHM="RS256",
    )
    assert "is not the public half of SIGNING_KEY" in message


def test_verifying_key_of_another_family_is_refused(pem: Pem) -> None:
    message = refused(
        "VERIFYING_KEY",
        SIGNING_KEY=pem("rsa").private,
        VERIFYING_KEY=pem("p256").public,
        ALGORITHM="RS256",
    )
    assert "is not a key for RS256" in message


BROKEN_PEM = b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"


def test_unparseable_signing_key_is_refused() -> None:
    message = refused("SIGNING_KEY", SIGNING_KEY=BROKEN_PEM, ALGORITHM="RS256")
    assert "could not be parsed as an unencrypted PEM key" in message


def test_encrypted_signing_key_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    message = refused("SIGNING_KEY", SIGNING_KEY=encrypted, ALGORITHM="ES256")
    assert "unencrypted PEM key" in message


def test_public_key_as_signing_key_is_refused(pem: Pem) -> None:
    refused("SIGNING_KEY", SIGNING_KEY=pem("rsa").public, ALGORITHM="RS256")


def test_ssh_public_key_under_rsa_is_refused() -> None:
    refused("SIGNING_KEY", SIGNING_KEY="ssh-rsa AAAAB3NzaC1yc2E" + "x" * 40, ALGORITHM="RS256")


@pytest.mark.parametrize(
    "verifying",
    [b"-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n", "not a pem"],
)
def test_unparseable_verifying_key_is_refused(verifying: bytes | str, pem: Pem) -> None:
    message = refused(
        "VERIFYING_KEY", SIGNING_KEY=pem("rsa").private, VERIFYING_KEY=verifying, ALGORITHM="RS256"
    )
    assert "could not be parsed" in message


def test_private_key_as_verifying_key_is_refused(pem: Pem) -> None:
    pair = pem("rsa")
    refused(
        "VERIFYING_KEY", SIGNING_KEY=pair.private, VERIFYING_KEY=pair.private, ALGORITHM="RS256"
    )


def test_revoke_secret_is_derived_from_the_signing_key(pem: Pem) -> None:
    first = ring(SIGNING_KEY=SECRET).revoke_secret
    assert first == ring(SIGNING_KEY=SECRET.encode()).revoke_secret
    assert first != ring(SIGNING_KEY=SECRET + "!").revoke_secret
    assert first != SECRET.encode()
    assert len(first) == 32
    asymmetric = ring(SIGNING_KEY=pem("p256").private, ALGORITHM="ES256").revoke_secret
    assert len(asymmetric) == 32
    assert asymmetric != first


def test_repr_never_shows_key_material(pem: Pem) -> None:
    for keys in (ring(SIGNING_KEY=SECRET), ring(SIGNING_KEY=pem("rsa").private, ALGORITHM="RS256")):
        text = repr(keys)
        assert "alg=" in text
        assert SECRET not in text
        assert "signing_key" not in text
        assert "revoke_secret" not in text


# -- verify-only shorthand: VERIFYING_KEY without SIGNING_KEY (issue 5) -------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "ES256"])
def test_verifying_key_alone_verifies_what_the_issuer_signs(algorithm: str, pem: Pem) -> None:
    # Guards 1d843d2: SIGNING_KEY used to be required even on a service that never issues.
    if algorithm == "HS256":
        signing: str | bytes = SECRET
        verifying: str | bytes = SECRET
    else:
        pair = pem(ASYMMETRIC_KEYS[algorithm])
        signing, verifying = pair.private, pair.public
    issuer = ring(ALGORITHM=algorithm, SIGNING_KEY=signing)
    verifier = ring(ALGORITHM=algorithm, VERIFYING_KEY=verifying)

    assert issuer.can_sign
    assert not verifier.can_sign
    raw = codec.encode({"sub": "1"}, issuer)
    assert codec.decode(raw, verifier) == {"sub": "1"}
    with pytest.raises(ConfigurationError, match="only verifies tokens") as caught:
        codec.encode({"sub": "1"}, verifier)
    assert "SIGNING_KEY" in str(caught.value)


def test_verify_only_hmac_secret_is_held_to_the_signing_key_rules() -> None:
    message = refused("VERIFYING_KEY", ALGORITHM="HS256", VERIFYING_KEY="short")
    assert "needs at least 32 random bytes" in message


def test_verify_only_ring_refuses_tokens_signed_with_another_secret() -> None:
    verifier = ring(VERIFYING_KEY=SECRET)
    with pytest.raises(TokenError, match="signature is invalid"):
        codec.decode(hs_token({"sub": "1"}, SECRET + "!"), verifier)


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_check_revoke_token_needs_a_secret_on_an_asymmetric_verifier(
    algorithm: str, pem: Pem
) -> None:
    # The revoke claim is keyed by a secret derived from the private key: a verifier with only
    # the public key could never check it, so start-up says so instead of every token failing.
    public = pem(ASYMMETRIC_KEYS[algorithm]).public
    message = refused(
        "CHECK_REVOKE_TOKEN", ALGORITHM=algorithm, VERIFYING_KEY=public, CHECK_REVOKE_TOKEN=True
    )
    assert "turn CHECK_REVOKE_TOKEN off on verifiers" in message
