"""What the flows need from the outside world: a blacklist and a user store.

Each I/O method ``x()`` has an async twin ``ax()``. :class:`BlacklistBackend` derives the twins
from the sync methods with one thread hop; a store with a native async client overrides them.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Self

from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from jwtflow.config import Config


class BlacklistBackend(abc.ABC):
    """Revocation storage: ``jti`` values that must not be accepted again until they expire."""

    @classmethod
    def from_config(cls, config: Config) -> Self:
        """Build the backend a runtime uses; override to read settings (this default reads none)."""
        return cls()

    @abc.abstractmethod
    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Add ``jti`` until ``expires_at``; True if this call added it, False if it was there.

        The check-and-add is atomic: of concurrent calls with one ``jti``, exactly one gets True.

        Raises:
            StoreUnavailable: the store could not be reached.
        """

    @abc.abstractmethod
    def is_blacklisted(self, jti: str) -> bool:
        """Return whether ``jti`` is blacklisted.

        Raises:
            StoreUnavailable: the store could not be reached.
        """

    async def ablacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Async twin of :meth:`blacklist` (a thread hop unless overridden)."""
        return await sync_to_async(self.blacklist)(jti, expires_at=expires_at)

    async def ais_blacklisted(self, jti: str) -> bool:
        """Async twin of :meth:`is_blacklisted` (a thread hop unless overridden)."""
        return await sync_to_async(self.is_blacklisted)(jti)


class UserStore(Protocol):
    """Finds users, checks credentials, and reads the few user attributes tokens depend on."""

    def get(self, user_id: object) -> Any | None:
        """Return the user whose id field equals ``user_id``, or None (also for ill-typed ids)."""

    async def aget(self, user_id: object) -> Any | None:
        """Async twin of :meth:`get`."""

    def check_credentials(self, request: object, credentials: Mapping[str, Any]) -> Any | None:
        """Return the user the credentials identify, or None."""

    async def acheck_credentials(
        self, request: object, credentials: Mapping[str, Any]
    ) -> Any | None:
        """Async twin of :meth:`check_credentials`."""

    def user_id(self, user: Any) -> str | int:
        """Return the JSON-safe value of the user's id field."""

    def is_active(self, user: Any) -> bool:
        """Return whether the user may use the API."""

    def password_hash(self, user: Any) -> str:
        """Return the stored password hash (changes whenever the password does)."""
