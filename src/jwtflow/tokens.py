"""Token values and their public API: mint, verify, rotate, blacklist.

A token is an immutable value; constructing one or calling ``str()`` never signs, verifies or
does I/O. The classmethods take the runtime the framework adapter installed (``jwtflow.runtime``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

from jwtflow import claims, codec
from jwtflow.runtime import Runtime, current


@dataclass(frozen=True)
class _Token:
    """A signed JWT: its verified ``payload``, the ``raw`` compact string and its ``token_type``."""

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
        """Return a freshly signed token for ``user``."""
        runtime = current()
        return cls.mint(runtime, user_claims(runtime, user))

    @classmethod
    def verify(cls, raw: str) -> Self:
        """Decode and validate ``raw``, refresh tokens against the blacklist too.

        Raises:
            TokenError: on any failure; ``code`` says which.
            StoreUnavailable: the blacklist could not be consulted.
        """
        from jwtflow import flows  # flows import this module
        from jwtflow.drivers import run_sync

        runtime = current()
        token: Self = run_sync(flows.verify(runtime, raw, cls), runtime.ports)
        return token

    @classmethod
    def mint(cls, runtime: Runtime, user_claims: dict[str, Any]) -> Self:
        """Sign a new token of this class carrying ``user_claims`` (not mutated)."""
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


class AccessToken(_Token):
    """Short-lived bearer token sent on every authenticated request."""

    TYPE = claims.ACCESS
    LIFETIME = "access_token_lifetime"


class RefreshToken(_Token):
    """Long-lived token that mints new access tokens without a new sign-in."""

    TYPE = claims.REFRESH
    LIFETIME = "refresh_token_lifetime"

    @property
    def access_token(self) -> AccessToken:
        """A fresh access token for this token's user (same user and revocation claims)."""
        runtime = current()
        return AccessToken.mint(runtime, carried_claims(runtime, self.payload))

    def rotate(self) -> RefreshToken:
        """Return a fresh refresh token for this token's user; this one is not blacklisted."""
        runtime = current()
        return RefreshToken.mint(runtime, carried_claims(runtime, self.payload))

    def blacklist(self) -> None:
        """Add this token's ``jti`` to the blacklist (idempotent).

        Raises:
            BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
            StoreUnavailable: the blacklist could not be reached.
        """
        from jwtflow import flows
        from jwtflow.drivers import run_sync

        runtime = current()
        run_sync(flows.blacklist(runtime, self), runtime.ports)

    async def ablacklist(self) -> None:
        """Async twin of :meth:`blacklist`."""
        from jwtflow import flows
        from jwtflow.drivers import run_async

        runtime = current()
        await run_async(flows.blacklist(runtime, self), runtime.ports)


Token = AccessToken | RefreshToken
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


def user_claims(runtime: Runtime, user: Any) -> dict[str, Any]:
    """The claims that tie a token to ``user``: its id and, if enabled, the revocation claim."""
    config, users = runtime.config, runtime.ports.users
    result: dict[str, Any] = {config.user_id_claim: users.user_id(user)}
    if config.check_revoke_token:
        result[config.revoke_token_claim] = revoke_claim(runtime, users.password_hash(user))
    return result


def carried_claims(runtime: Runtime, payload: dict[str, Any]) -> dict[str, Any]:
    """The user claims of ``payload``, for tokens derived from it without loading the user."""
    config = runtime.config
    names = (config.user_id_claim, config.revoke_token_claim)
    return {name: payload[name] for name in names if name in payload}


def revoke_claim(runtime: Runtime, password_hash: str) -> str:
    """HMAC of the password hash, keyed by a secret derived from the signing key."""
    digest = hmac.new(runtime.keys.revoke_secret, password_hash.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def blacklisted_until(runtime: Runtime, token: _Token) -> datetime:
    """When a blacklist entry for ``token`` may go: ``exp + LEEWAY``, so leeway never revives it."""
    until = min(token.exp + runtime.config.leeway, claims.MAX_NUMERIC_DATE)
    return datetime.fromtimestamp(until, tz=UTC)
