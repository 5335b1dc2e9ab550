"""djangorestframework-simplejwt, configured like jwtflow (algorithm, key, claims, rotation).

simplejwt checks no access token against a store (its blacklist app covers refresh tokens),
so the revocation rows are "n/a" for it; the model profile installs the blacklist app for the
refresh-rotation scenario.
"""

from __future__ import annotations

from typing import Any

from bench.libs.base import ACCESS_TOKEN_LIFETIME, Adapter, Context, Unsupported
from bench.libs.common import pair, peer, post_json


class SimplejwtAdapter(Adapter):
    """simplejwt from PyPI."""

    name = "simplejwt"

    def settings(self, ctx: Context) -> dict[str, Any]:
        """``SIMPLE_JWT`` for the profile.

        Raises:
            Unsupported: a revocation store or user cache profile (simplejwt has neither).
        """
        if ctx.profile in ("cache", "redis"):
            raise Unsupported("no access-token revocation check")
        if ctx.profile == "usercache":
            raise Unsupported("no user cache")
        apps = ["rest_framework_simplejwt"]
        if ctx.profile == "model":
            apps.append("rest_framework_simplejwt.token_blacklist")
        conf: dict[str, Any] = {
            "ALGORITHM": ctx.algorithm,
            "SIGNING_KEY": ctx.signing_key,
            "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
            "ROTATE_REFRESH_TOKENS": True,
            "BLACKLIST_AFTER_ROTATION": ctx.profile == "model",
            "UPDATE_LAST_LOGIN": False,
        }
        if ctx.verifying_key:
            conf["VERIFYING_KEY"] = ctx.verifying_key
        return {"INSTALLED_APPS": apps, "SIMPLE_JWT": conf}

    def obtain(self, username: str, password: str) -> tuple[str, str]:
        """POST to ``TokenObtainPairView`` in-process."""
        TokenObtainPairView = peer("rest_framework_simplejwt.views").TokenObtainPairView

        view = TokenObtainPairView.as_view()
        return pair(post_json(view, {"username": username, "password": password}))

    def verify(self, raw: str) -> Any:
        """``AccessToken(raw)`` verifies signature and claims."""
        AccessToken = peer("rest_framework_simplejwt.tokens").AccessToken

        return AccessToken(raw).payload

    def login_pair(self, user: Any) -> tuple[str, str]:
        """``RefreshToken.for_user`` and its ``access_token``, as TokenObtainPairView does."""
        RefreshToken = peer("rest_framework_simplejwt.tokens").RefreshToken

        refresh = RefreshToken.for_user(user)
        return str(refresh.access_token), str(refresh)

    def authentication(self, variant: str) -> Any:
        """``JWTAuthentication`` or ``JWTStatelessUserAuthentication``."""
        authentication = peer("rest_framework_simplejwt.authentication")

        if variant == "stateless":
            return authentication.JWTStatelessUserAuthentication
        return authentication.JWTAuthentication

    def async_view_base(self) -> Any:
        """simplejwt has no async view; its users reach for adrf's ``APIView``."""
        from adrf.views import APIView

        return APIView

    def refresh_view(self) -> Any:
        """``TokenRefreshView`` (rotating; blacklisting after rotation in the model profile)."""
        TokenRefreshView = peer("rest_framework_simplejwt.views").TokenRefreshView

        return TokenRefreshView.as_view()


ADAPTER = SimplejwtAdapter()
