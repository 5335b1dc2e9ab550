"""Registered and jwtflow claims: what a new token carries and what an incoming one must satisfy.

Every claim an incoming token is checked for has its JSON type checked strictly, so nothing
downstream (stores, comparisons, user lookups) ever sees a list where it expects a string.
The revocation claim lives here too: it is minted and compared in this module only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtflow.config import Config
from jwtflow.errors import TokenError, TokenExpired, TokenTypeInvalid

TOKEN_TYPE_CLAIM = "token_type"
ACCESS = "access"
REFRESH = "refresh"
TOKEN_TYPES = frozenset({ACCESS, REFRESH})
#: 9999-12-31T23:59:59Z: later NumericDates cannot be represented as datetimes anywhere.
MAX_NUMERIC_DATE = 253402300799
MAX_JTI_LENGTH = 255
#: A user id claim must fit a database column: a string of at most this many characters...
MAX_USER_ID_LENGTH = 255
#: ...or an integer that fits a signed 64-bit column.
MAX_USER_ID_INT = 2**63 - 1
#: Registered claims that must be strings when present (RFC 7519 section 4.1).
STRING_CLAIMS = ("iss", "sub")
#: The session claims: its id, the login time, and (refresh tokens) the refresh generation.
SID_CLAIM = "sid"
AUTH_TIME_CLAIM = "auth_time"
GENERATION_CLAIM = "gen"
#: 18 random bytes: 144 bits (at least 128 are needed), 24 URL-safe characters.
SID_BYTES = 18
SID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
#: The largest integer every JSON parser reads exactly.
MAX_GENERATION = 2**53 - 1


def mint(
    token_type: str,
    lifetime: timedelta,
    now: float,
    config: Config,
    claims: Mapping[str, Any],
) -> dict[str, Any]:
    """Return a new payload: ``claims`` plus type, times, a fresh ``jti`` and iss/aud if set."""
    issued_at = int(now)
    payload: dict[str, Any] = dict(claims)
    expires = issued_at + int(lifetime.total_seconds())
    if AUTH_TIME_CLAIM in claims:
        expires = min(expires, session_end(config, claims[AUTH_TIME_CLAIM], expires))
    payload.update(token_type=token_type, exp=expires, iat=issued_at, jti=new_jti())
    if config.issuer is not None:
        payload["iss"] = config.issuer
    if config.audience is not None:
        audience = config.audience
        payload["aud"] = audience[0] if len(audience) == 1 else list(audience)
    return payload


def check(payload: Mapping[str, Any], token_type: str | None, now: float, config: Config) -> None:
    """Check a verified payload; ``token_type=None`` accepts any jwtflow token type.

    Raises:
        TokenExpired: ``exp`` is past (after leeway).
        TokenTypeInvalid: the token is of another type than ``token_type``.
        TokenError: any other claim is missing, of the wrong JSON type, malformed or does not
            match.
    """
    _check_times(payload, now, config.leeway)
    _check_identity(payload, token_type, config)
    _check_session(payload)
    _check_issuer_and_audience(payload, config)


def _numeric_date(payload: Mapping[str, Any], name: str) -> float:
    value = payload[name]
    # The range check refuses NaN and the infinities as well (every comparison with NaN is
    # false), and integers too large for a float, on which math.isfinite() raised
    # OverflowError. A tuple, not int | float: isinstance with a union is ~4x slower.
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not 0 <= value <= MAX_NUMERIC_DATE
    ):
        raise TokenError(f"Token claim {name!r} is not a valid NumericDate.")
    return float(value)


def _check_times(payload: Mapping[str, Any], now: float, leeway: float) -> None:
    for name in ("exp", "iat"):
        if name not in payload:
            raise TokenError(f"Token has no {name!r} claim.")
    expires, issued = _numeric_date(payload, "exp"), _numeric_date(payload, "iat")
    if issued > now + leeway:
        raise TokenError("Token was issued in the future.")
    if "nbf" in payload and _numeric_date(payload, "nbf") > now + leeway:
        raise TokenError("Token is not valid yet.")
    if now >= expires + leeway:
        raise TokenExpired()


def _check_identity(payload: Mapping[str, Any], token_type: str | None, config: Config) -> None:
    jti = payload.get("jti")
    if not _is_column_text(jti, MAX_JTI_LENGTH):
        raise TokenError("Token has no valid 'jti' claim.")
    actual = payload.get(TOKEN_TYPE_CLAIM)
    if not isinstance(actual, str) or actual not in TOKEN_TYPES:
        raise TokenError("Token has no valid 'token_type' claim.")
    if token_type is not None and actual != token_type:
        raise TokenTypeInvalid()
    if not is_user_id(payload.get(config.user_id_claim)):
        raise TokenError("Token has no valid user claim.")


def is_user_id(value: object) -> bool:
    """Whether ``value`` can be a user id claim: a short string or a 64-bit integer."""
    if isinstance(value, str):
        return _is_column_text(value, MAX_USER_ID_LENGTH)
    return type(value) is int and abs(value) <= MAX_USER_ID_INT


def _is_column_text(value: object, max_length: int) -> bool:
    # Both claims are looked up in database columns; PostgreSQL text cannot hold NUL, and a
    # lookup with one fails as a database error (a 503 for what is a bad token).
    return isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value


def _check_session(payload: Mapping[str, Any]) -> None:
    # auth_time is carried into the tokens minted from this one, with a session or without:
    # checked wherever it appears (null there made RefreshToken.access_token a TypeError).
    if AUTH_TIME_CLAIM in payload and (
        _numeric_date(payload, AUTH_TIME_CLAIM) > _numeric_date(payload, "iat")
    ):
        raise TokenError("Token claim 'auth_time' is later than 'iat'.")
    if SID_CLAIM not in payload:
        return  # a sessionless token: AccessToken.for_user, or one issued by jwtflow 0.1
    sid = payload[SID_CLAIM]
    if not isinstance(sid, str) or not SID_PATTERN.fullmatch(sid):
        raise TokenError("Token has no valid 'sid' claim.")
    if AUTH_TIME_CLAIM not in payload:
        raise TokenError("Token has no 'auth_time' claim.")
    if payload[TOKEN_TYPE_CLAIM] == REFRESH:
        generation = payload.get(GENERATION_CLAIM)
        if type(generation) is not int or not 0 <= generation <= MAX_GENERATION:
            raise TokenError("Token has no valid 'gen' claim.")


def new_jti() -> str:
    """A fresh token id: a random version-4 UUID as 32 hex digits, as ``uuid.uuid4().hex``."""
    # The same bits as uuid.uuid4(), without building a UUID object (a quarter of minting).
    octets = bytearray(os.urandom(16))
    octets[6] = octets[6] & 0x0F | 0x40  # version 4
    octets[8] = octets[8] & 0x3F | 0x80  # the RFC 4122 variant
    return octets.hex()


def new_sid() -> str:
    """A fresh session id: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(SID_BYTES)


