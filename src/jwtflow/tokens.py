"""Token values and the policies that act on one token: mint, verify, rotate, blacklist.

A token is an immutable value; constructing one or calling ``str()`` never signs, verifies or
does I/O. The classmethods take the runtime the framework adapter installed (``jwtflow.runtime``).
``verify`` and ``blacklist`` are written once, as generators of effects; the methods run them
with the sync or the async driver.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Self

from jwtflow import claims, codec
from jwtflow.drivers import run_async, run_sync
from jwtflow.effects import AddToBlacklist, Effect, IsBlacklisted
from jwtflow.errors import BlacklistDisabled, TokenBlacklisted
from jwtflow.runtime import Runtime, current


@dataclass(frozen=True)
class Token:
    """A signed JWT: its verified ``payload``, the ``raw`` compact string and its ``token_type``.

    The base of :class:`AccessToken` and :class:`RefreshToken`; use those.
    """

    payload: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    token_type: str = ""

    TYPE: ClassVar[str]
    #: The Config field that holds this type's lifetime.
    LIFETIME: ClassVar[str]

    def __str__(self) -> str:
        """Return the compact JWS, ready for an Authorization header."""
        return self.raw

    def __hash__(self) -> int:
        """Hash by the compact JWS, which determines the payload."""
        return hash(self.raw)

    @property
    def jti(self) -> str:
        """The token's unique id."""
        return str(self.payload["jti"])

    @property
    def exp(self) -> int:
        """The expiry time, seconds since the epoch."""
        return int(self.payload["exp"])

    @classmethod
    def for_user(cls, user: Any) -> Self:
        """Return a freshly signed token for ``user``.

        Raises:
            ConfigurationError: the service is verify-only (no signing key).
        """
        runtime = current()
        return cls.mint(runtime, claims_of_user(runtime, user))

    @classmethod
    def verify(cls, raw: str) -> Self:
        """Decode and validate ``raw``, refresh tokens against the blacklist too.

        Raises:
            TokenError: on any failure; ``code`` says which.
            StoreUnavailable: the blacklist could not be consulted.
        """
        runtime = current()
        token: Self = run_sync(verify(runtime, raw, cls), runtime.ports)
        return token

    @classmethod
    async def averify(cls, raw: str) -> Self:
        """Async twin of :meth:`verify`: the same policy, the store awaited."""
        runtime = current()
        token: Self = await run_async(verify(runtime, raw, cls), runtime.ports)
        return token

    @classmethod
    def mint(cls, runtime: Runtime, user_claims: dict[str, Any]) -> Self:
        """Sign a new token of this class carrying ``user_claims`` (not mutated).

        Raises:
            ConfigurationError: the service is verify-only (no signing key).
        """
        lifetime: timedelta = getattr(runtime.config, cls.LIFETIME)
        payload = claims.mint(cls.TYPE, lifetime, runtime.clock.now(), runtime.config, user_claims)
        return cls(payload, codec.encode(payload, runtime.keys), cls.TYPE)

    @classmethod
    def decode(cls, runtime: Runtime, raw: str) -> Self:
        """Verify signature and claims of ``raw`` (no store is consulted).

        Raises:
            TokenError: on any failure; ``code`` says which.
        """
        payload = _verified_payload(runtime, raw, cls.TYPE)
        return cls(payload, raw, cls.TYPE)


class AccessToken(Token):
    """Short-lived bearer token sent on every authenticated request."""

    TYPE = claims.ACCESS
    LIFETIME = "access_token_lifetime"


class RefreshToken(Token):
    """Long-lived token that mints new access tokens without a new sign-in."""

    TYPE = claims.REFRESH
    LIFETIME = "refresh_token_lifetime"

    @property
    def access_token(self) -> AccessToken:
        """A fresh access token for this token's user (same user and revocation claims)."""
        runtime = current()
        return AccessToken.mint(runtime, claims.carried_claims(runtime.config, self.payload))

    def rotate(self) -> RefreshToken:
        """Return a fresh refresh token for this token's user; this one is not blacklisted."""
        runtime = current()
        return RefreshToken.mint(runtime, claims.carried_claims(runtime.config, self.payload))

    def blacklist(self) -> None:
        """Add this token's ``jti`` to the blacklist (idempotent).

        Raises:
            BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
            StoreUnavailable: the blacklist could not be reached.
        """
        runtime = current()
        run_sync(blacklist(runtime, self), runtime.ports)

    async def ablacklist(self) -> None:
        """Async twin of :meth:`blacklist`."""
        runtime = current()
        await run_async(blacklist(runtime, self), runtime.ports)


_CLASSES: dict[str, type[Token]] = {claims.ACCESS: AccessToken, claims.REFRESH: RefreshToken}


def decode_any(runtime: Runtime, raw: str) -> Token:
    """Verify ``raw`` as a token of either type and return it as its own class.

    Raises:
        TokenError: on any failure; ``code`` says which.
    """
    payload = _verified_payload(runtime, raw, None)
    token_type = payload[claims.TOKEN_TYPE_CLAIM]
    return _CLASSES[token_type](payload, raw, token_type)


def _verified_payload(runtime: Runtime, raw: str, token_type: str | None) -> dict[str, Any]:
    payload = codec.decode(raw, runtime.keys)
    claims.check(payload, token_type, runtime.clock.now(), runtime.config)
    return payload


def claims_of_user(runtime: Runtime, user: Any) -> dict[str, Any]:
    """The user claims (id, revocation claim) a new token for ``user`` carries."""
    users = runtime.ports.users
    return claims.user_claims(
        runtime.config, runtime.keys.revoke_secret, users.user_id(user), users.password_hash(user)
    )


def verify(
    runtime: Runtime, raw: str, token_class: type[Token] | None = None
) -> Generator[Effect, Any, Any]:
    """Verify a token of ``token_class`` (either type if None); a refresh must not be blacklisted.

    Raises:
        TokenError: on any failure; ``TokenBlacklisted`` for a revoked refresh token.
    """
    token = decode_any(runtime, raw) if token_class is None else token_class.decode(runtime, raw)
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
    expires_at = claims.blacklisted_until(token.exp, runtime.config.leeway)
    added: bool = yield AddToBlacklist(token.jti, expires_at)
    return added


@dataclass(frozen=True)
class TokenPair:
    """What the obtain and refresh endpoints hand out; ``refresh`` is None without rotation."""

    access: AccessToken
    refresh: RefreshToken | None

    def as_dict(self) -> dict[str, str]:
        """Return ``{"access": ..., "refresh": ...}``, leaving out a missing refresh token."""
        pair = {"access": str(self.access)}
        if self.refresh is not None:
            pair["refresh"] = str(self.refresh)
        return pair
