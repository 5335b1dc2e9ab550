"""The policies, written once as generators that yield effects; a driver runs them sync or async.

Each flow does the pure work (signature, claims, minting) itself and yields an effect wherever it
needs a store; the value sent back is the store's answer.
"""

from __future__ import annotations

import hmac
from collections.abc import Generator, Mapping
from typing import Any

from jwtflow.effects import Blacklist, CheckCredentials, Effect, IsBlacklisted, LoadUser
from jwtflow.errors import (
    BlacklistDisabled,
    NoActiveAccount,
    PasswordChanged,
    TokenBlacklisted,
    UserInactive,
    UserNotFound,
)
from jwtflow.runtime import Runtime
from jwtflow.tokens import (
    AccessToken,
    RefreshToken,
    TokenPair,
    _Token,
    blacklisted_until,
    decode_any,
    revoke_claim,
    user_claims,
)


def authenticate(runtime: Runtime, raw: str) -> Generator[Effect, Any, tuple[Any, AccessToken]]:
    """Verify an access token and load its user: the request authentication policy.

    Raises:
        TokenError, UserNotFound, UserInactive, PasswordChanged: the token or its user is refused.
    """
    token = AccessToken.decode(runtime, raw)
    user = yield from _load_user(runtime, token)
    return user, token


def obtain(
    runtime: Runtime, request: object, credentials: Mapping[str, Any]
) -> Generator[Effect, Any, TokenPair]:
    """Check credentials and mint a token pair.

    Raises:
        NoActiveAccount: bad credentials, or the user is refused by the authentication rule.
    """
    user = yield CheckCredentials(request, credentials)
    if user is None or not runtime.rule(user):
        raise NoActiveAccount()
    return _pair_for(runtime, user, with_refresh=True)


def refresh(runtime: Runtime, raw: str) -> Generator[Effect, Any, TokenPair]:
    """Trade a refresh token for a new access token (and, rotating, a new refresh token).

    With rotation the old token is spent atomically: of concurrent refreshes with one token,
    exactly one succeeds and the others get ``token_blacklisted``.

    Raises:
        TokenError: the token is invalid, expired, of the wrong type or blacklisted.
        UserNotFound, UserInactive, PasswordChanged, NoActiveAccount: the user is refused.
    """
    token = RefreshToken.decode(runtime, raw)
    rotate = runtime.config.rotate_refresh_tokens
    if runtime.config.blacklist_enabled:
        if rotate:
            spent = yield Blacklist(token.jti, blacklisted_until(runtime, token))
            if not spent:
                raise TokenBlacklisted()
        elif (yield IsBlacklisted(token.jti)):
            raise TokenBlacklisted()
    user = yield from _load_user(runtime, token)
    if not runtime.rule(user):
        raise NoActiveAccount()
    return _pair_for(runtime, user, with_refresh=rotate)


def verify(
    runtime: Runtime, raw: str, token_class: type[_Token] | None = None
) -> Generator[Effect, Any, Any]:
    """Verify a token of ``token_class`` (either type if None); a refresh must not be blacklisted.

    Raises:
        TokenError: on any failure; ``TokenBlacklisted`` for a revoked refresh token.
    """
    token: _Token = (
        decode_any(runtime, raw) if token_class is None else token_class.decode(runtime, raw)
    )
    checked = isinstance(token, RefreshToken) and runtime.config.blacklist_enabled
    if checked and (yield IsBlacklisted(token.jti)):
        raise TokenBlacklisted()
    return token


def blacklist(runtime: Runtime, token: RefreshToken) -> Generator[Effect, Any, bool]:
    """Blacklist ``token`` until it expires; return whether this call added it.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    if not runtime.config.blacklist_enabled:
        raise BlacklistDisabled()
    added: bool = yield Blacklist(token.jti, blacklisted_until(runtime, token))
    return added


def logout(runtime: Runtime, raw: str) -> Generator[Effect, Any, None]:
    """Blacklist the refresh token ``raw``: the blacklist endpoint's policy.

    Raises:
        TokenError: the token is invalid; ``TokenBlacklisted`` if it was already blacklisted.
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    token = RefreshToken.decode(runtime, raw)
    if not (yield from blacklist(runtime, token)):
        raise TokenBlacklisted()


def _load_user(runtime: Runtime, token: _Token) -> Generator[Effect, Any, Any]:
    config, users = runtime.config, runtime.ports.users
    user = yield LoadUser(token.payload[config.user_id_claim])
    if user is None:
        raise UserNotFound()
    if config.check_user_is_active and not users.is_active(user):
        raise UserInactive()
    if config.check_revoke_token:
        presented = token.payload.get(config.revoke_token_claim)
        expected = revoke_claim(runtime, users.password_hash(user))
        if not isinstance(presented, str) or not _same(presented, expected):
            raise PasswordChanged()
    return user


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def _pair_for(runtime: Runtime, user: Any, *, with_refresh: bool) -> TokenPair:
    claims = user_claims(runtime, user)
    refresh_token = RefreshToken.mint(runtime, claims) if with_refresh else None
    return TokenPair(AccessToken.mint(runtime, claims), refresh_token)
