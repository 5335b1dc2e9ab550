"""In-memory stores: for tests and for using the core without a framework.

They keep state in the process, so they are wrong for anything with more than one process.
Their async twins are native (no thread hop).
"""

from __future__ import annotations

import dataclasses
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jwtflow.clock import Clock, SystemClock
from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck


class MemoryBlacklistBackend(BlacklistBackend):
    """Sessions, logout-all times and a blacklist in dicts, behind one lock (so atomic).

    Give it the runtime's clock so that blacklist entries expire by the same time the tokens
    do; the session operations take ``now`` from their callers.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._entries: dict[str, float] = {}
        self._sessions: dict[str, Session] = {}
        self._cutoffs: dict[str, tuple[datetime, datetime]] = {}
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

    def create_session(self, session: Session) -> None:
        """Keep ``session`` (and forget expired ones, so memory stays bounded)."""
        with self._lock:
            self._purge_sessions(session.created)
            self._sessions[session.sid] = session

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
        """Consume ``generation`` of session ``sid`` under the lock (see the base class)."""
        with self._lock:
            session = self._live_session(sid, user_key, now)
            if session is None:
                return Rotation(RotationOutcome.ENDED)
            current = session.generation
            if generation == current:
                self._sessions[sid] = dataclasses.replace(
                    session,
                    generation=current + 1,
                    rotated_at=now,
                    last_refreshed=now,
                    expires=expires,
                )
                return Rotation(RotationOutcome.ROTATED, current + 1)
            rotated_at = session.rotated_at
            if (
                grace_seconds > 0
                and generation == current - 1
                and rotated_at is not None
                and (now - rotated_at).total_seconds() < grace_seconds
            ):
                self._sessions[sid] = dataclasses.replace(session, last_refreshed=now)
                return Rotation(RotationOutcome.GRACE, current)
            self._sessions[sid] = dataclasses.replace(session, revoked=True)
            return Rotation(RotationOutcome.REUSED)

    def check_token(self, check: TokenCheck) -> bool:
        """Answer ``check`` (see :class:`~jwtflow.records.TokenCheck`)."""
        with self._lock:
            if check.sid is None:
                not_before = self._not_before(check.user_key, check.now)
                return not_before is None or check.issued_at >= not_before.timestamp()
            session = self._live_session(check.sid, check.user_key, check.now)
            return session is not None and check.generation in (None, session.generation)

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Revoke session ``sid`` of ``user_key``; True if it was live."""
        with self._lock:
            session = self._live_session(sid, user_key, now)
            if session is None:
                return False
            self._sessions[sid] = dataclasses.replace(session, revoked=True)
            return True

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        """Move ``user_key``'s logout-all time forward to ``now``."""
        with self._lock:
            previous = self._cutoffs.get(user_key)
            if previous is not None:
                now, keep_until = max(previous[0], now), max(previous[1], keep_until)
            self._cutoffs[user_key] = (now, keep_until)

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """The live sessions of ``user_key``, newest first."""
        with self._lock:
            self._purge_sessions(now)
            found = [
                session
                for sid, session in self._sessions.items()
                if self._live_session(sid, user_key, now) is not None
            ]
        return sorted(found, key=lambda session: session.created, reverse=True)

    async def acreate_session(self, session: Session) -> None:
        """Same as :meth:`create_session`; memory needs no thread hop."""
        self.create_session(session)

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
        """Same as :meth:`rotate_session`; memory needs no thread hop."""
        return self.rotate_session(
            sid, user_key, generation, now=now, grace_seconds=grace_seconds, expires=expires
        )

    async def acheck_token(self, check: TokenCheck) -> bool:
        """Same as :meth:`check_token`; memory needs no thread hop."""
        return self.check_token(check)

    async def aend_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Same as :meth:`end_session`; memory needs no thread hop."""
        return self.end_session(sid, user_key, now=now)

    async def aend_all_sessions(
        self, user_key: str, *, now: datetime, keep_until: datetime
    ) -> None:
        """Same as :meth:`end_all_sessions`; memory needs no thread hop."""
        self.end_all_sessions(user_key, now=now, keep_until=keep_until)

    async def alist_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Same as :meth:`list_sessions`; memory needs no thread hop."""
        return self.list_sessions(user_key, now=now)

    def _not_before(self, user_key: str, now: datetime) -> datetime | None:
        cutoff = self._cutoffs.get(user_key)
        return cutoff[0] if cutoff is not None and cutoff[1] > now else None

    def _live_session(self, sid: str, user_key: str, now: datetime) -> Session | None:
        session = self._sessions.get(sid)
        if session is None or session.user_key != user_key:
            return None
        not_before = self._not_before(user_key, now)
        if session.revoked or session.expires <= now:
            return None
        return session if not_before is None or session.created >= not_before else None

    def _purge_sessions(self, now: datetime) -> None:
        for sid in [sid for sid, session in self._sessions.items() if session.expires <= now]:
            del self._sessions[sid]

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
