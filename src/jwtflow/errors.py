"""One error tree for jwtflow: every error has a stable ``code`` and a safe public ``message``.

Messages never echo the token or a library's internal wording, so they can be shown to clients.
Configuration problems are :class:`ConfigurationError`, which is deliberately *not* a
:class:`JWTFlowError`: a broken setting must stop start-up, never turn into a 401.
"""

from __future__ import annotations


class JWTFlowError(Exception):
    """Base of the errors a request can cause: stable ``code``, ``message`` safe to show."""

    code = "jwtflow_error"
    default_message = "Authentication failed."
    status_code = 401

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class TokenError(JWTFlowError):
    """Raised when a JWT cannot be decoded, has expired, or fails verification."""

    code = "token_invalid"
    default_message = "Token is invalid."


class TokenExpired(TokenError):
    """The token's ``exp`` has passed (after leeway)."""

    code = "token_expired"
    default_message = "Token has expired."


class TokenTypeInvalid(TokenError):
    """The token is valid but of the wrong type (an access token where a refresh is needed)."""

    code = "token_type_invalid"
    default_message = "Token has the wrong type."


class TokenBlacklisted(TokenError):
    """The token's ``jti`` is on the blacklist (logged out or already rotated)."""

    code = "token_blacklisted"
    default_message = "Token is blacklisted."


class TokenReused(TokenError):
    """A refresh token that was already rotated came back: its whole session has been ended."""

    code = "token_reused"
    default_message = "Refresh token was already used; the session has ended. Sign in again."


class AuthenticationError(JWTFlowError):
    """The request's credentials or the token's user are not acceptable."""

    code = "authentication_failed"


class InvalidAuthorizationHeader(AuthenticationError):
    """The Authorization header names our scheme but is malformed."""

    code = "invalid_authorization_header"
    default_message = "Authorization header must be '<scheme> <token>' with a single ASCII token."


class UserNotFound(AuthenticationError):
    """The token's user does not exist (deleted, or the claim does not fit the id field)."""

    code = "user_not_found"
    default_message = "User not found."


class UserInactive(AuthenticationError):
    """The token's user exists but is not active."""

    code = "user_inactive"
    default_message = "User is inactive."


class PasswordChanged(AuthenticationError):
    """The user's password changed after the token was issued."""

    code = "password_changed"
    default_message = "The user's password has changed; sign in again."


class NoActiveAccount(AuthenticationError):
    """Bad credentials, or a user refused by the authentication rule."""

    code = "no_active_account"
    default_message = "No active account found with the given credentials."


class StoreUnavailable(JWTFlowError):
    """The revocation store could not be reached; requests fail closed with 503."""

    code = "store_unavailable"
    default_message = "The token store is unavailable; try again later."
    status_code = 503


class BlacklistDisabled(JWTFlowError):
    """Blacklisting was asked for while ``BLACKLIST_ENABLED`` is False."""

    code = "blacklist_disabled"
    default_message = "Token blacklisting is disabled on this server."
    status_code = 501


class IssuingDisabled(JWTFlowError):
    """A token was to be issued by a verify-only service (no ``SIGNING_KEY``)."""

    code = "issuing_disabled"
    default_message = "This server only verifies tokens; it does not issue them."
    status_code = 501


class ConfigurationError(ValueError):
    """A setting is missing or wrong; ``key`` names it and the message says how to fix it."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"JWTFLOW[{key!r}]: {message}")
