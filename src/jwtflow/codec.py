"""Compact JWS in and out: the only module that imports PyJWT.

``decode`` checks the shape and the protected header before any cryptography runs, picks the
key by the header's ``kid`` and pins the algorithm to that key's, and maps every PyJWT failure to
a :class:`TokenError` with our own wording, so nothing of PyJWT's messages (or the token) reaches
a client.

PyJWT's algorithm objects do the cryptography, with each key prepared once (cached on the
:class:`~jwtflow.keys.Key`) rather than handed to ``PyJWS`` per call, which re-screened an HMAC
secret and re-parsed the header on every token; each segment is decoded and parsed once here.
PyJWT (and cryptography under it) is imported when the first key is prepared, not with the
package: it costs more to import than the rest of jwtflow together.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from jwtflow.errors import TokenError
from jwtflow.keys import Key, KeyRing

if TYPE_CHECKING:
    from jwt.algorithms import Algorithm

#: Tokens larger than this are refused before they are decoded (cheap denial-of-service guard).
MAX_TOKEN_BYTES = 8192
#: JSON nested deeper than this (in the header or the payload) is refused: real tokens nest a
#: level or two, and a fixed cap does not depend on the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
#: Header parameters that point at keys chosen by the sender (RFC 8725 section 3.10); never trusted.
FORBIDDEN_HEADER_PARAMETERS = ("jku", "x5u", "jwk", "x5c")

_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
#: PyJWT's algorithm objects by name; filled by :func:`_load_pyjwt` when first needed.
_ALGORITHMS: dict[str, Algorithm] = {}
#: What verifying a bad token may raise: ValueError, plus PyJWT's errors once PyJWT is loaded
#: (none can be raised before: only code that runs after loading it calls into PyJWT).
_DECODE_ERRORS: tuple[type[Exception], ...] = (ValueError,)
#: The last character of a segment whose length leaves 2 or 3 characters over a multiple of 4
#: must leave its unused bits clear: otherwise it is a second spelling of the same bytes.
_CANONICAL_LAST = ("", "", "AQgw", "AEIMQUYcgkosw048")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


class _Prepared(NamedTuple):
    """A key as the codec uses it: PyJWT's algorithm, the prepared keys, the encoded header."""

    algorithm: Algorithm
    signing: Any
    verifying: Any
    #: ``base64url(header) + "."``, the start of every token this key signs.
    header: str


def encode(payload: Mapping[str, Any], keys: KeyRing) -> str:
    """Sign ``payload`` with the ring's signing key; the header names its ``kid``.

    Raises:
        ConfigurationError: the ring has no signing key (a verify-only service).
    """
    prepared = _prepared(keys.signer)
    body = json.dumps(dict(payload), separators=(",", ":"), allow_nan=False).encode()
    signing_input = prepared.header + _b64encode(body)
    signature = prepared.algorithm.sign(signing_input.encode("ascii"), prepared.signing)
    return f"{signing_input}.{_b64encode(signature)}"


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
    header_segment = raw[: raw.index(".")]
    header = _json_object(_b64decode(header_segment, "header"), "header")
    _check_header(header)
    key = keys.select(header)
    return _json_object(_verified_payload(raw, header, key), "payload")


