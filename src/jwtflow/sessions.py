"""Session policies: start a session, spend a refresh generation, check a token, end sessions.

Generators of effects like the flows in :mod:`jwtflow.flows`, which compose them; they work on
verified payloads and claims, never on token classes, so :mod:`jwtflow.tokens` can use them too.
The storage contract behind the effects is described in ``docs/sessions.md``.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtflow import claims
from jwtflow.claims import AUTH_TIME_CLAIM, GENERATION_CLAIM, SID_CLAIM
from jwtflow.config import Config
from jwtflow.effects import (
    AddToBlacklist,
    CheckToken,
    Effect,
    EndAllSessions,
    EndSession,
    IsBlacklisted,
    ListSessions,
    RotateSession,
    StartSession,
)
from jwtflow.errors import BlacklistDisabled, TokenBlacklisted, TokenReused
from jwtflow.records import MAX_USER_AGENT_LENGTH, RotationOutcome, Session, TokenCheck, user_key
from jwtflow.runtime import Runtime

Payload = Mapping[str, Any]


def utc(seconds: float) -> datetime:
    """The aware UTC datetime of a clock reading or NumericDate."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def revocation_applies(config: Config) -> bool:
    """Whether access tokens are checked against the store on every request."""
    return config.blacklist_enabled and config.access_token_revocation


def require_store(config: Config) -> None:
    """Refuse a session operation when there is no store.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    if not config.blacklist_enabled:
        raise BlacklistDisabled()


def start(
    runtime: Runtime, user_id: str | int, *, auth_time: int, user_agent: str = ""
) -> Generator[Effect, Any, dict[str, Any]]:
    """Store a new session of ``user_id``; return the claims its refresh token carries."""
    now = runtime.clock.now()
    sid = claims.new_sid()
    expires = claims.session_expiry(runtime.config, auth_time, now)
    yield StartSession(
        Session(
            sid=sid,
            user_key=user_key(user_id),
            created=utc(now),
            last_refreshed=utc(now),
            expires=utc(expires),
            user_agent=shown_user_agent(user_agent),
        )
    )
    return {SID_CLAIM: sid, AUTH_TIME_CLAIM: auth_time, GENERATION_CLAIM: 0}


def shown_user_agent(user_agent: str) -> str:
    """The User-Agent as a session keeps it: printable characters only, cut to 256."""
    # Control characters (NUL above all, which PostgreSQL text refuses) have no place in a
    # value that is only ever shown.
    return "".join(char for char in user_agent if char.isprintable())[:MAX_USER_AGENT_LENGTH]


def consume(runtime: Runtime, payload: Payload) -> Generator[Effect, Any, dict[str, Any]]:
    """Spend a session refresh token; return the session claims its successor carries.

    Raises:
        TokenReused: an older generation came back; the session has been ended.
        TokenBlacklisted: the session is over (logged out, expired, logout-all).
    """
    config, now = runtime.config, runtime.clock.now()
    auth_time = payload[AUTH_TIME_CLAIM]
    rotation = yield RotateSession(
        payload[SID_CLAIM],
        _user_key(config, payload),
        payload[GENERATION_CLAIM],
        utc(now),
        config.reuse_grace_period,
        utc(claims.session_expiry(config, auth_time, now)),
    )
    if rotation.outcome is RotationOutcome.REUSED:
        raise TokenReused()
    if rotation.outcome is RotationOutcome.ENDED:
        raise TokenBlacklisted()
    return {
        SID_CLAIM: payload[SID_CLAIM],
        AUTH_TIME_CLAIM: auth_time,
        GENERATION_CLAIM: rotation.generation,
    }


def spend_sessionless(runtime: Runtime, payload: Payload) -> Generator[Effect, Any, None]:
    """Spend a refresh token without a session (jwtflow 0.1) through the ``jti`` blacklist.

    Raises:
        TokenBlacklisted: it was spent or logged out already, or a logout-all refuses it.
    """
    expires_at = claims.blacklisted_until(int(payload["exp"]), runtime.config.leeway)
    if not (yield AddToBlacklist(payload["jti"], expires_at)):
        raise TokenBlacklisted()
    if not (yield CheckToken(token_check(runtime, payload))):
        raise TokenBlacklisted()


def token_check(runtime: Runtime, payload: Payload) -> TokenCheck:
    """The revocation question for a token: its session (refresh: at its generation) or iat."""
    sid = payload.get(SID_CLAIM)
    refresh = payload[claims.TOKEN_TYPE_CLAIM] == claims.REFRESH
    return TokenCheck(
        user_key=_user_key(runtime.config, payload),
        sid=sid,
        issued_at=float(payload["iat"]),
        now=utc(runtime.clock.now()),
        generation=payload[GENERATION_CLAIM] if refresh and sid is not None else None,
    )


def is_alive(runtime: Runtime, payload: Payload) -> Generator[Effect, Any, bool]:
    """Whether the store still lets this token live (True when the store is not consulted).

    Refresh tokens are always checked when there is a store; access tokens only with
    ``ACCESS_TOKEN_REVOCATION``.
    """
    config = runtime.config
    refresh = payload[claims.TOKEN_TYPE_CLAIM] == claims.REFRESH
    if not config.blacklist_enabled or not (refresh or config.access_token_revocation):
        return True
    if refresh and SID_CLAIM not in payload and (yield IsBlacklisted(payload["jti"])):
        return False
    alive: bool = yield CheckToken(token_check(runtime, payload))
    return alive


def end(runtime: Runtime, payload: Payload) -> Generator[Effect, Any, bool]:
    """End the session of a token; True if this call ended it."""
    ended: bool = yield EndSession(
        payload[SID_CLAIM], _user_key(runtime.config, payload), utc(runtime.clock.now())
    )
    return ended


def end_all(runtime: Runtime, user_id: str | int) -> Generator[Effect, Any, None]:
    """Log ``user_id`` out everywhere: every session and token issued until now is refused.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    config = runtime.config
    require_store(config)
    now = runtime.clock.now()
    longest = max(config.access_token_lifetime, config.refresh_token_lifetime)
    keep_until = utc(now) + longest + timedelta(seconds=config.leeway)
    yield EndAllSessions(user_key(user_id), utc(now), keep_until)


def live_sessions(runtime: Runtime, user_id: str | int) -> Generator[Effect, Any, list[Session]]:
    """The live sessions of ``user_id``, newest first.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    require_store(runtime.config)
    found: list[Session] = yield ListSessions(user_key(user_id), utc(runtime.clock.now()))
    return found


def end_one(runtime: Runtime, user_id: str | int, sid: str) -> Generator[Effect, Any, bool]:
    """End session ``sid`` if it is a live session of ``user_id``; True if this call did.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    require_store(runtime.config)
    ended: bool = yield EndSession(sid, user_key(user_id), utc(runtime.clock.now()))
    return ended


def _user_key(config: Config, payload: Payload) -> str:
    return user_key(payload[config.user_id_claim])
