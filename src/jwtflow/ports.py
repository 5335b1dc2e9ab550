"""What the flows need from the outside world: a session and blacklist store, and a user store.

Each I/O method ``x()`` has an async twin ``ax()``. :class:`BlacklistBackend` derives the twins
from the sync methods with one thread hop; a store with a native async client overrides them.
The session operations and their atomicity are described in ``docs/sessions.md``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, Self, TypeVar

from jwtflow.records import Rotation, Session, TokenCheck

if TYPE_CHECKING:
    from jwtflow.config import Config

_P = ParamSpec("_P")
_R = TypeVar("_R")


async def _in_thread(function: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Run ``function`` in asgiref's thread for sync code (``sync_to_async``) and await it."""
    # Imported here, not at the top: asgiref loads asyncio, slow to import, and only a default
    # async twin needs it (on an event loop, where asyncio is loaded already).
    from asgiref.sync import sync_to_async

    return await sync_to_async(function)(*args, **kwargs)


class BlacklistBackend(abc.ABC):
    """Revocation and session storage: sessions, logout-all times, and a ``jti`` blacklist.

    The ``jti`` blacklist (:meth:`blacklist`, :meth:`is_blacklisted`) serves the refresh tokens
    without a session that jwtflow 0.1 issued. The session operations default to raising
    ``NotImplementedError``; the Django adapter refuses at start-up a backend that lacks them.
    Every method answers from the store's primary: a revocation must be seen at once.
    """

    #: The session operations a complete backend implements (each with its ``a`` twin).
    SESSION_METHODS = (
        "create_session",
        "rotate_session",
        "check_token",
        "end_session",
        "end_all_sessions",
        "list_sessions",
    )

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

    def create_session(self, session: Session) -> None:
        """Store a new session, kept at least until ``session.expires``.

        ``session.sid`` is fresh (at least 128 random bits); a store need not check for clashes.

        Raises:
            StoreUnavailable: the store could not be reached.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def rotate_session(
        self,
        sid: str,
        user_key: str,
        generation: int,
        *,
        now: datetime,
        grace_seconds: float,
        expires: datetime,
    ) -> Rotation:
        """Consume the refresh token of generation ``generation``: ONE atomic compare-and-set.

        In one atomic step (a conditional UPDATE, a Lua script, a lock), with ``current`` the
        session's generation:

        - no live session (see :class:`TokenCheck`) -> ``ENDED``, nothing changes;
        - ``generation == current`` -> generation ``current + 1``, ``rotated_at`` and
          ``last_refreshed`` set to ``now``, ``expires`` set to ``expires`` -> ``ROTATED``;
        - ``grace_seconds > 0``, ``generation == current - 1`` and
          ``now < rotated_at + grace_seconds`` -> only ``last_refreshed`` set to ``now`` ->
          ``GRACE`` with ``current``. With 0 there is no grace even when ``now`` is before
          ``rotated_at``: a concurrent racer may have read its clock before the winner did;
        - any other generation -> the session is revoked -> ``REUSED``.

        Of concurrent calls with one generation exactly one is ``ROTATED``, across processes.

        Raises:
            StoreUnavailable: the store could not be reached; nothing was consumed.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def check_token(self, check: TokenCheck) -> bool:
        """Return whether the token described by ``check`` is alive, in one round trip.

        Raises:
            StoreUnavailable: the store could not be reached.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Revoke session ``sid`` of ``user_key``; True if this call ended a live session.

        False for an unknown ``sid``, one of another user, or one already ended (so a caller
        cannot learn whether another user's session exists). Atomic: of concurrent calls, one
        gets True.

        Raises:
            StoreUnavailable: the store could not be reached.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        """Log ``user_key`` out everywhere: set its logout-all time to ``now`` in O(1).

        Every session created before it and every sessionless token issued before it is refused
        from then on (:class:`TokenCheck`); later ones are not. Keep the time until at least
        ``keep_until`` (when every token issued before ``now`` has expired); a later call
        never moves it back.

        Raises:
            StoreUnavailable: the store could not be reached.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Return the live sessions of ``user_key`` at ``now``, newest ``created`` first.

        Raises:
            StoreUnavailable: the store could not be reached.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not store sessions")

    def load_user(
        self, users: UserStore, user_id: object, check: TokenCheck
    ) -> tuple[Any | None, bool]:
        """Load the user and answer ``check``: ``(user or None, alive)``.

        ``alive`` means nothing when the user is None. This default asks the user store, then
        :meth:`check_token`; a store that lives beside the users (the model store) overrides it
        to answer both in one query.

        Raises:
            StoreUnavailable: the store or the user database could not be reached.
        """
        user = users.get(user_id)
        return user, user is not None and self.check_token(check)

    async def ablacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Async twin of :meth:`blacklist` (a thread hop unless overridden)."""
        return await _in_thread(self.blacklist, jti, expires_at=expires_at)

    async def ais_blacklisted(self, jti: str) -> bool:
        """Async twin of :meth:`is_blacklisted` (a thread hop unless overridden)."""
        return await _in_thread(self.is_blacklisted, jti)

    async def acreate_session(self, session: Session) -> None:
        """Async twin of :meth:`create_session` (a thread hop unless overridden)."""
        await _in_thread(self.create_session, session)

    async def arotate_session(
        self,
        sid: str,
        user_key: str,
        generation: int,
        *,
        now: datetime,
        grace_seconds: float,
        expires: datetime,
    ) -> Rotation:
        """Async twin of :meth:`rotate_session` (a thread hop unless overridden)."""
        return await _in_thread(
            self.rotate_session,
            sid,
            user_key,
            generation,
            now=now,
            grace_seconds=grace_seconds,
            expires=expires,
        )

    async def acheck_token(self, check: TokenCheck) -> bool:
        """Async twin of :meth:`check_token` (a thread hop unless overridden)."""
        return await _in_thread(self.check_token, check)

    async def aend_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Async twin of :meth:`end_session` (a thread hop unless overridden)."""
        return await _in_thread(self.end_session, sid, user_key, now=now)

    async def aend_all_sessions(
        self, user_key: str, *, now: datetime, keep_until: datetime
    ) -> None:
        """Async twin of :meth:`end_all_sessions` (a thread hop unless overridden)."""
        await _in_thread(self.end_all_sessions, user_key, now=now, keep_until=keep_until)

    async def alist_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Async twin of :meth:`list_sessions` (a thread hop unless overridden)."""
        return await _in_thread(self.list_sessions, user_key, now=now)

    async def aload_user(
        self, users: UserStore, user_id: object, check: TokenCheck
    ) -> tuple[Any | None, bool]:
        """Async twin of :meth:`load_user`: the user store's and this store's twins awaited.

        A store whose ``acheck_token`` is a thread hop should override this to hop once.
        """
        user = await users.aget(user_id)
        return user, user is not None and await self.acheck_token(check)


class Accounts:
    """The user store and the blacklist backend together: the port of :class:`LoadCheckedUser`.

    It exists so that one effect can load a user and check a token in the same store call.
    """

    def __init__(self, blacklist: BlacklistBackend, users: UserStore) -> None:
        self.blacklist = blacklist
        self.users = users

    def load(self, user_id: object, check: TokenCheck) -> tuple[Any | None, bool]:
        """See :meth:`BlacklistBackend.load_user`."""
        return self.blacklist.load_user(self.users, user_id, check)

    async def aload(self, user_id: object, check: TokenCheck) -> tuple[Any | None, bool]:
        """Async twin of :meth:`load`."""
        return await self.blacklist.aload_user(self.users, user_id, check)


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