def unverified(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of ``raw`` WITHOUT verifying anything: for display only.

    Raises:
        TokenError: ``raw`` is not a compact JWS with JSON object segments.
    """
    if not isinstance(raw, str) or not raw.isascii() or not _COMPACT.fullmatch(raw):
        raise TokenError("Token is not a compact JWS of three base64url segments.")
    header_segment, payload_segment, _ = raw.split(".")
    header = _json_object(_b64decode(header_segment, "header"), "header")
    return header, _json_object(_b64decode(payload_segment, "payload"), "payload")


def prepare(keys: KeyRing) -> None:
    """Prepare every key of ``keys`` now (loading PyJWT and cryptography), not on first use.

    A server calls it at start-up so that its first request does not pay for the imports.
    Remote (JWKS) keys are prepared when they are fetched.
    """
    for key in keys.keys:
        _prepared(key)


def _prepared(key: Key) -> _Prepared:
    # Prepared on first use, then reused: a ring's keys live as long as its runtime.
    prepared: _Prepared | None = key.prepared.get("codec")
    if prepared is None:
        algorithm = (_ALGORITHMS or _load_pyjwt())[key.alg]
        signing = None if key.signing is None else algorithm.prepare_key(key.signing)
        # Members in sorted order, as PyJWT wrote them: tokens stay byte-for-byte the same.
        header = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
        text = json.dumps(header, separators=(",", ":")).encode()
        verifying = algorithm.prepare_key(key.verifying)
        prepared = _Prepared(algorithm, signing, verifying, _b64encode(text) + ".")
        key.prepared["codec"] = prepared
    return prepared


def _load_pyjwt() -> dict[str, Algorithm]:
    global _DECODE_ERRORS
    # Imported here, not at the top: PyJWT loads cryptography, slow to import (docs/benchmarks.md).
    from jwt.algorithms import get_default_algorithms
    from jwt.exceptions import PyJWTError

    # The errors first: a thread that sees the algorithms must also see the errors.
    _DECODE_ERRORS = (ValueError, PyJWTError)
    _ALGORITHMS.update(get_default_algorithms())
    return _ALGORITHMS


def _verified_payload(raw: str, header: dict[str, Any], key: Key) -> bytes:
    signing_input, _, signature_segment = raw.rpartition(".")
    header_segment, _, payload_segment = signing_input.partition(".")
    try:
        # An unencoded payload (RFC 7797 "b64": false) is not a JWT; PyJWT refused it too.
        if header.get("b64", True) is False or not _canonical(header_segment):
            raise ValueError("not a compact JWT")
        payload = _strict_b64decode(payload_segment)
        signature = _strict_b64decode(signature_segment)
        prepared = _prepared(key)
        valid = prepared.algorithm.verify(
            signing_input.encode("ascii"), prepared.verifying, signature
        )
    except _DECODE_ERRORS:
        raise TokenError("Token could not be decoded.") from None
    if not valid:
        # No PyJWT exception lies behind this one, and none may ever be chained to it.
        raise TokenError("Token signature is invalid.") from None
    return payload


def _canonical(segment: str) -> bool:
    remainder = len(segment) % 4
    return remainder == 0 or segment[-1] in _CANONICAL_LAST[remainder]


def _strict_b64decode(segment: str) -> bytes:
    # The alphabet was screened by _COMPACT; what is left is the length and the unused bits.
    if not _canonical(segment):
        raise ValueError("not canonical base64url")
    return _a2b(segment)


def _a2b(segment: str) -> bytes:
    # What base64.urlsafe_b64decode does, without its per-call argument coercions.
    padded = (segment + "=" * (-len(segment) % 4)).encode("ascii")
    return binascii.a2b_base64(padded.translate(_FROM_URLSAFE))


def _b64decode(segment: str, part: str) -> bytes:
    try:
        return _a2b(segment)
    except binascii.Error:
        raise TokenError(f"Token {part} is not valid base64url-encoded JSON.") from None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


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


def _json_object(data: bytes, part: str) -> dict[str, Any]:
    try:
        # RFC 7519 section 7.2: the JSON is UTF-8 (json.loads would also guess UTF-16 and -32).
        text = data.decode("utf-8")
        value = _DECODER.decode(text)
        if "\\u" in text:
            # An escape may spell a lone surrogate ("\ud800"), a str that no store, comparison
            # or encoder can take; refusing here keeps every claim and header member safe.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise TokenError(f"Token {part} is not valid base64url-encoded JSON.") from None
    if not isinstance(value, dict):
        raise TokenError(f"Token {part} is not a JSON object.")
    # Each level opens a bracket, so text with few brackets needs no walk.
    brackets = text.count("{") + text.count("[")
    if brackets > MAX_JSON_DEPTH and not _nested_within(value, MAX_JSON_DEPTH):
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


# One decoder for every segment: json.loads with hooks would build a new one per call.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members, parse_constant=_no_constant, parse_float=_finite_float
)
