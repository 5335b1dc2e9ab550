"""Key material to key objects: PEM, HMAC secrets, JWK dicts and key files, checked per algorithm.

Every check raises a :class:`~jwtflow.errors.ConfigurationError` that names the setting and, in a
list of keys, the entry's position, so a bad key stops start-up with a message saying where.
Reading a ``pathlib.Path`` is the only I/O, and it happens once, when the runtime is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jwtflow.errors import ConfigurationError
from jwtflow.jwk import load_jwk
from jwtflow.keyspec import is_path

if TYPE_CHECKING:
    from pathlib import Path

#: RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output.
HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
#: RFC 7518 section 3.3: RSA keys of 2048 bits or more.
RSA_MIN_BITS = 2048
#: The curve each ECDSA algorithm is defined on, as cryptography names it (RFC 7518 section 3.4,
#: RFC 8812 section 3.2). Names, not classes: cryptography is imported only when a key is parsed.
CURVES: dict[str, str] = {
    "ES256": "secp256r1",
    "ES256K": "secp256k1",
    "ES384": "secp384r1",
    "ES512": "secp521r1",
}
_PEM_MARKERS = (b"-----BEGIN", b"ssh-", b"ecdsa-sha2-")


@dataclass(frozen=True)
class Slot:
    """Where a key was configured: the setting and, in a list, the entry's position."""

    setting: str
    position: int | None = None

    def error(self, message: str) -> ConfigurationError:
        """A configuration error naming this slot; ``message`` continues "<key> ..."."""
        where = "" if self.position is None else f"entry [{self.position}] "
        return ConfigurationError(self.setting, where + message)


def as_bytes(value: str | bytes) -> bytes:
    """UTF-8 bytes of ``value``."""
    return value.encode() if isinstance(value, str) else value


def looks_like_pem(material: bytes) -> bool:
    """Whether ``material`` is a PEM or OpenSSH key rather than a plain secret."""
    return material.lstrip().startswith(_PEM_MARKERS)


def hmac_secret(slot: Slot, algorithm: str, secret: bytes) -> bytes:
    """Check an HMAC secret for ``algorithm`` and return it.

    Raises:
        ConfigurationError: it is a PEM/SSH key or shorter than the hash output.
    """
    if looks_like_pem(secret):
        name = "ALGORITHM" if slot.position is None else "its alg"
        raise slot.error(
            f"is a PEM/SSH key but {name} is {algorithm}, an HMAC algorithm. Use a random "
            f"secret for HS*, or set {name} to the key's family (RS256, ES256, EdDSA, ...).",
        )
    minimum = HMAC_MIN_BYTES[algorithm]
    if len(secret) < minimum:
        raise slot.error(
            f"is {len(secret)} bytes; {algorithm} needs at least {minimum} random bytes. Generate "
            f"one with `jwtflow keygen --alg {algorithm}` or "
            f"`python -c 'import secrets; print(secrets.token_urlsafe({minimum + 16}))'`.",
        )
    return secret


def load_pem(slot: Slot, material: bytes, *, private: bool) -> Any:
    """Parse an unencrypted PEM private (or, with ``private=False``, public) key.

    Raises:
        ConfigurationError: it cannot be parsed as such a key.
    """
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        if private:
            return serialization.load_pem_private_key(material, password=None)
        return serialization.load_pem_public_key(material)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise slot.error(
            "could not be parsed as an unencrypted PEM key of a supported type."
        ) from None


def check_kind(slot: Slot, algorithm: str, public_key: Any) -> None:
    """Check that ``public_key`` is of the family (and curve, size) ``algorithm`` needs.

    Raises:
        ConfigurationError: it is not.
    """
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if algorithm.startswith(("RS", "PS")):
        fits = isinstance(public_key, rsa.RSAPublicKey)
        if fits and public_key.key_size < RSA_MIN_BITS:
            raise slot.error(f"is an RSA key under {RSA_MIN_BITS} bits; use 2048+.")
    elif algorithm in CURVES:
        fits = (
            isinstance(public_key, ec.EllipticCurvePublicKey)
            and public_key.curve.name == CURVES[algorithm]
        )
    else:
        fits = isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)
    if not fits:
        raise slot.error(f"is not a key for {algorithm}; generate one of that family.")


def spki(public_key: Any) -> bytes:
    """The DER SubjectPublicKeyInfo of ``public_key``, to compare two public keys."""
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives import serialization

    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def load_entry(slot: Slot, algorithm: str, value: Any, *, signing: bool) -> tuple[Any, Any]:
    """Parse one configured key into ``(signing key or None, verifying key)``.

    ``value`` is a PEM (str or bytes), an HMAC secret, a JWK dict or a ``Path`` to a PEM or JWK
    file. A signing entry needs a private key or a secret; a verifying entry takes a public key,
    a secret, or a private key of which it keeps only the public half.

    Raises:
        ConfigurationError: the key cannot be read or parsed, or does not fit ``algorithm``.
    """
    material = _material(slot, value)
    if algorithm in HMAC_MIN_BYTES:
        if not isinstance(material, bytes):
            raise slot.error(f"is an asymmetric key but {algorithm} needs an HMAC secret.")
        secret = hmac_secret(slot, algorithm, material)
        return (secret if signing else None), secret
    key = _asymmetric(slot, algorithm, material, signing=signing)
    public = key.public_key() if _is_private(key) else key
    check_kind(slot, algorithm, public)
    return (key if signing else None), public


def _material(slot: Slot, value: Any) -> Any:
    if is_path(value):
        value = _read(slot, value)
    if isinstance(value, dict):
        # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
        from cryptography.exceptions import UnsupportedAlgorithm

        try:
            return load_jwk(value)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise slot.error("is not a valid JWK of a supported key type.") from None
    return as_bytes(value)


def _read(slot: Slot, path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise slot.error(f"could not be read from {str(path)!r}: {error.strerror}.") from None
    if not data.lstrip().startswith(b"{"):
        return data
    try:
        return json.loads(data)
    except ValueError:
        raise slot.error(f"{str(path)!r} holds neither a PEM key nor a JWK.") from None


def _asymmetric(slot: Slot, algorithm: str, material: Any, *, signing: bool) -> Any:
    if isinstance(material, bytes):
        if not looks_like_pem(material):
            raise slot.error(
                f"must be a PEM-encoded key under {algorithm}, not a plain secret. Use an HS* "
                "algorithm for shared secrets.",
            )
        private = signing or b"PRIVATE KEY-----" in material
        return load_pem(slot, material, private=private)
    if signing and not _is_private(material):
        raise slot.error(f"is a public key; a signing key under {algorithm} must be private.")
    return material


def _is_private(key: Any) -> bool:
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    private = (
        rsa.RSAPrivateKey,
        ec.EllipticCurvePrivateKey,
        ed25519.Ed25519PrivateKey,
        ed448.Ed448PrivateKey,
    )
    return isinstance(key, private)
