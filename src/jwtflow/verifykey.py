"""One verifying key from a file, for ``jwtflow verify --key``: a PEM, a JWK or an HMAC secret.

The algorithm comes from ``--alg``, else from the key (a JWK's ``alg``, an EC key's curve, an
Edwards key), else from the token header but only within the key's own family (RS*/PS* for an
RSA key, HS* for a secret), so a token can never move a key to another family.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jwtflow.jwk import load_jwk
from jwtflow.keyparse import CURVES, Slot, load_entry, load_pem, looks_like_pem
from jwtflow.keys import Key
from jwtflow.keyspec import is_kid

SLOT = Slot("--key")


def key_from_file(path: Path, alg: str | None, header: dict[str, Any]) -> Key:
    """The verifying key in ``path``, named by the token's ``kid`` so the token selects it.

    Raises:
        ConfigurationError: the file cannot be read or parsed, or no algorithm fits it.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SLOT.error(f"could not be read: {error.strerror}.") from None
    material: Any = data.strip()
    if material.startswith(b"{"):
        try:
            material = json.loads(material)
        except ValueError:
            raise SLOT.error("is neither a PEM key, a JWK nor a secret.") from None
    header_alg = header.get("alg") if isinstance(header.get("alg"), str) else ""
    chosen = alg or _algorithm(material, str(header_alg))
    _, verifying = load_entry(SLOT, chosen, material, signing=False)
    kid = header.get("kid")
    return Key.build(chosen, None, verifying, kid if is_kid(kid) else None)


def _algorithm(material: Any, header_alg: str) -> str:
    # Imported here, not at the top: cryptography is slow to import (docs/benchmarks.md).
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    is_jwk = isinstance(material, dict)
    if is_jwk and isinstance(material.get("alg"), str):
        return str(material["alg"])
    if (is_jwk and material.get("kty") == "oct") or not (is_jwk or looks_like_pem(material)):
        return _from_header(("HS",), header_alg)
    key = _jwk(material) if is_jwk else load_pem(SLOT, material, private=_is_private(material))
    public = key.public_key() if hasattr(key, "private_bytes") else key
    if isinstance(public, rsa.RSAPublicKey):
        return _from_header(("RS", "PS"), header_alg)
    if isinstance(public, ec.EllipticCurvePublicKey):
        # A curve JOSE does not use falls back to ES256, which the key check then refuses.
        fits = (alg for alg, curve in CURVES.items() if public.curve.name == curve)
        return next(fits, "ES256")
    return "EdDSA"


def _from_header(prefixes: tuple[str, ...], header_alg: str) -> str:
    if header_alg.startswith(prefixes) and header_alg[2:] in ("256", "384", "512"):
        return header_alg
    raise SLOT.error("needs --alg: neither the key nor the token says which algorithm fits.")


def _jwk(jwk: dict[str, Any]) -> Any:
    try:
        return load_jwk(jwk)
    except (ValueError, TypeError):
        raise SLOT.error("is not a valid JWK of a supported key type.") from None


def _is_private(pem: bytes) -> bool:
    return b"PRIVATE KEY-----" in pem
