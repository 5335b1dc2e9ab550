"""In-memory stores: for tests and for using the core without a framework.

They keep state in the process, so they are wrong for anything with more than one process.
Their async twins are native (no thread hop).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jwtflow.clock import Clock, SystemClock
from jwtflow.ports import BlacklistBackend


class MemoryBlacklistBackend(BlacklistBackend):
    """A blacklist in a dict, guarded by a lock so concurrent adds stay atomic.

    Give it the runtime's clock so that entries expire by the same time the tokens do.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._entries: dict[str, float] = {}
        self._lock = threading.Lock()

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Add ``jti`` until ``expires_at``; True if it was not there yet."""
        with self._lock:
            if self._live(jti):
                return False
            self._purge()
            self._entries[jti] = expires_at.timestamp()
            return True

    def is_blacklisted(self, jti: str) -> bool:
        """Return whether ``jti`` is blacklisted and not yet expired."""
        with self._lock:
            return self._live(jti)

    async def ablacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Same as :meth:`blacklist`; memory needs no thread hop."""
        return self.blacklist(jti, expires_at=expires_at)

    async def ais_blacklisted(self, jti: str) -> bool:
        """Same as :meth:`is_blacklisted`; memory needs no thread hop."""
        return self.is_blacklisted(jti)

    def _live(self, jti: str) -> bool:
        expires_at = self._entries.get(jti)
        return expires_at is not None and expires_at > self._clock.now()

    def _purge(self) -> None:
        now = self._clock.now()
        for jti in [jti for jti, expires_at in self._entries.items() if expires_at <= now]:
            del self._entries[jti]


@dataclass
class MemoryUser:
    """A minimal user for the memory store."""

    id: int
    username: str
    password: str
    is_active: bool = True


class MemoryUserStore:
    """Users in a dict keyed by id; credentials are ``{"username", "password"}`` in plain text."""

    def __init__(self, users: list[MemoryUser] | None = None) -> None:
        self.users = {user.id: user for user in users or []}

    def get(self, user_id: object) -> MemoryUser | None:
        """Return the user with this id, or None."""
        return self.users.get(user_id) if isinstance(user_id, int) else None

    async def aget(self, user_id: object) -> MemoryUser | None:
        """Same as :meth:`get`."""
        return self.get(user_id)

    def check_credentials(
        self, request: object, credentials: Mapping[str, Any]
    ) -> MemoryUser | None:
        """Return the user whose username and password match, or None."""
        for user in self.users.values():
            if user.username == credentials.get("username") and hmac.compare_digest(
                user.password.encode(), str(credentials.get("password", "")).encode()
            ):
                return user
        return None

    async def acheck_credentials(
        self, request: object, credentials: Mapping[str, Any]
    ) -> MemoryUser | None:
        """Same as :meth:`check_credentials`."""
        return self.check_credentials(request, credentials)

    def user_id(self, user: MemoryUser) -> int:
        """Return the user's id."""
        return user.id

    def is_active(self, user: MemoryUser) -> bool:
        """Return ``user.is_active``."""
        return user.is_active

    def password_hash(self, user: MemoryUser) -> str:
        """Return the stored password (plain text here; a real store returns a hash)."""
        return user.password
