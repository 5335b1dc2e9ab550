"""jwtflow, configured from the profile; optional features are found by import, not by version.

So the suite keeps working as jwtflow grows: access-token revocation, the Redis store, the
stateless authentication and the user cache are used when jwtflow has them and are "n/a"
before.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bench.libs.base import (
    ACCESS_TOKEN_LIFETIME,
    REVOCATION_PROFILES,
    STORE_PROFILES,
    Adapter,
    Context,
    Unsupported,
)
from bench.libs.common import pair, post_json


def setting_keys() -> frozenset[str]:
    """The JWTFLOW keys this jwtflow accepts (its Config fields, upper-cased)."""
    from jwtflow.config import Config

    return frozenset(field.name.upper() for field in dataclasses.fields(Config))


def public_names() -> frozenset[str]:
    """The names ``jwtflow`` exports, read without importing the Django parts."""
    import jwtflow

    return frozenset(jwtflow.__all__)


class JwtflowAdapter(Adapter):
    """jwtflow from this checkout."""

    name = "jwtflow"

    def settings(self, ctx: Context) -> dict[str, Any]:
        """``JWTFLOW`` for the profile; revocation, stores and caches only where jwtflow has them.

        Raises:
            Unsupported: the profile needs a feature or a service that is missing.
        """
        keys = setting_keys()
        conf: dict[str, Any] = {
            "SIGNING_KEY": ctx.signing_key,
            "ALGORITHM": ctx.algorithm,
            "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
        }
        if ctx.verifying_key:
            conf["VERIFYING_KEY"] = ctx.verifying_key
        if ctx.profile not in STORE_PROFILES:
            # No store at all, like restflow's BLACKLIST_ENABLED=False and simplejwt without its
            # blacklist app: a login pair is then two signs, not a session write.
            conf["BLACKLIST_ENABLED"] = False
        revocable = "ACCESS_TOKEN_REVOCATION" in keys
        self.revocation = revocable and ctx.profile in REVOCATION_PROFILES
        if revocable:
            conf["ACCESS_TOKEN_REVOCATION"] = self.revocation
        conf.update(self._store(ctx, keys, revocable))
        if ctx.profile == "usercache":
            if "USER_CACHE_SECONDS" not in keys:
                raise Unsupported("no USER_CACHE_SECONDS")
            conf["USER_CACHE_SECONDS"] = 60
        return {"INSTALLED_APPS": ["jwtflow.django"], "JWTFLOW": conf}

    def _store(self, ctx: Context, keys: frozenset[str], revocable: bool) -> dict[str, Any]:
        if ctx.profile not in ("cache", "redis"):
            return {}
        if not revocable:
            raise Unsupported("no access-token revocation check")
        if not ctx.redis_url:
            raise Unsupported("no Redis (set JWTFLOW_TEST_REDIS_URL or install redis-server)")
        if ctx.profile == "cache":
            return {
                "BLACKLIST_BACKEND": "jwtflow.django.stores.CacheBlacklistBackend",
                "BLACKLIST_CACHE_ALIAS": "redis",
            }
        if "RedisBlacklistBackend" not in public_names():
            raise Unsupported("no RedisBlacklistBackend")
        store: dict[str, Any] = {"BLACKLIST_BACKEND": "jwtflow.RedisBlacklistBackend"}
        if "BLACKLIST_REDIS_URL" in keys:
            store["BLACKLIST_REDIS_URL"] = ctx.redis_url
        return store

    def features(self) -> dict[str, bool]:
        """Which optional jwtflow features this checkout has."""
        names, keys = public_names(), setting_keys()
        return {
            "access_token_revocation": "ACCESS_TOKEN_REVOCATION" in keys,
            "redis_store": "RedisBlacklistBackend" in names,
            "stateless": "JWTStatelessAuthentication" in names,
            "user_cache": "USER_CACHE_SECONDS" in keys,
        }

    def obtain(self, username: str, password: str) -> tuple[str, str]:
        """POST token/ in-process."""
        import jwtflow

        view = jwtflow.TokenObtainView.as_view()
        return pair(post_json(view, {"username": username, "password": password}))

    def verify(self, raw: str) -> Any:
        """``AccessToken.verify``: signature and claims, no store for access tokens."""
        from jwtflow import AccessToken

        return AccessToken.verify(raw).payload

    def login_pair(self, user: Any) -> tuple[str, str]:
        """``for_user`` of both token classes, as the obtain endpoint mints them."""
        from jwtflow import AccessToken, RefreshToken

        return str(AccessToken.for_user(user)), str(RefreshToken.for_user(user))

    def authentication(self, variant: str) -> Any:
        """``JWTAuthentication``, or ``JWTStatelessAuthentication`` once jwtflow has it.

        Raises:
            Unsupported: no stateless authentication yet.
        """
        import jwtflow

        if variant == "stateless":
            if "JWTStatelessAuthentication" not in public_names():
                raise Unsupported("no JWTStatelessAuthentication")
            return getattr(jwtflow, "JWTStatelessAuthentication")  # noqa: B009 - may not exist
        return jwtflow.JWTAuthentication

    def refresh_view(self) -> Any:
        """``TokenRefreshView`` (rotation and blacklisting on by default)."""
        import jwtflow

        return jwtflow.TokenRefreshView.as_view()

    def async_view_base(self) -> Any:
        """``AsyncAPIView``."""
        import jwtflow

        return jwtflow.AsyncAPIView


ADAPTER = JwtflowAdapter()
