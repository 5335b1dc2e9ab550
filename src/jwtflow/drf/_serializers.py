"""Request bodies of the token endpoints: shape only; the flows do the checking.

Private: the endpoints' bodies are documented in docs/endpoints.md, not these classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from rest_framework import serializers

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Far above any real username or password, far below what makes hashing a denial of service.
MAX_CREDENTIAL_LENGTH = 4096


class TextField(serializers.CharField):
    """A ``CharField`` that refuses text no database or hasher can take (lone surrogates)."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "unencodable": "Text must be valid Unicode (no lone surrogates)."
    }

    def to_internal_value(self, data: Any) -> str:
        """Validate like ``CharField``, then require the text to encode as UTF-8."""
        text = str(super().to_internal_value(data))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("unencodable")
        return text


class TokenObtainSerializer(serializers.Serializer[Any]):
    """``{<USERNAME_FIELD>: str, "password": str}``."""

    password = TextField(write_only=True, trim_whitespace=False, max_length=MAX_CREDENTIAL_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[get_user_model().USERNAME_FIELD] = TextField(
            write_only=True, max_length=MAX_CREDENTIAL_LENGTH
        )


class TokenRefreshSerializer(serializers.Serializer[Any]):
    """``{"refresh": str}``."""

    refresh = TextField(write_only=True)


class TokenVerifySerializer(serializers.Serializer[Any]):
    """``{"token": str}``."""

    token = TextField(write_only=True)


class TokenBlacklistSerializer(serializers.Serializer[Any]):
    """``{"refresh": str}``."""

    refresh = TextField(write_only=True)
