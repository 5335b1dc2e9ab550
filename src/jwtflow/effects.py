"""The effects a flow yields: requests for I/O, performed by a driver against the ports.

An effect names the port and the sync method to call; the async driver calls the ``a``-twin.
The value the driver sends back into the flow is that method's return value.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from jwtflow.records import Session, TokenCheck


@dataclass(frozen=True)
class Effect(abc.ABC):
    """Base of all effects."""

    port: ClassVar[str]
    method: ClassVar[str]

    @abc.abstractmethod
    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Return the positional and keyword arguments of the port call."""


@dataclass(frozen=True)
class LoadUser(Effect):
    """Fetch the user with this id; answers the user or None."""

    user_id: object
    port = "users"
    method = "get"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.user_id,), {}


@dataclass(frozen=True)
class CheckCredentials(Effect):
    """Authenticate credentials (username/password); answers the user or None."""

    request: object
    credentials: Mapping[str, Any]
    port = "users"
    method = "check_credentials"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.request, self.credentials), {}


@dataclass(frozen=True)
class IsBlacklisted(Effect):
    """Ask whether a ``jti`` is blacklisted; answers a bool."""

    jti: str
    port = "blacklist"
    method = "is_blacklisted"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.jti,), {}


@dataclass(frozen=True)
class AddToBlacklist(Effect):
    """Blacklist a ``jti`` atomically; answers True if this call added it."""

    jti: str
    expires_at: datetime
    port = "blacklist"
    method = "blacklist"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.jti,), {"expires_at": self.expires_at}


@dataclass(frozen=True)
class LoadCheckedUser(Effect):
    """Fetch the user and check a token's revocation in one store call; answers ``(user, alive)``.

    ``alive`` means nothing when the user is None. The model store answers both in one query.
    """

    user_id: object
    check: TokenCheck
    port = "accounts"
    method = "load"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.user_id, self.check), {}


@dataclass(frozen=True)
class CheckToken(Effect):
    """Ask whether a token's session and user cut-off let it live; answers a bool."""

    check: TokenCheck
    port = "blacklist"
    method = "check_token"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.check,), {}


@dataclass(frozen=True)
class StartSession(Effect):
    """Store a new session; answers None."""

    session: Session
    port = "blacklist"
    method = "create_session"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.session,), {}


@dataclass(frozen=True)
class RotateSession(Effect):
    """Consume a refresh token's generation atomically; answers a :class:`Rotation`."""

    sid: str
    user_key: str
    generation: int
    now: datetime
    grace_seconds: float
    expires: datetime
    port = "blacklist"
    method = "rotate_session"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        options = {"now": self.now, "grace_seconds": self.grace_seconds, "expires": self.expires}
        return (self.sid, self.user_key, self.generation), options


@dataclass(frozen=True)
class EndSession(Effect):
    """Revoke one session of a user; answers True if this call ended a live one."""

    sid: str
    user_key: str
    now: datetime
    port = "blacklist"
    method = "end_session"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.sid, self.user_key), {"now": self.now}


@dataclass(frozen=True)
class EndAllSessions(Effect):
    """Set a user's logout-all time (O(1)); answers None."""

    user_key: str
    now: datetime
    keep_until: datetime
    port = "blacklist"
    method = "end_all_sessions"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.user_key,), {"now": self.now, "keep_until": self.keep_until}


@dataclass(frozen=True)
class ListSessions(Effect):
    """List a user's live sessions, newest first; answers a list of :class:`Session`."""

    user_key: str
    now: datetime
    port = "blacklist"
    method = "list_sessions"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.user_key,), {"now": self.now}