def session_end(config: Config, auth_time: float, default: int) -> int:
    """When a session that began at ``auth_time`` must end: ``default`` without a max lifetime."""
    if config.session_max_lifetime is None:
        return default
    return int(auth_time) + int(config.session_max_lifetime.total_seconds())


def session_expiry(config: Config, auth_time: float, now: float) -> int:
    """The expiry of a session (and its refresh token) refreshed at ``now``.

    ``REFRESH_TOKEN_LIFETIME`` from now, never past ``auth_time + SESSION_MAX_LIFETIME``.
    """
    sliding = int(now) + int(config.refresh_token_lifetime.total_seconds())
    return min(sliding, session_end(config, auth_time, sliding))


def _check_issuer_and_audience(payload: Mapping[str, Any], config: Config) -> None:
    for name in STRING_CLAIMS:
        if name in payload and not isinstance(payload[name], str):
            raise TokenError(f"Token claim {name!r} must be a string.")
    if config.issuer is not None and payload.get("iss") != config.issuer:
        raise TokenError("Token issuer is not accepted.")
    if "aud" not in payload:
        if config.audience is not None:
            raise TokenError("Token audience is not accepted.")
        return
    audience = payload["aud"]
    presented = [audience] if isinstance(audience, str) else audience
    if not isinstance(presented, list) or not all(isinstance(item, str) for item in presented):
        # RFC 7519 section 4.1.3: a string or an array of strings, nothing else.
        raise TokenError("Token claim 'aud' must be a string or an array of strings.")
    if config.audience is None or not set(config.audience).intersection(presented):
        # A token addressed to someone must be refused by everyone else.
        raise TokenError("Token audience is not accepted.")


def user_claims(
    config: Config, revoke_secret: bytes, user_id: str | int, password_hash: str
) -> dict[str, Any]:
    """The claims that tie a token to a user: its id and, if enabled, the revocation claim."""
    result: dict[str, Any] = {config.user_id_claim: user_id}
    if config.check_revoke_token:
        result[config.revoke_token_claim] = revoke_claim(revoke_secret, password_hash)
    return result


def carried_claims(config: Config, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The user claims of ``payload``, for tokens derived from it without loading the user."""
    names = (config.user_id_claim, config.revoke_token_claim, SID_CLAIM, AUTH_TIME_CLAIM)
    return {name: payload[name] for name in names if name in payload}


def revoke_claim(revoke_secret: bytes, password_hash: str) -> str:
    """HMAC of the password hash, keyed by the runtime's revoke secret (never the hash itself)."""
    digest = hmac.new(revoke_secret, password_hash.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def revoke_claim_matches(
    payload: Mapping[str, Any], config: Config, revoke_secret: bytes, password_hash: str
) -> bool:
    """Whether ``payload``'s revocation claim was minted for ``password_hash`` (constant time)."""
    presented = payload.get(config.revoke_token_claim)
    if not isinstance(presented, str) or not presented.isascii():
        return False
    expected = revoke_claim(revoke_secret, password_hash)
    return hmac.compare_digest(presented, expected)


def blacklisted_until(exp: int, leeway: float) -> datetime:
    """When a blacklist entry for a token may go: ``exp + LEEWAY``, so leeway never revives it."""
    until = min(exp + leeway, MAX_NUMERIC_DATE)
    return datetime.fromtimestamp(until, tz=UTC)
