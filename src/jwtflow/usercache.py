"""The opt-in user cache (``USER_CACHE_SECONDS``): users kept in a shared cache between requests.

:class:`CachedUserStore` wraps a user store. Only the user row is cached, never the state of a
session: logout, an ended session and logout-all are always answered by the revocation store.
Whatever can change the user's own verdict (``is_active``, the password hash, the row itself)
is the framework adapter's to report with :meth:`CachedUserStore.forget`, at once.

A forgotten user is not deleted but *tombstoned* for ``USER_CACHE_SECONDS``, and entries are
only ever filled with ``add`` (write if absent): a request that read the old row just before a
change cannot put it back into the cache after the change was reported.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from jwtflow.ports import Accounts, UserStore
from jwtflow.records import TokenCheck

logger = logging.getLogger("jwtflow.usercache")

#: The value of a tombstoned key; a cached user is stored as a one-element tuple instead.
FORGOTTEN = "jwtflow:forgotten"


class KeyValueCache(Protocol):
    """The three operations of a shared cache the user cache needs (Django's cache API)."""

    def get(self, key: str) -> Any:
        """Return the value under ``key``, or None.

        Raises:
            Exception: whatever the cache raises when its server is down.
        """

    def add(self, key: str, value: Any, timeout: float) -> bool:
        """Store ``value`` unless ``key`` holds a value; True if it was stored."""

    def set(self, key: str, value: Any, timeout: float) -> None:
        """Store ``value`` under ``key``, replacing what is there."""


class CachedUserStore:
    """A :class:`~jwtflow.ports.UserStore` that keeps found users for ``seconds``.

    ``namespace`` separates entries that must never be confused (the user model and the id
    field). Reading or filling the cache never fails a request: a cache that is down is a miss
    and the user store answers. Forgetting does fail loudly, since a stale entry would outlive
    the change it hides.
    """

    def __init__(self, users: UserStore, cache: KeyValueCache, seconds: float, namespace: str):
        self.users = users
        self.cache = cache
        self.seconds = seconds
        self.namespace = namespace

    def key(self, user_id: object) -> str | None:
        """The cache key of ``user_id``; None for an id no token can carry (not int or str).

        The type is part of the key: the claim 42 and the claim "42" name different users.
        """
        if type(user_id) not in (int, str):
            return None
        name = f"{self.namespace}\0{type(user_id).__name__}\0{user_id}"
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        return f"jwtflow:user:{digest[:40]}"

    def cached(self, user_id: object) -> Any | None:
        """The cached user with this id, or None on a miss (or when the cache is down)."""
        key = self.key(user_id)
        if key is None:
            return None
        try:
            entry = self.cache.get(key)
        except Exception:  # any backend's outage: the user store answers instead
            logger.warning("user cache read failed; loading the user", exc_info=True)
            return None
        return entry[0] if type(entry) is tuple and len(entry) == 1 else None

    def remember(self, user_id: object, user: Any | None) -> None:
        """Cache ``user`` under ``user_id`` unless the key is taken (a tombstone, say)."""
        key = self.key(user_id)
        if key is None or user is None:
            return
        try:
            self.cache.add(key, (user,), self.seconds)
        except Exception:  # an outage must not fail the request that found the user
            logger.warning("user cache write failed", exc_info=True)

    def forget(self, user_id: object) -> None:
        """Tombstone ``user_id``: no request rides on an entry from before this call.

        Raises:
            Exception: whatever the cache raises when it cannot be written.
        """
        key = self.key(user_id)
        if key is not None:
            self.cache.set(key, FORGOTTEN, self.seconds)

    def get(self, user_id: object) -> Any | None:
        """The user from the cache, else from the user store (and then cached).

        Raises:
            StoreUnavailable: the user database could not be reached on a miss.
        """
        user = self.cached(user_id)
        if user is None:
            user = self.users.get(user_id)
            self.remember(user_id, user)
        return user

    async def aget(self, user_id: object) -> Any | None:
        """Async twin of :meth:`get`: one thread hop for the cache and, on a miss, the query."""
        # Imported here: asgiref (and asyncio with it) is not needed to import the core.
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.get)(user_id)

    def check_credentials(self, request: object, credentials: Mapping[str, Any]) -> Any | None:
        """The user store's answer; credentials are never cached."""
        return self.users.check_credentials(request, credentials)

    async def acheck_credentials(
        self, request: object, credentials: Mapping[str, Any]
    ) -> Any | None:
        """Async twin of :meth:`check_credentials`."""
        return await self.users.acheck_credentials(request, credentials)

    def user_id(self, user: Any) -> str | int:
        """The user store's claim value of ``user``."""
        return self.users.user_id(user)

    def is_active(self, user: Any) -> bool:
        """The user store's answer."""
        return self.users.is_active(user)

    def password_hash(self, user: Any) -> str:
        """The user store's answer."""
        return self.users.password_hash(user)


class CachedAccounts(Accounts):
    """:class:`~jwtflow.ports.Accounts` over a :class:`CachedUserStore`.

    A cached user still has its token checked by the revocation store, every time. On a miss
    the revocation store loads the user as it would uncached (the model store: one query for
    the user and the check), and the user is cached.
    """

    users: CachedUserStore

    def load(self, user_id: object, check: TokenCheck) -> tuple[Any | None, bool]:
        """The user (cached or loaded) and whether the token is alive.

        Raises:
            StoreUnavailable: the store or the user database could not be reached.
        """
        user = self.users.cached(user_id)
        if user is not None:
            return user, self.blacklist.check_token(check)
        user, alive = self.blacklist.load_user(self.users.users, user_id, check)
        self.users.remember(user_id, user)
        return user, alive

    async def aload(self, user_id: object, check: TokenCheck) -> tuple[Any | None, bool]:
        """Async twin of :meth:`load`: the cache, the check and a miss in one thread hop."""
        # Imported here: asgiref (and asyncio with it) is not needed to import the core.
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.load)(user_id, check)
