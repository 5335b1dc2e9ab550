"""The error tree: stable codes, safe messages, HTTP statuses and ConfigurationError."""

from __future__ import annotations

import pytest

from jwtflow import errors
from jwtflow.errors import (
    AuthenticationError,
    BlacklistDisabled,
    ConfigurationError,
    InvalidAuthorizationHeader,
    JWTFlowError,
    NoActiveAccount,
    PasswordChanged,
    StoreUnavailable,
    TokenBlacklisted,
    TokenError,
    TokenExpired,
    TokenTypeInvalid,
    UserInactive,
    UserNotFound,
)

CODES = [
    (TokenError, "token_invalid", 401, TokenError),
    (TokenExpired, "token_expired", 401, TokenError),
    (TokenTypeInvalid, "token_type_invalid", 401, TokenError),
    (TokenBlacklisted, "token_blacklisted", 401, TokenError),
    (InvalidAuthorizationHeader, "invalid_authorization_header", 401, AuthenticationError),
    (UserNotFound, "user_not_found", 401, AuthenticationError),
    (UserInactive, "user_inactive", 401, AuthenticationError),
    (PasswordChanged, "password_changed", 401, AuthenticationError),
    (NoActiveAccount, "no_active_account", 401, AuthenticationError),
    (StoreUnavailable, "store_unavailable", 503, JWTFlowError),
    (BlacklistDisabled, "blacklist_disabled", 501, JWTFlowError),
]


@pytest.mark.parametrize(("cls", "code", "status", "parent"), CODES)
def test_codes_and_statuses_are_stable(
    cls: type[JWTFlowError], code: str, status: int, parent: type[Exception]
) -> None:
    error = cls()
    assert error.code == code
    assert error.status_code == status
    assert isinstance(error, parent)
    assert isinstance(error, JWTFlowError)


@pytest.mark.parametrize(("cls", "code", "status", "parent"), CODES)
def test_default_message_is_used_without_one(
    cls: type[JWTFlowError], code: str, status: int, parent: type[Exception]
) -> None:
    error = cls()
    assert error.message == cls.default_message
    assert str(error) == cls.default_message
    assert error.message.endswith(".")


@pytest.mark.parametrize("message", [None, ""])
def test_empty_message_falls_back_to_the_default(message: str | None) -> None:
    assert TokenError(message).message == "Token is invalid."


def test_a_given_message_replaces_the_default() -> None:
    error = TokenExpired("Expired at noon.")
    assert error.message == "Expired at noon."
    assert str(error) == "Expired at noon."
    assert error.code == "token_expired"


def test_base_error() -> None:
    error = JWTFlowError()
    assert (error.code, error.status_code, error.message) == (
        "jwtflow_error",
        401,
        "Authentication failed.",
    )
    assert AuthenticationError().code == "authentication_failed"


def test_configuration_error_is_not_a_request_error() -> None:
    error = ConfigurationError("SIGNING_KEY", "is required.")
    assert isinstance(error, ValueError)
    assert not isinstance(error, JWTFlowError)
    assert error.key == "SIGNING_KEY"
    assert str(error) == "JWTFLOW['SIGNING_KEY']: is required."


def test_every_public_error_has_a_distinct_code() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, JWTFlowError)
    ]
    assert len({cls.code for cls in classes}) == len(classes)
