"""jwtflow errors as DRF exceptions, mapped once, with RFC 6750 ``WWW-Authenticate`` values."""

from __future__ import annotations

from rest_framework import exceptions

from jwtflow.config import Config
from jwtflow.errors import JWTFlowError

REALM = "api"


class InvalidToken(exceptions.AuthenticationFailed):
    """A 401 raised by an authenticator; DRF asks the authenticator for the header."""

    default_code = "token_invalid"


class EndpointError(exceptions.APIException):
    """A jwtflow error raised by a token endpoint, with its own status and header."""


def www_authenticate(config: Config, error: JWTFlowError | None = None) -> str:
    """The ``WWW-Authenticate`` value; with ``error``, RFC 6750's ``invalid_token`` parameters."""
    value = f'{config.auth_header_types[0]} realm="{REALM}"'
    if error is None:
        return value
    description = error.message.replace("\\", "\\\\").replace('"', '\\"')
    return f'{value}, error="invalid_token", error_description="{description}"'


def body(error: JWTFlowError) -> dict[str, str]:
    """The response body of every jwtflow error: ``{"detail", "code"}``."""
    return {"detail": error.message, "code": error.code}


def authentication_failure(error: JWTFlowError) -> exceptions.APIException:
    """The exception an authenticator raises for ``error`` (401s go through DRF's header logic)."""
    if error.status_code == 401:
        return InvalidToken(body(error), code=error.code)
    return endpoint_failure(error, None)


def endpoint_failure(error: JWTFlowError, auth_header: str | None) -> exceptions.APIException:
    """The exception a token endpoint raises for ``error``, carrying ``auth_header`` on 401s."""
    failure = EndpointError(body(error), code=error.code)
    failure.status_code = error.status_code
    if error.status_code == 401:
        failure.auth_header = auth_header  # type: ignore[attr-defined]
    return failure
