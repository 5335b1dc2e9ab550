"""Authentication without a user table: the request's user is built from the token's claims.

For a service that trusts the issuer and has no users of its own. What it cannot know without
a store: that the user was deactivated or deleted, or changed their password, since the token
was issued; such a token keeps working until it expires (keep ``ACCESS_TOKEN_LIFETIME`` short).
Session revocation (logout, an ended session, logout-all) is honoured whenever a store is
configured and ``ACCESS_TOKEN_REVOCATION`` is on: that costs one store call per request (none
with ``BLACKLIST_ENABLED = False``), and with the Redis store no database at all.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from jwtflow import sessions
from jwtflow.effects import Effect
from jwtflow.errors import TokenBlacklisted
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken


class TokenUser:
    """A user known only from a verified token: ``id``/``pk`` from the user claim.

    The other claims are on ``claims`` (read-only). It is authenticated, not anonymous, active,
    and has no staff rights or permissions. Two token users are equal when their ids are.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, claims: Mapping[str, Any], user_id_claim: str = "user_id") -> None:
        self._claims = MappingProxyType(dict(claims))
        self._id = claims[user_id_claim]

    @property
    def id(self) -> Any:
        """The user id the token names."""
        return self._id

    @property
    def pk(self) -> Any:
        """The user id the token names (Django's name for it)."""
        return self._id

    @property
    def claims(self) -> Mapping[str, Any]:
        """Every claim of the token, read-only."""
        return self._claims

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """No permissions: the token does not carry any."""
        return False

    def has_perms(self, perm_list: Iterator[str] | list[str], obj: object = None) -> bool:
        """No permissions: the token does not carry any."""
        return False

    def has_module_perms(self, app_label: str) -> bool:
        """No permissions: the token does not carry any."""
        return False

    def __eq__(self, other: object) -> bool:
        """Equal to another token user with the same id."""
        if not isinstance(other, TokenUser):
            return NotImplemented
        return bool(self._id == other._id)

    def __hash__(self) -> int:
        """Hash by id, consistent with equality."""
        return hash(self._id)

    def __str__(self) -> str:
        """``TokenUser <id>``."""
        return f"TokenUser {self._id}"

    def __repr__(self) -> str:
        """``<TokenUser id=...>``."""
        return f"<TokenUser id={self._id!r}>"


def authenticate(
    runtime: Runtime, raw: str
) -> Generator[Effect, Any, tuple[TokenUser, AccessToken]]:
    """Verify an access token and build its :class:`TokenUser`; no user is loaded.

    With a store and ``ACCESS_TOKEN_REVOCATION`` on, the token's session and its user's
    logout-all time are still checked (one store call, no user query), so logout ends it here
    too; without them, the token is trusted until it expires.

    Raises:
        TokenError: the token is refused; ``TokenBlacklisted`` when its session has ended.
    """
    token = AccessToken.decode(runtime, raw)
    if not (yield from sessions.is_alive(runtime, token.payload)):
        raise TokenBlacklisted()
    return TokenUser(token.payload, runtime.config.user_id_claim), token
