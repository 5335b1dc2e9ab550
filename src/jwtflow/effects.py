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
