"""The package: ``import jwtflow`` stays free of Django and DRF; the rest loads lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import jwtflow
from jwtflow import ports

CHECK = (
    "import jwtflow, sys; "
    "assert 'django' not in sys.modules and 'rest_framework' not in sys.modules, "
    "sorted(m for m in sys.modules if m.startswith(('django', 'rest_framework')))"
)


def test_import_jwtflow_does_not_import_django_or_drf() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "module",
    ["jwtflow.tokens", "jwtflow.flows", "jwtflow.drivers", "jwtflow.memory", "jwtflow.bearer"],
)
def test_core_modules_do_not_import_django_or_drf(module: str) -> None:
    check = CHECK.replace("import jwtflow,", f"import {module},")
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_token_api_is_importable_eagerly() -> None:
    from jwtflow import AccessToken, RefreshToken, TokenError
    from jwtflow.errors import TokenError as ErrorsTokenError
    from jwtflow.tokens import AccessToken as TokensAccessToken

    assert TokenError is ErrorsTokenError
    assert AccessToken is TokensAccessToken
    assert RefreshToken.TYPE == "refresh"
    assert jwtflow.__version__ == "0.1.0"


def test_lazy_names_load_on_first_access() -> None:
    assert jwtflow.BlacklistBackend is ports.BlacklistBackend
    assert vars(jwtflow)["BlacklistBackend"] is ports.BlacklistBackend


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'jwtflow' has no attribute 'Nope'"):
        jwtflow.Nope  # noqa: B018
    assert not hasattr(jwtflow, "also_missing")


def test_all_lists_the_public_contract() -> None:
    assert set(jwtflow.__all__) == {
        "AccessToken",
        "RefreshToken",
        "TokenError",
        "BlacklistBackend",
        "ModelBlacklistBackend",
        "CacheBlacklistBackend",
        "RedisBlacklistBackend",
        "BaseAuthentication",
        "JWTAuthentication",
        "AsyncAPIView",
        "TokenObtainView",
        "TokenRefreshView",
        "TokenVerifyView",
        "TokenBlacklistView",
        "JWKSView",
        "LogoutAllView",
        "SessionListView",
        "SessionView",
        "JWTStatelessAuthentication",
        "TokenUser",
    }
