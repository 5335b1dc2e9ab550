"""The request policies, written once as generators that yield effects; a driver runs them.

``authenticate``, ``obtain``, ``refresh`` and ``blacklist`` serve the authenticator and the token
endpoints. Each does the pure work (signature, claims, minting) itself and yields an effect
wherever it needs a store; the value sent back is the store's answer. The policies that act on
one token value (``verify``, blacklisting a token) live beside the tokens in :mod:`jwtflow.tokens`.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from jwtflow import claims, tokens
from jwtflow.effects import AddToBlacklist, CheckCredentials, Effect, IsBlacklisted, LoadUser
from jwtflow.errors import (
    IssuingDisabled,
    NoActiveAccount,
    PasswordChanged,
    TokenBlacklisted,
    UserInactive,
    UserNotFound,
)
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken, Token, TokenPair


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
        IssuingDisabled: the service is verify-only.
        NoActiveAccount: bad credentials, or the user is refused by the authentication rule.
    """
    _require_signing(runtime)
    user = yield CheckCredentials(request, credentials)
    if user is None or not runtime.rule(user):
        raise NoActiveAccount()
    return _pair_for(runtime, user, with_refresh=True)


def refresh(runtime: Runtime, raw: str) -> Generator[Effect, Any, TokenPair]:
    """Trade a refresh token for a new access token (and, rotating, a new refresh token).

    With rotation the old token is spent atomically: of concurrent refreshes with one token,
    exactly one succeeds and the others get ``token_blacklisted``.

    Raises:
        IssuingDisabled: the service is verify-only.
        TokenError: the token is invalid, expired, of the wrong type or blacklisted.
        UserNotFound, UserInactive, PasswordChanged, NoActiveAccount: the user is refused.
    """
    _require_signing(runtime)
    token = RefreshToken.decode(runtime, raw)
    rotate = runtime.config.rotate_refresh_tokens
    if runtime.config.blacklist_enabled:
        if rotate:
            expires_at = claims.blacklisted_until(token.exp, runtime.config.leeway)
            if not (yield AddToBlacklist(token.jti, expires_at)):
                raise TokenBlacklisted()
        elif (yield IsBlacklisted(token.jti)):
            raise TokenBlacklisted()
    user = yield from _load_user(runtime, token)
    if not runtime.rule(user):
        raise NoActiveAccount()
    return _pair_for(runtime, user, with_refresh=rotate)


def blacklist(runtime: Runtime, raw: str) -> Generator[Effect, Any, None]:
    """Blacklist the refresh token ``raw``: the blacklist (logout) endpoint's policy.

    Raises:
        TokenError: the token is invalid; ``TokenBlacklisted`` if it was already blacklisted.
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    token = RefreshToken.decode(runtime, raw)
    if not (yield from tokens.blacklist(runtime, token)):
        raise TokenBlacklisted()


def _require_signing(runtime: Runtime) -> None:
    if not runtime.keys.can_sign:
        raise IssuingDisabled()


def _load_user(runtime: Runtime, token: Token) -> Generator[Effect, Any, Any]:
    config, users = runtime.config, runtime.ports.users
    user = yield LoadUser(token.payload[config.user_id_claim])
    if user is None:
        raise UserNotFound()
    if config.check_user_is_active and not users.is_active(user):
        raise UserInactive()
    if config.check_revoke_token and not claims.revoke_claim_matches(
        token.payload, config, runtime.keys.revoke_secret, users.password_hash(user)
    ):
        raise PasswordChanged()
    return user


def _pair_for(runtime: Runtime, user: Any, *, with_refresh: bool) -> TokenPair:
    user_claims = tokens.claims_of_user(runtime, user)
    refresh_token = RefreshToken.mint(runtime, user_claims) if with_refresh else None
    return TokenPair(AccessToken.mint(runtime, user_claims), refresh_token)
