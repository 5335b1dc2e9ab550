"""Registered and jwtflow claims: what a new token carries and what an incoming one must satisfy."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import timedelta
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
    payload.update(
        token_type=token_type,
        exp=issued_at + int(lifetime.total_seconds()),
        iat=issued_at,
        jti=uuid.uuid4().hex,
    )
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
        TokenError: any other claim is missing, malformed or does not match.
    """
    _check_times(payload, now, config.leeway)
    _check_identity(payload, token_type, config)
    _check_issuer_and_audience(payload, config)


def _numeric_date(payload: Mapping[str, Any], name: str) -> float:
    value = payload[name]
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
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
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise TokenError("Token has no valid 'jti' claim.")
    actual = payload.get(TOKEN_TYPE_CLAIM)
    if actual not in TOKEN_TYPES:
        raise TokenError("Token has no valid 'token_type' claim.")
    if token_type is not None and actual != token_type:
        raise TokenTypeInvalid()
    user_id = payload.get(config.user_id_claim)
    if not isinstance(user_id, str | int) or isinstance(user_id, bool):
        raise TokenError("Token has no valid user claim.")


def _check_issuer_and_audience(payload: Mapping[str, Any], config: Config) -> None:
    if config.issuer is not None and payload.get("iss") != config.issuer:
        raise TokenError("Token issuer is not accepted.")
    if "aud" not in payload and config.audience is None:
        return
    audience = payload.get("aud")
    presented = [audience] if isinstance(audience, str) else audience
    if not isinstance(presented, list) or config.audience is None:
        # RFC 7519 section 4.1.3: a token addressed to someone must be refused by everyone else.
        raise TokenError("Token audience is not accepted.")
    if not set(config.audience).intersection(item for item in presented if isinstance(item, str)):
        raise TokenError("Token audience is not accepted.")
