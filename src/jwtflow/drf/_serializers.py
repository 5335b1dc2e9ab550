"""Request bodies of the token endpoints: shape only; the flows do the checking."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers


class TokenObtainSerializer(serializers.Serializer[Any]):
    """``{<USERNAME_FIELD>: str, "password": str}``."""

    password = serializers.CharField(write_only=True, trim_whitespace=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[get_user_model().USERNAME_FIELD] = serializers.CharField(write_only=True)


class TokenRefreshSerializer(serializers.Serializer[Any]):
    """``{"refresh": str}``."""

    refresh = serializers.CharField(write_only=True)


class TokenVerifySerializer(serializers.Serializer[Any]):
    """``{"token": str}``."""

    token = serializers.CharField(write_only=True)


class TokenBlacklistSerializer(serializers.Serializer[Any]):
    """``{"refresh": str}``."""

    refresh = serializers.CharField(write_only=True)
