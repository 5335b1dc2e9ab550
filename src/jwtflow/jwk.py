"""JSON Web Keys (RFC 7517, 7518, 8037): import into ``cryptography`` keys, export, thumbprints.

Only the members that define a key are read; ``alg``, ``use`` and ``kid`` are the caller's to
check. Nothing here trusts a key to be well formed: every failure is a :class:`ValueError`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: The curve each JWK ``crv`` names, as cryptography names it (RFC 7518 section 6.2.1.1, RFC
#: 8812 for secp256k1). Names, not classes: cryptography is imported only when a key is handled.
EC_CURVES: dict[str, str] = {
    "P-256": "secp256r1",
    "P-384": "secp384r1",
    "P-521": "secp521r1",
    "secp256k1": "secp256k1",
}
_OKP_CURVES = ("Ed25519", "Ed448")
#: RFC 7638 section 3.2: the members a thumbprint hashes, per key type.
_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
}


def b64encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: object) -> bytes:
    """Decode unpadded base64url.

    Raises:
        ValueError: ``text`` is not a base64url string.
    """
    if not isinstance(text, str) or not text.isascii() or "=" in text:
        raise ValueError("not a base64url string")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise ValueError("not a base64url string") from None


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of ``jwk``, base64url-encoded: a kid no one can choose.

    Raises:
        ValueError: the key type is unknown or a required member is missing.
    """
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty"))  # type: ignore[arg-type]
    if members is None or not all(isinstance(jwk.get(name), str) for name in members):
        raise ValueError("not a complete JWK")
    canonical = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"))
    return b64encode(hashlib.sha256(canonical.encode()).digest())


def secret_jwk(secret: bytes) -> dict[str, str]:
    """The ``oct`` JWK of an HMAC secret (used for its thumbprint; never published)."""
    return {"kty": "oct", "k": b64encode(secret)}


def public_jwk(public_key: Any) -> dict[str, str]:
    """The public JWK (key members only) of a ``cryptography`` public key.

    Raises:
        ValueError: the key is of a type JOSE does not define.
    """
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        return {"kty": "RSA", "n": _uint(numbers.n), "e": _uint(numbers.e)}
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        crv = next(name for name, curve in EC_CURVES.items() if public_key.curve.name == curve)
        size = (public_key.curve.key_size + 7) // 8
        point = public_key.public_numbers()
        x, y = _uint(point.x, size), _uint(point.y, size)
        return {"kty": "EC", "crv": crv, "x": x, "y": y}
    if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        crv = "Ed25519" if isinstance(public_key, ed25519.Ed25519PublicKey) else "Ed448"
        return {"kty": "OKP", "crv": crv, "x": b64encode(public_key.public_bytes_raw())}
    raise ValueError("not a JOSE key type")


def load_jwk(jwk: Mapping[str, Any]) -> Any:
    """Import a JWK: an HMAC secret (bytes), a private key, or a public key.

    Raises:
        ValueError: the JWK is malformed, of an unknown type, or its point is not on its curve.
    """
    kty = jwk.get("kty")
    if kty == "oct":
        return b64decode(jwk.get("k"))
    if kty == "RSA":
        return _rsa(jwk)
    if kty == "EC":
        return _ec(jwk)
    if kty == "OKP" and jwk.get("crv") in _OKP_CURVES:
        return _okp(jwk)
    raise ValueError("unsupported JWK key type")


def _uint(value: int, size: int | None = None) -> str:
    length = size or max(1, (value.bit_length() + 7) // 8)
    return b64encode(value.to_bytes(length, "big"))


def _int(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(b64decode(jwk.get(name)), "big")


def _rsa(jwk: Mapping[str, Any]) -> Any:
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n"))
    if "d" not in jwk:
        return public.public_key()
    d = _int(jwk, "d")
    if "p" in jwk:
        p, q = _int(jwk, "p"), _int(jwk, "q")
    else:
        p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
    private = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    )
    return private.private_key()


def _ec(jwk: Mapping[str, Any]) -> Any:
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ec

    name = EC_CURVES.get(jwk.get("crv"))  # type: ignore[arg-type]
    if name is None:
        raise ValueError("unsupported curve")
    # cryptography names each curve class after its curve: "secp256r1" is ec.SECP256R1.
    curve: type[ec.EllipticCurve] = getattr(ec, name.upper())
    point = ec.EllipticCurvePublicNumbers(_int(jwk, "x"), _int(jwk, "y"), curve())
    public = point.public_key()
    if "d" not in jwk:
        return public
    private = ec.derive_private_key(_int(jwk, "d"), curve())
    if private.public_key().public_numbers() != public.public_numbers():
        raise ValueError("private key does not match its public point")
    return private


def _okp(jwk: Mapping[str, Any]) -> Any:
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    if "d" in jwk:
        private: dict[str, type[ed25519.Ed25519PrivateKey] | type[ed448.Ed448PrivateKey]] = {
            "Ed25519": ed25519.Ed25519PrivateKey,
            "Ed448": ed448.Ed448PrivateKey,
        }
        return private[jwk["crv"]].from_private_bytes(b64decode(jwk["d"]))
    public: dict[str, type[ed25519.Ed25519PublicKey] | type[ed448.Ed448PublicKey]] = {
        "Ed25519": ed25519.Ed25519PublicKey,
        "Ed448": ed448.Ed448PublicKey,
    }
    return public[jwk["crv"]].from_public_bytes(b64decode(jwk.get("x")))
