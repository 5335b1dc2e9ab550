"""The floor: a hand-written authenticator over :mod:`bench.libs.floor_jws` and one ORM ``get``.

It is what any JWT authentication must at least spend: verify (by hand, keys prepared once),
load the user with one query, and, in the revocation profiles, one more round trip (a second
query for the model store, one cache ``get`` for the Redis ones). Async, the user and the
extra round trip share one thread hop.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from bench.libs.base import Adapter, Context, Unsupported
from bench.libs.floor_jws import Invalid, Jws


@functools.cache
def jws() -> Jws:
    """The process's signer/verifier, keys parsed once."""
    ctx = Context.from_environ()
    return Jws(ctx.algorithm, ctx.signing_key, ctx.verifying_key)


def _claims(user_id: Any, token_type: str, lifetime: int) -> dict[str, Any]:
    import time
    import uuid

    now = int(time.time())
    return {
        "token_type": token_type,
        "exp": now + lifetime,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": user_id,
    }


def _raw_token(request: Any) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    return raw if scheme.lower() == "bearer" and raw else None


def _load_user(user_id: Any) -> Any:
    """One query for the user, plus the profile's one extra round trip."""
    from django.contrib.auth.models import User
    from django.core.cache import caches

    profile = Context.from_environ().profile
    if profile == "usercache":
        user = caches["default"].get(f"floor:user:{user_id}")
        if user is None:
            user = User.objects.get(pk=user_id)
            caches["default"].set(f"floor:user:{user_id}", user, 60)
        return user
    user = User.objects.get(pk=user_id)
    if profile == "model" and not User.objects.filter(pk=user_id).exists():
        raise Invalid("revoked")
    if profile in ("cache", "redis") and caches["redis"].get(f"floor:bl:{user_id}"):
        raise Invalid("revoked")
    return user


class FloorAuthentication:
    """Verify by hand, load the user; no messages, no error mapping."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """Return (user, claims) or None without a bearer token."""
        raw = _raw_token(request)
        if raw is None:
            return None
        claims = jws().verify(raw)
        return _load_user(claims["user_id"]), claims

    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        """The same with the user query (and extra round trip) in one thread hop."""
        from asgiref.sync import sync_to_async

        raw = _raw_token(request)
        if raw is None:
            return None
        claims = jws().verify(raw)
        return await sync_to_async(_load_user)(claims["user_id"]), claims

    def authenticate_header(self, request: Any) -> str:
        """DRF asks for it to answer 401."""
        return "Bearer"


class FloorStatelessAuthentication(FloorAuthentication):
    """Verify by hand and build the user from the claims: no query at all."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """Return (token user, claims) or None."""
        raw = _raw_token(request)
        if raw is None:
            return None
        claims = jws().verify(raw)
        return SimpleNamespace(pk=claims["user_id"], is_authenticated=True), claims

    async def aauthenticate(self, request: Any) -> tuple[Any, Any] | None:
        """No I/O, so no thread hop."""
        return self.authenticate(request)


class FloorAdapter(Adapter):
    """The hand-written floor."""

    name = "floor"

    def settings(self, ctx: Context) -> dict[str, Any]:
        """Nothing beyond the common settings; the Redis profiles need Redis.

        Raises:
            Unsupported: a Redis profile without Redis.
        """
        if ctx.profile in ("cache", "redis") and not ctx.redis_url:
            raise Unsupported("no Redis")
        self.revocation = ctx.profile in ("model", "cache", "redis")
        return {}

    def obtain(self, username: str, password: str) -> tuple[str, str]:
        """Sign a pair for the user by hand (no password check: the floor has no endpoint)."""
        from django.contrib.auth.models import User

        user_id, signer = User.objects.get(username=username).pk, jws()
        return signer.sign(_claims(user_id, "access", 3600)), signer.sign(
            _claims(user_id, "refresh", 86400)
        )

    def verify(self, raw: str) -> Any:
        """Hand-written verify."""
        return jws().verify(raw)

    def login_pair(self, user: Any) -> tuple[str, str]:
        """Two hand-written signs.

        Raises:
            Unsupported: in the model profile, where the libraries also write a row.
        """
        if Context.from_environ().profile == "model":
            raise Unsupported("no floor for a login that writes a row")
        signer = jws()
        return signer.sign(_claims(user.pk, "access", 3600)), signer.sign(
            _claims(user.pk, "refresh", 86400)
        )

    def authentication(self, variant: str) -> Any:
        """The hand-written authenticators."""
        return FloorStatelessAuthentication if variant == "stateless" else FloorAuthentication

    def open_async_view(self) -> Any:
        """The plain async Django view without authentication."""
        from bench.views import plain

        return plain

    def async_view(self, authentication: type) -> Any:
        """A plain async Django view around the hand-written authenticator (no DRF)."""
        from django.http import HttpRequest, JsonResponse

        authenticator = authentication()

        async def protected(request: HttpRequest) -> JsonResponse:
            result = await authenticator.aauthenticate(request)
            if result is None:
                return JsonResponse({"detail": "no token"}, status=401)
            return JsonResponse({"id": result[0].pk})

        return protected

    def refresh_view(self) -> Any:
        """No floor for a whole endpoint.

        Raises:
            Unsupported: always.
        """
        raise Unsupported("no floor for an endpoint")


ADAPTER = FloorAdapter()
