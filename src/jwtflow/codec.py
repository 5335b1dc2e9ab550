"""Compact JWS in and out: the only module that imports PyJWT.

``decode`` checks the shape and the protected header before any cryptography runs, picks the
key by the header's ``kid`` and pins the algorithm to that key's, and maps every PyJWT failure to
a :class:`TokenError` with our own wording, so nothing of PyJWT's messages (or the token) reaches
a client.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import jwt
from jwt.exceptions import InvalidSignatureError, PyJWTError

from jwtflow.errors import TokenError
from jwtflow.keys import KeyRing

#: Tokens larger than this are refused before they are decoded (cheap denial-of-service guard).
MAX_TOKEN_BYTES = 8192
#: JSON nested deeper than this (in the header or the payload) is refused: real tokens nest a
#: level or two, and a fixed cap does not depend on the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
#: Header parameters that point at keys chosen by the sender (RFC 8725 section 3.10); never trusted.
FORBIDDEN_HEADER_PARAMETERS = ("jku", "x5u", "jwk", "x5c")

_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_JWS = jwt.PyJWS()


def encode(payload: Mapping[str, Any], keys: KeyRing) -> str:
    """Sign ``payload`` with the ring's signing key; the header names its ``kid``.

    Raises:
        ConfigurationError: the ring has no signing key (a verify-only service).
    """
    key = keys.signer
    body = json.dumps(dict(payload), separators=(",", ":"), allow_nan=False).encode()
    headers = {"typ": "JWT", "kid": key.kid}
    return _JWS.encode(body, key.signing, algorithm=key.alg, headers=headers)


def decode(raw: str, keys: KeyRing) -> dict[str, Any]:
    """Verify ``raw`` and return its payload; claims are not checked here.

    Raises:
        TokenError: the token is oversized, malformed, names an unknown key, uses another
            algorithm than its key or a forbidden header, or its signature does not verify.
    """
    if not isinstance(raw, str):
        raise TokenError("Token must be a string.")
    if len(raw) > MAX_TOKEN_BYTES:
        raise TokenError("Token is too large.")
    if not raw.isascii() or not _COMPACT.fullmatch(raw):
        raise TokenError("Token is not a compact JWS of three base64url segments.")
    header_segment, payload_segment, _ = raw.split(".")
    header = _json_object(header_segment, "header")
    _check_header(header)
    key = keys.select(header)
    try:
        _JWS.decode_complete(raw, key.verifying, algorithms=[key.alg])
    except InvalidSignatureError:
        raise TokenError("Token signature is invalid.") from None
    except PyJWTError:
        raise TokenError("Token could not be decoded.") from None
    return _json_object(payload_segment, "payload")


def unverified(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of ``raw`` WITHOUT verifying anything: for display only.

    Raises:
        TokenError: ``raw`` is not a compact JWS with JSON object segments.
    """
    if not isinstance(raw, str) or not raw.isascii() or not _COMPACT.fullmatch(raw):
        raise TokenError("Token is not a compact JWS of three base64url segments.")
    header_segment, payload_segment, _ = raw.split(".")
    return _json_object(header_segment, "header"), _json_object(payload_segment, "payload")


def _check_header(header: dict[str, Any]) -> None:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise TokenError("Unsigned tokens are not accepted.")
    for name in FORBIDDEN_HEADER_PARAMETERS:
        if name in header:
            raise TokenError(f"Token header parameter {name!r} is not accepted.")
    if "crit" in header:
        raise TokenError("Token requires extensions this server does not understand.")
    typ = header.get("typ", "JWT")
    if not isinstance(typ, str) or typ.upper() != "JWT":
        raise TokenError("Token header 'typ' must be 'JWT'.")


def _json_object(segment: str, part: str) -> dict[str, Any]:
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        # RFC 7519 section 7.2: the JSON is UTF-8 (json.loads would also guess UTF-16 and -32).
        text = data.decode("utf-8")
        value = json.loads(
            text,
            object_pairs_hook=_unique_members,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
        if "\\u" in text:
            # An escape may spell a lone surrogate ("\ud800"), a str that no store, comparison
            # or encoder can take; refusing here keeps every claim and header member safe.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (binascii.Error, ValueError, RecursionError):
        raise TokenError(f"Token {part} is not valid base64url-encoded JSON.") from None
    if not isinstance(value, dict):
        raise TokenError(f"Token {part} is not a JSON object.")
    if not _nested_within(value, MAX_JSON_DEPTH):
        raise TokenError(f"Token {part} is nested too deeply.")
    return value


def _nested_within(value: dict[str, Any], limit: int) -> bool:
    # Iterative: a recursive walk would fail on exactly the values it is meant to refuse.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return False
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        # RFC 7515 section 5.2: a parser must reject or pick one; rejecting removes ambiguity.
        raise ValueError("duplicate member name")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # 1e400 is valid JSON but parses to inf, which no JSON encoder writes back (minting a token
    # from a carried claim would fail) and no NumericDate can be: refuse it like NaN.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value
