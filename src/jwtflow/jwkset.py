"""JWK Sets from elsewhere (another issuer's ``jwks.json``): the usable verifying keys in them.

A set is untrusted input. Keys that cannot verify our tokens are skipped, not fatal: secrets
(``oct``: never taken from a document), encryption keys, unknown types or algorithms, keys that
do not fit their ``alg``, and malformed members. Private members are ignored; only public
halves are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jwtflow.errors import ConfigurationError
from jwtflow.jwk import load_jwk
from jwtflow.keyparse import CURVES, Slot, check_kind
from jwtflow.keys import Key
from jwtflow.keyspec import is_kid

#: The algorithm of a JWK without ``alg``: its curve decides, and RSA keys default to RS256.
_DEFAULT_ALGS: dict[tuple[Any, Any], str] = {
    ("EC", "P-256"): "ES256",
    ("EC", "secp256k1"): "ES256K",
    ("EC", "P-384"): "ES384",
    ("EC", "P-521"): "ES512",
    ("OKP", "Ed25519"): "EdDSA",
    ("OKP", "Ed448"): "EdDSA",
    ("RSA", None): "RS256",
}
_RSA_ALGS = {f"{prefix}{bits}" for prefix in ("RS", "PS") for bits in (256, 384, 512)}
_ASYMMETRIC_ALGS = frozenset({*CURVES, "EdDSA", *_RSA_ALGS})


def keys_from_jwks(document: object) -> tuple[Key, ...]:
    """The verifying keys of a JWK Set document, in order; unusable entries are skipped.

    Raises:
        ValueError: the document is not a JWK Set (an object with a ``keys`` array).
    """
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWK Set")
    keys: dict[str, Key] = {}
    for entry in entries:
        key = _key(entry) if isinstance(entry, Mapping) else None
        if key is not None:
            keys.setdefault(key.kid, key)
    return tuple(keys.values())


def _key(jwk: Mapping[str, Any]) -> Key | None:
    if jwk.get("use", "sig") != "sig" or jwk.get("kty") == "oct":
        return None
    alg = jwk.get("alg") or _DEFAULT_ALGS.get((jwk.get("kty"), jwk.get("crv")))
    kid = jwk.get("kid")
    if alg not in _ASYMMETRIC_ALGS or (kid is not None and not is_kid(kid)):
        return None
    try:
        loaded = load_jwk(jwk)
        public = loaded.public_key() if hasattr(loaded, "private_bytes") else loaded
        check_kind(Slot("JWKS"), str(alg), public)
        return Key.build(str(alg), None, public, kid)
    except (ValueError, TypeError, ConfigurationError):
        return None
