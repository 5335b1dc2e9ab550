"""PEM key pairs for the tests, generated once per process by name."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

_CURVES: dict[str, Callable[[], ec.EllipticCurve]] = {
    "p256": ec.SECP256R1,
    "p384": ec.SECP384R1,
    "p521": ec.SECP521R1,
}
_EDWARDS: dict[str, type[ed25519.Ed25519PrivateKey] | type[ed448.Ed448PrivateKey]] = {
    "ed25519": ed25519.Ed25519PrivateKey,
    "ed448": ed448.Ed448PrivateKey,
}


@dataclass(frozen=True)
class KeyPair:
    """A private key and its public half, both PEM-encoded."""

    private: bytes
    public: bytes


@functools.cache
def key_pair(name: str) -> KeyPair:
    """Return the key pair called ``name``, made on first use.

    Names: rsa, rsa-other (another 2048-bit key), rsa1024, p256, p384, p521, ed25519, ed448.
    """
    key = _generate(name)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private, public)


def _generate(name: str) -> Any:
    if name.startswith("rsa"):
        bits = 1024 if name == "rsa1024" else 2048
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if name in _CURVES:
        return ec.generate_private_key(_CURVES[name]())
    return _EDWARDS[name].generate()
