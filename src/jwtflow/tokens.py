"""Token values and the policies that act on one token: mint, verify, rotate, blacklist.

A token is an immutable value; constructing one or calling ``str()`` never signs, verifies or
does I/O. The classmethods take the runtime the framework adapter installed (``jwtflow.runtime``).
``verify``, ``new_session``, ``rotate`` and ``blacklist`` are written once, as generators of
effects; the methods run them with the sync or the async driver.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Self, TypeVar

from jwtflow import claims, codec, remotekeys, sessions
from jwtflow.claims import SID_CLAIM
from jwtflow.drivers import run_async, run_sync
from jwtflow.effects import AddToBlacklist, Effect
from jwtflow.errors import TokenBlacklisted
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
        """Decode and validate ``raw``, and ask the store whether it is still alive.

        Refresh tokens are checked against their session (or the ``jti`` blacklist), access
        tokens too with ``ACCESS_TOKEN_REVOCATION``; see :func:`jwtflow.sessions.is_alive`.

        Raises:
            TokenError: on any failure; ``code`` says which.
            StoreUnavailable: the store could not be consulted.
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
    """Long-lived token that mints new access tokens without a new sign-in.

    With a store (``BLACKLIST_ENABLED``) a refresh token belongs to a session: ``for_user``
    starts one, ``rotate`` spends this token's generation and ``blacklist`` ends the session.
    """

    TYPE = claims.REFRESH
    LIFETIME = "refresh_token_lifetime"

    @classmethod
    def for_user(cls, user: Any) -> Self:
        """Start a session for ``user`` (a store write) and return its first refresh token.

        Without a store (``BLACKLIST_ENABLED`` False) the token is sessionless.

        Raises:
            ConfigurationError: the service is verify-only (no signing key).
            StoreUnavailable: the session could not be stored.
        """
        runtime = current()
        token: Self = run_sync(new_session(runtime, user, cls), runtime.ports)
        return token

    @classmethod
    async def afor_user(cls, user: Any) -> Self:
        """Async twin of :meth:`for_user`."""
        runtime = current()
        token: Self = await run_async(new_session(runtime, user, cls), runtime.ports)
        return token

    @property
    def access_token(self) -> AccessToken:
        """A fresh access token for this token's user and session (no store is consulted)."""
        return access_for(current(), self.payload)

    def rotate(self) -> RefreshToken:
        """Spend this token and return its successor in the same session.

        A session token's generation is consumed atomically, as ``token/refresh/`` does (the
        user is not re-checked); a sessionless one is left as it is.

        Raises:
            TokenReused: this token was rotated before; its session has been ended.
            TokenBlacklisted: its session is over.
            StoreUnavailable: the store could not be reached.
        """
        runtime = current()
        return run_sync(rotate(runtime, self), runtime.ports)

    async def arotate(self) -> RefreshToken:
        """Async twin of :meth:`rotate`."""
        runtime = current()
        return await run_async(rotate(runtime, self), runtime.ports)

    def blacklist(self) -> None:
        """End this token's session (a sessionless one: blacklist its ``jti``); idempotent.

        Raises:
            BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
            StoreUnavailable: the store could not be reached.
        """
        runtime = current()
        run_sync(blacklist(runtime, self), runtime.ports)

    async def ablacklist(self) -> None:
        """Async twin of :meth:`blacklist`."""
        runtime = current()
        await run_async(blacklist(runtime, self), runtime.ports)


R = TypeVar("R", bound=RefreshToken)

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


def access_for(runtime: Runtime, payload: dict[str, Any]) -> AccessToken:
    """A new access token carrying the user and session claims of ``payload``."""
    return AccessToken.mint(runtime, claims.carried_claims(runtime.config, payload))


def verify(
    runtime: Runtime, raw: str, token_class: type[Token] | None = None
) -> Generator[Effect, Any, Any]:
    """Verify a token of ``token_class`` (either type if None) and that the store lets it live.

    Raises:
        TokenError: on any failure; ``TokenBlacklisted`` for a revoked one.
    """
    if runtime.keys.remote is not None:
        # Only a remote key set (JWKS_URL) can need a fetch; without one, skip the generator.
        yield from remotekeys.fetch_if_needed(runtime.keys, raw, runtime.clock.now())
    token = decode_any(runtime, raw) if token_class is None else token_class.decode(runtime, raw)
    if not (yield from sessions.is_alive(runtime, token.payload)):
        raise TokenBlacklisted()
    return token


def new_session(
    runtime: Runtime, user: Any, token_class: type[R], user_agent: str = ""
) -> Generator[Effect, Any, R]:
    """Start a session for ``user`` (with a store) and mint its first refresh token.

    Raises:
        ConfigurationError: the service is verify-only (checked before the store is written).
    """
    _ = runtime.keys.signer
    user_claims = claims_of_user(runtime, user)
    if runtime.config.blacklist_enabled:
        user_claims |= yield from sessions.start(
            runtime,
            user_claims[runtime.config.user_id_claim],
            auth_time=int(runtime.clock.now()),
            user_agent=user_agent,
        )
    return token_class.mint(runtime, user_claims)


def rotate(runtime: Runtime, token: RefreshToken) -> Generator[Effect, Any, RefreshToken]:
    """Spend ``token``'s session generation (if it has a session) and mint its successor.

    Raises:
        ConfigurationError: the service is verify-only (checked before the token is spent).
        TokenReused, TokenBlacklisted: the session refuses the token.
    """
    _ = runtime.keys.signer
    carried = claims.carried_claims(runtime.config, token.payload)
    if runtime.config.blacklist_enabled and SID_CLAIM in token.payload:
        carried |= yield from sessions.consume(runtime, token.payload)
    return RefreshToken.mint(runtime, carried)


def blacklist(runtime: Runtime, token: RefreshToken) -> Generator[Effect, Any, bool]:
    """End ``token``'s session, or blacklist a sessionless one; True if this call did.

    Raises:
        BlacklistDisabled: ``BLACKLIST_ENABLED`` is False.
    """
    sessions.require_store(runtime.config)
    if SID_CLAIM in token.payload:
        ended: bool = yield from sessions.end(runtime, token.payload)
        return ended
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
