"""jwtflow: JSON Web Token authentication for Django and DRF, sync and async.

``import jwtflow`` does not import Django; the Django and DRF names below load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jwtflow.errors import TokenError
from jwtflow.tokens import AccessToken, RefreshToken

if TYPE_CHECKING:
    from jwtflow.django.stores import CacheBlacklistBackend, ModelBlacklistBackend
    from jwtflow.drf.authentication import (
        BaseAuthentication,
        JWTAuthentication,
        JWTStatelessAuthentication,
    )
    from jwtflow.drf.endpoints import (
        TokenBlacklistView,
        TokenObtainView,
        TokenRefreshView,
        TokenVerifyView,
    )
    from jwtflow.drf.jwks import JWKSView
    from jwtflow.drf.sessions import LogoutAllView, SessionListView, SessionView
    from jwtflow.drf.views import AsyncAPIView
    from jwtflow.ports import BlacklistBackend
    from jwtflow.redis import RedisBlacklistBackend
    from jwtflow.stateless import TokenUser

__version__ = "0.1.0"

_LAZY = {
    "BlacklistBackend": "jwtflow.ports",
    "ModelBlacklistBackend": "jwtflow.django.stores",
    "CacheBlacklistBackend": "jwtflow.django.stores",
    "RedisBlacklistBackend": "jwtflow.redis",
    "BaseAuthentication": "jwtflow.drf.authentication",
    "JWTAuthentication": "jwtflow.drf.authentication",
    "JWTStatelessAuthentication": "jwtflow.drf.authentication",
    "TokenUser": "jwtflow.stateless",
    "AsyncAPIView": "jwtflow.drf.views",
    "JWKSView": "jwtflow.drf.jwks",
    "TokenObtainView": "jwtflow.drf.endpoints",
    "TokenRefreshView": "jwtflow.drf.endpoints",
    "TokenVerifyView": "jwtflow.drf.endpoints",
    "TokenBlacklistView": "jwtflow.drf.endpoints",
    "LogoutAllView": "jwtflow.drf.sessions",
    "SessionListView": "jwtflow.drf.sessions",
    "SessionView": "jwtflow.drf.sessions",
}

__all__ = [
    "AccessToken",
    "AsyncAPIView",
    "BaseAuthentication",
    "BlacklistBackend",
    "CacheBlacklistBackend",
    "JWKSView",
    "JWTAuthentication",
    "JWTStatelessAuthentication",
    "LogoutAllView",
    "ModelBlacklistBackend",
    "RedisBlacklistBackend",
    "RefreshToken",
    "SessionListView",
    "SessionView",
    "TokenBlacklistView",
    "TokenError",
    "TokenObtainView",
    "TokenRefreshView",
    "TokenUser",
    "TokenVerifyView",
]


def __getattr__(name: str) -> Any:
    """Import the Django and DRF names on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jwtflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
