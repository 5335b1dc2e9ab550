"""The request policies, written once as generators that yield effects; a driver runs them.

``authenticate``, ``obtain``, ``refresh``, ``blacklist``, ``logout_all``, ``list_sessions`` and
``end_session`` serve the authenticator and the endpoints. Each does the pure work (signature,
claims, minting) itself and yields an effect wherever it needs a store; the value sent back is
the store's answer. The session steps they share live in :mod:`jwtflow.sessions`; the policies
that act on one token value (``verify``, blacklisting a token) beside the tokens in
:mod:`jwtflow.tokens`.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from jwtflow import claims, sessions, tokens
from jwtflow.claims import GENERATION_CLAIM, SID_CLAIM
from jwtflow.effects import CheckCredentials, Effect, LoadCheckedUser, LoadUser
from jwtflow.errors import (
    IssuingDisabled,
    NoActiveAccount,
    PasswordChanged,
    TokenBlacklisted,
    UserInactive,
    UserNotFound,
)
from jwtflow.records import Session
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken, Token, TokenPair


def authenticate(runtime: Runtime, raw: str) -> Generator[Effect, Any, tuple[Any, AccessToken]]:
    """Verify an access token and load its user: the request authentication policy.

    With ``ACCESS_TOKEN_REVOCATION`` the user and the token's session are checked in one store
    call (:class:`~jwtflow.effects.LoadCheckedUser`).

    Raises:
        TokenError, UserNotFound, UserInactive, PasswordChanged: the token or its user is refused.
    """
    token = AccessToken.decode(runtime, raw)
    user_id = token.payload[runtime.config.user_id_claim]
    if sessions.revocation_applies(runtime.config):
        check = sessions.token_check(runtime, token.payload)
        user, alive = yield LoadCheckedUser(user_id, check)
        if user is not None and not alive:
            raise TokenBlacklisted()
    else:
        user = yield LoadUser(user_id)
    _check_user(runtime, token, user)
    return user, token


def obtain(
    runtime: Runtime, request: object, credentials: Mapping[str, Any], user_agent: str = ""
) -> Generator[Effect, Any, TokenPair]:
    """Check credentials, start a session and mint its first token pair.

    Raises:
        IssuingDisabled: the service is verify-only.
        NoActiveAccount: bad credentials, or the user is refused by the authentication rule.
    """
    _require_signing(runtime)
    user = yield CheckCredentials(request, credentials)
    if user is None or not runtime.rule(user):
        raise NoActiveAccount()
    refresh_token = yield from tokens.new_session(runtime, user, RefreshToken, user_agent)
    return TokenPair(tokens.access_for(runtime, refresh_token.payload), refresh_token)


def refresh(runtime: Runtime, raw: str) -> Generator[Effect, Any, TokenPair]:
    """Trade a refresh token for a new access token (and, rotating, a new refresh token).

    With rotation the token's session generation is spent atomically: of concurrent refreshes
    with one token exactly one succeeds; a rotated token that comes back ends its session.

    Raises:
        IssuingDisabled: the service is verify-only.
        TokenError: the token is invalid, expired or of the wrong type; ``TokenBlacklisted``
            when its session is over, ``TokenReused`` when it was rotated before.
        UserNotFound, UserInactive, PasswordChanged, NoActiveAccount: the user is refused.
    """
    _require_signing(runtime)
    token = RefreshToken.decode(runtime, raw)
    rotate = runtime.config.rotate_refresh_tokens
    session = yield from _spend(runtime, token, rotate=rotate)
    user = yield LoadUser(token.payload[runtime.config.user_id_claim])
    _check_user(runtime, token, user)
    if not runtime.rule(user):
        raise NoActiveAccount()
    successor_claims = tokens.claims_of_user(runtime, user)
    if session is None:
        # A sessionless token of jwtflow 0.1: its successor starts a session.
        user_id = successor_claims[runtime.config.user_id_claim]
        iat = int(token.payload["iat"])
        session = yield from sessions.start(runtime, user_id, auth_time=iat)
    successor_claims |= session
    successor = RefreshToken.mint(runtime, successor_claims) if rotate else None
    successor_claims.pop(GENERATION_CLAIM, None)
    return TokenPair(AccessToken.mint(runtime, successor_claims), successor)


def blacklist(runtime: Runtime, raw: str) -> Generator[Effect, Any, None]:
    """End the session of the refresh token ``raw``: the blacklist (logout) endpoint's policy.

    Raises:
        TokenError: the token is invalid; ``TokenBlacklisted`` if its session was already over.
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    token = RefreshToken.decode(runtime, raw)
    if not (yield from tokens.blacklist(runtime, token)):
        raise TokenBlacklisted()


def logout_all(runtime: Runtime, user: Any) -> Generator[Effect, Any, None]:
    """End every session of ``user`` and refuse every token issued to them until now.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    yield from sessions.end_all(runtime, runtime.ports.users.user_id(user))


def list_sessions(runtime: Runtime, user: Any) -> Generator[Effect, Any, list[Session]]:
    """The live sessions of ``user``, newest first.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    found: list[Session] = yield from sessions.live_sessions(
        runtime, runtime.ports.users.user_id(user)
    )
    return found


def end_session(runtime: Runtime, user: Any, sid: str) -> Generator[Effect, Any, bool]:
    """End session ``sid`` of ``user``; False when it is not a live session of theirs.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    ended: bool = yield from sessions.end_one(runtime, runtime.ports.users.user_id(user), sid)
    return ended


def _require_signing(runtime: Runtime) -> None:
    if not runtime.keys.can_sign:
        raise IssuingDisabled()


def _spend(
    runtime: Runtime, token: RefreshToken, *, rotate: bool
) -> Generator[Effect, Any, dict[str, Any] | None]:
    """Spend or check ``token`` in the store; the session claims of what is minted from it.

    None asks the caller to start a session: a sessionless token is being rotated.
    """
    payload = token.payload
    if not runtime.config.blacklist_enabled:
        return {}
    if SID_CLAIM in payload and rotate:
        return (yield from sessions.consume(runtime, payload))
    if rotate:
        yield from sessions.spend_sessionless(runtime, payload)
        return None
    if not (yield from sessions.is_alive(runtime, payload)):
        raise TokenBlacklisted()
    names = (SID_CLAIM, claims.AUTH_TIME_CLAIM, GENERATION_CLAIM)
    return {name: payload[name] for name in names if name in payload}


def _check_user(runtime: Runtime, token: Token, user: Any) -> None:
    config, users = runtime.config, runtime.ports.users
    if user is None:
        raise UserNotFound()
    if config.check_user_is_active and not users.is_active(user):
        raise UserInactive()
    if config.check_revoke_token and not claims.revoke_claim_matches(
        token.payload, config, runtime.keys.revoke_secret, users.password_hash(user)
    ):
        raise PasswordChanged()
