"""Key material, parsed once: the active signing key, its verifying key and the algorithm.

PEM keys become ``cryptography`` key objects here, at start-up, so no request pays for parsing.
A key that does not fit the configured algorithm is a :class:`~jwtflow.errors.ConfigurationError`.
A ring without a signing key verifies only (``can_sign`` is False).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from jwtflow.config import Config
from jwtflow.errors import ConfigurationError

#: RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output.
HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
#: RFC 7518 section 3.3: RSA keys of 2048 bits or more.
RSA_MIN_BITS = 2048
_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
_PEM_MARKERS = (b"-----BEGIN", b"ssh-", b"ecdsa-sha2-")
_REVOKE_CONTEXT = b"jwtflow.revoke-token-claim"


@dataclass(frozen=True)
class KeyRing:
    """The keys a runtime signs and verifies with; build it with :meth:`from_config`."""

    algorithm: str
    signing_key: Any = field(repr=False)
    verifying_key: Any = field(repr=False)
    revoke_secret: bytes = field(repr=False)

    @classmethod
    def from_config(cls, config: Config) -> KeyRing:
        """Parse and check the key material of ``config``.

        Raises:
            ConfigurationError: the keys are missing, too short, or do not fit the algorithm.
        """
        material = _as_bytes(config.signing_key) if config.signing_key else None
        verifying = _as_bytes(config.verifying_key) if config.verifying_key else None
        if config.algorithm in HMAC_MIN_BYTES:
            signing_key, verifying_key = _hmac_keys(config.algorithm, material, verifying)
            secret_material = verifying_key
        elif material is not None:
            signing_key, verifying_key = _asymmetric_keys(config.algorithm, material, verifying)
            secret_material = material
        else:
            signing_key, verifying_key = None, _public_key(config.algorithm, verifying)
            secret_material = _no_revoke_secret(config)
        secret = hmac.new(secret_material, _REVOKE_CONTEXT, hashlib.sha256).digest()
        return cls(config.algorithm, signing_key, verifying_key, secret)

    @property
    def can_sign(self) -> bool:
        """Whether this ring can issue tokens (False for a verify-only service)."""
        return self.signing_key is not None


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _looks_like_pem(material: bytes) -> bool:
    return material.lstrip().startswith(_PEM_MARKERS)


def _hmac_keys(
    algorithm: str, secret: bytes | None, verifying: bytes | None
) -> tuple[bytes | None, bytes]:
    if secret is None:
        # Verify-only: VERIFYING_KEY is the shared secret, checked like a signing key.
        return None, _hmac_secret("VERIFYING_KEY", algorithm, verifying or b"")
    _hmac_secret("SIGNING_KEY", algorithm, secret)
    if verifying is not None and verifying != secret:
        raise ConfigurationError(
            "VERIFYING_KEY",
            f"differs from SIGNING_KEY under {algorithm}: HMAC verifies with the signing secret "
            "itself. Leave VERIFYING_KEY unset (or equal to SIGNING_KEY); set only VERIFYING_KEY "
            "for a service that verifies and never issues.",
        )
    return secret, secret


def _hmac_secret(key: str, algorithm: str, secret: bytes) -> bytes:
    if _looks_like_pem(secret):
        raise ConfigurationError(
            key,
            f"is a PEM/SSH key but ALGORITHM is {algorithm}, an HMAC algorithm. Use a random "
            "secret for HS*, or set ALGORITHM to the key's family (RS256, ES256, EdDSA, ...).",
        )
    minimum = HMAC_MIN_BYTES[algorithm]
    if len(secret) < minimum:
        raise ConfigurationError(
            key,
            f"is {len(secret)} bytes; {algorithm} needs at least {minimum} random bytes. Generate "
            f"one with `python -c 'import secrets; print(secrets.token_urlsafe({minimum + 16}))'`.",
        )
    return secret


def _public_key(algorithm: str, verifying: bytes | None) -> Any:
    public_key = _load(serialization.load_pem_public_key, "VERIFYING_KEY", verifying or b"")
    _check_kind("VERIFYING_KEY", algorithm, public_key)
    return public_key


def _no_revoke_secret(config: Config) -> bytes:
    if config.check_revoke_token:
        raise ConfigurationError(
            "CHECK_REVOKE_TOKEN",
            "needs SIGNING_KEY: the revocation claim is keyed by a secret derived from the "
            "private key, which a verify-only service with a public key does not have. "
            "Turn CHECK_REVOKE_TOKEN off on verifiers.",
        )
    return b""


def _asymmetric_keys(algorithm: str, material: bytes, verifying: bytes | None) -> tuple[Any, Any]:
    if not _looks_like_pem(material):
        raise ConfigurationError(
            "SIGNING_KEY",
            f"must be a PEM-encoded private key under {algorithm}, not a plain secret. Use an "
            "HS* ALGORITHM for shared secrets.",
        )
    private_key = _load(serialization.load_pem_private_key, "SIGNING_KEY", material)
    _check_kind("SIGNING_KEY", algorithm, private_key.public_key())
    public_key = private_key.public_key()
    if verifying is not None:
        public_key = _public_key(algorithm, verifying)
        if _spki(public_key) != _spki(private_key.public_key()):
            raise ConfigurationError(
                "VERIFYING_KEY", "is not the public half of SIGNING_KEY; tokens would never verify."
            )
    return private_key, public_key


def _load(loader: Any, key: str, material: bytes) -> Any:
    try:
        if loader is serialization.load_pem_private_key:
            return loader(material, password=None)
        return loader(material)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigurationError(
            key, "could not be parsed as an unencrypted PEM key of a supported type."
        ) from None


def _check_kind(key: str, algorithm: str, public_key: Any) -> None:
    if algorithm.startswith(("RS", "PS")):
        fits = isinstance(public_key, rsa.RSAPublicKey)
        if fits and public_key.key_size < RSA_MIN_BITS:
            raise ConfigurationError(key, f"is an RSA key under {RSA_MIN_BITS} bits; use 2048+.")
    elif algorithm in _CURVES:
        fits = isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(
            public_key.curve, _CURVES[algorithm]
        )
    else:
        fits = isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)
    if not fits:
        raise ConfigurationError(key, f"is not a key for {algorithm}; generate one of that family.")


def _spki(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
