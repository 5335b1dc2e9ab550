"""drf-restflow's JWT module (``restflow.authentication``), configured like jwtflow.

Its settings live in ``RESTFLOW_SETTINGS["JWT"]``; ``BLACKLIST_ENABLED`` switches both the
access-token check and refresh blacklisting, so it is off in the plain profiles ("blacklist
off") and on in the revocation ones.
"""

from __future__ import annotations

from typing import Any

from bench.libs.base import (
    ACCESS_TOKEN_LIFETIME,
    REVOCATION_PROFILES,
    Adapter,
    Context,
    Unsupported,
)
from bench.libs.common import pair, peer, post_json

_STORES = {
    "model": "restflow.authentication.jwt.ModelBlacklistBackend",
    "cache": "restflow.authentication.jwt.CacheBlacklistBackend",
}


class RestflowAdapter(Adapter):
    """drf-restflow from PyPI."""

    name = "restflow"

    def settings(self, ctx: Context) -> dict[str, Any]:
        """``RESTFLOW_SETTINGS["JWT"]`` for the profile.

        Raises:
            Unsupported: the Redis store or user cache profiles, or no Redis for the cache one.
        """
        if ctx.profile == "redis":
            raise Unsupported("no Redis store of its own (see the cache-store row)")
        if ctx.profile == "usercache":
            raise Unsupported("no user cache")
        if ctx.profile == "cache" and not ctx.redis_url:
            raise Unsupported("no Redis (set JWTFLOW_TEST_REDIS_URL or install redis-server)")
        self.revocation = ctx.profile in REVOCATION_PROFILES
        jwt: dict[str, Any] = {
            "SIGNING_KEY": ctx.signing_key,
            "ALGORITHM": ctx.algorithm,
            "BLACKLIST_ENABLED": self.revocation,
            "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
            "ROTATE_REFRESH_TOKENS": True,
        }
        if ctx.verifying_key:
            jwt["VERIFYING_KEY"] = ctx.verifying_key
        if ctx.profile in _STORES:
            jwt["BLACKLIST_BACKEND"] = _STORES[ctx.profile]
            jwt["BLACKLIST_CACHE_ALIAS"] = "redis"
        return {"INSTALLED_APPS": ["restflow.authentication"], "RESTFLOW_SETTINGS": {"JWT": jwt}}

    def obtain(self, username: str, password: str) -> tuple[str, str]:
        """POST to its (async) ``TokenObtainView`` in-process."""
        TokenObtainView = peer("restflow.authentication.views").TokenObtainView

        view = TokenObtainView.as_view()
        return pair(post_json(view, {"username": username, "password": password}))

    def verify(self, raw: str) -> Any:
        """``AccessToken.verify``."""
        AccessToken = peer("restflow.authentication").AccessToken

        return AccessToken.verify(raw).payload

    def login_pair(self, user: Any) -> tuple[str, str]:
        """``for_user`` of both token classes, as its obtain view does."""
        AccessToken = peer("restflow.authentication").AccessToken
        RefreshToken = peer("restflow.authentication").RefreshToken

        return str(AccessToken.for_user(user)), str(RefreshToken.for_user(user))

    def authentication(self, variant: str) -> Any:
        """``JWTAuthentication``.

        Raises:
            Unsupported: it has no stateless authentication.
        """
        if variant == "stateless":
            raise Unsupported("no stateless authentication")
        JWTAuthentication = peer("restflow.authentication").JWTAuthentication

        return JWTAuthentication

    def refresh_view(self) -> Any:
        """Its (async) ``TokenRefreshView``."""
        TokenRefreshView = peer("restflow.authentication.views").TokenRefreshView

        return TokenRefreshView.as_view()

    def async_view_base(self) -> Any:
        """``restflow.views.AsyncAPIView``."""
        AsyncAPIView = peer("restflow.views").AsyncAPIView

        return AsyncAPIView


ADAPTER = RestflowAdapter()
