"""``CacheBlacklistBackend``: sessions and the ``jti`` blacklist in a Django cache.

A Django cache offers two atomic primitives on shared servers (Redis, Memcached): ``add``
(set if absent) and ``incr``. It has no compare-and-set, so nothing here rewrites a value
that another request might be rewriting at the same time:

- consuming a refresh generation is ``add(<session>:g:<generation>)``: of concurrent refreshes
  with one token exactly one adds it (the single-use guarantee), like the ``jti`` blacklist;
- revoking a session is ``add(<session>:revoked)``, a key apart from the session record, so a
  concurrent rotation that rewrites the record cannot undo it;
- only the winner of a generation rewrites the record (its generation and expiry);
- a user's sessions are listed through ``incr`` on a per-user counter that numbers them.

Limits, documented in ``docs/stores.md``: a check is one ``get_many`` round trip but a rotation
is three (read, ``add``, write); a refresh inside ``REUSE_GRACE_PERIOD`` does not move
``last_refreshed``; two logout-alls in the same instant may keep the earlier of the two times;
the list shows the :data:`LIST_LIMIT` newest sessions.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from django.core.cache import BaseCache, caches

from jwtflow.config import Config
from jwtflow.errors import StoreUnavailable
from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck

#: How many of a user's newest sessions ``list_sessions`` looks at.
LIST_LIMIT = 100
_ENDED = Rotation(RotationOutcome.ENDED)


@contextmanager
def _fail_closed() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        # Each cache client raises its own errors (redis, pymemcache, ...): all mean "down".
        raise StoreUnavailable() from error


class CacheBlacklistBackend(BlacklistBackend):
    """Sessions and blacklist in a shared Django cache (``RedisCache``, django-redis, Memcached).

    ``refresh_lifetime`` bounds how far a rotation can push a session's expiry; a revocation is
    kept at least that long, so that a rotation racing it cannot outlive it.
    """

    KEY_PREFIX = "jwtflow:blacklist:"

    def __init__(
        self, alias: str = "default", *, refresh_lifetime: timedelta = timedelta(days=1)
    ) -> None:
        self.alias = alias
        self.refresh_lifetime = refresh_lifetime.total_seconds()

    @classmethod
    def from_config(cls, config: Config) -> Self:
        """Use the cache named by ``BLACKLIST_CACHE_ALIAS``."""
        return cls(config.blacklist_cache_alias, refresh_lifetime=config.refresh_token_lifetime)

    @property
    def cache(self) -> BaseCache:
        """The cache (Django keeps one object per thread)."""
        return caches[self.alias]

    # -- the jti blacklist

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Add ``jti`` with a TTL that ends at ``expires_at``; False if it is already there.

        Raises:
            StoreUnavailable: the cache failed.
        """
        ttl = max(1, math.ceil(expires_at.timestamp() - time.time()))
        with _fail_closed():
            return bool(self.cache.add(self.key(jti), 1, timeout=ttl))

    def is_blacklisted(self, jti: str) -> bool:
        """Return whether ``jti`` is in the cache.

        Raises:
            StoreUnavailable: the cache failed.
        """
        with _fail_closed():
            return self.cache.get(self.key(jti)) is not None

    def key(self, jti: str) -> str:
        """The cache key of ``jti``: hashed, so any ``jti`` makes a safe key for every backend."""
        return self.KEY_PREFIX + hashlib.sha256(jti.encode()).hexdigest()

    # -- keys of sessions: hashed, so any user id and sid make safe Memcached keys

    def session_key(self, user_key: str, sid: str) -> str:
        """The key of one session's record (its other keys append to it)."""
        return "jwtflow:s:" + _digest(f"{user_key}\0{sid}")

    def user_key_prefix(self, user_key: str) -> str:
        """The start of every per-user key: ``…:cutoff``, ``…:count``, ``…:<n>``."""
        return "jwtflow:u:" + _digest(user_key)

    # -- sessions

    def create_session(self, session: Session) -> None:
        """Store the record, then number it in the user's index.

        Raises:
            StoreUnavailable: the cache failed.
        """
        ttl = _ttl(session.expires, session.created)
        user = self.user_key_prefix(session.user_key)
        with _fail_closed():
            self.cache.set(self.session_key(session.user_key, session.sid), _record(session), ttl)
            if session.revoked:
                self._revoke(session.user_key, session.sid, session.expires, session.created)
            self.cache.add(f"{user}:count", 0, timeout=None)
            number = self.cache.incr(f"{user}:count")
            self.cache.set(f"{user}:{number}", session.sid, ttl)

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
        """Consume generation ``generation``: ``add`` of a per-generation key decides.

        Raises:
            StoreUnavailable: the cache failed.
        """
        key = self.session_key(user_key, sid)
        with _fail_closed():
            record = self._live_record(user_key, sid, now)
            if record is None:
                return _ENDED
            current = int(record["generation"])
            if generation == current:
                if self.cache.add(f"{key}:g:{current}", 1, _ttl(expires, now)):
                    self.cache.set(key, _advanced(record, now, expires), _ttl(expires, now))
                    return Rotation(RotationOutcome.ROTATED, current + 1)
                # A concurrent refresh consumed it first: this one is the just-rotated token.
                record = {**record, "rotated_at": now.timestamp()}
                current += 1
            if generation == current - 1 and _within_grace(record, now, grace_seconds):
                return Rotation(RotationOutcome.GRACE, current)
            self._revoke(user_key, sid, max(expires, _moment(record["expires"])), now)
            return Rotation(RotationOutcome.REUSED)

    def check_token(self, check: TokenCheck) -> bool:
        """Return whether the token is alive: one ``get_many``.

        Raises:
            StoreUnavailable: the cache failed.
        """
        with _fail_closed():
            if check.sid is None:
                cutoff = self.cache.get(f"{self.user_key_prefix(check.user_key)}:cutoff")
                return cutoff is None or check.issued_at >= cutoff
            record = self._live_record(check.user_key, check.sid, check.now)
        return record is not None and check.generation in (None, record["generation"])

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Revoke a live session of ``user_key``; ``add`` makes exactly one caller win.

        Raises:
            StoreUnavailable: the cache failed.
        """
        with _fail_closed():
            record = self._live_record(user_key, sid, now)
            if record is None:
                return False
            return self._revoke(user_key, sid, _moment(record["expires"]), now)

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        """Move the user's logout-all time forward to ``now``: one key, O(1).

        Raises:
            StoreUnavailable: the cache failed.
        """
        key = f"{self.user_key_prefix(user_key)}:cutoff"
        with _fail_closed():
            earlier = self.cache.get(key)
            cutoff = now.timestamp() if earlier is None else max(earlier, now.timestamp())
            self.cache.set(key, cutoff, _ttl(keep_until, now))

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Return the live sessions among the user's :data:`LIST_LIMIT` newest, newest first.

        Raises:
            StoreUnavailable: the cache failed.
        """
        user = self.user_key_prefix(user_key)
        with _fail_closed():
            count = int(self.cache.get(f"{user}:count") or 0)
            numbers = range(count, max(0, count - LIST_LIMIT), -1)
            slots = self.cache.get_many([f"{user}:{number}" for number in numbers])
            sids = [slots[f"{user}:{n}"] for n in numbers if f"{user}:{n}" in slots]
            found = [self._live_record(user_key, sid, now) for sid in sids]
        sessions = [_session(sid, user_key, r) for sid, r in zip(sids, found, strict=True) if r]
        return sorted(sessions, key=lambda session: session.created, reverse=True)

    def _live_record(self, user_key: str, sid: str, now: datetime) -> dict[str, Any] | None:
        """The session's record if it is live at ``now``, in one ``get_many``."""
        key = self.session_key(user_key, sid)
        cutoff_key = f"{self.user_key_prefix(user_key)}:cutoff"
        found = self.cache.get_many([key, f"{key}:revoked", cutoff_key])
        record: dict[str, Any] | None = found.get(key)
        if record is None or f"{key}:revoked" in found or record["expires"] <= now.timestamp():
            return None
        if record["created"] < found.get(cutoff_key, -math.inf):
            return None
        return record

    def _revoke(self, user_key: str, sid: str, expires: datetime, now: datetime) -> bool:
        # Kept past any expiry a racing rotation could give the record.
        ttl = max(_ttl(expires, now), math.ceil(self.refresh_lifetime)) + 60
        key = self.session_key(user_key, sid) + ":revoked"
        return bool(self.cache.add(key, 1, timeout=ttl))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ttl(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _record(session: Session) -> dict[str, Any]:
    rotated_at = None if session.rotated_at is None else session.rotated_at.timestamp()
    return {
        "created": session.created.timestamp(),
        "last_refreshed": session.last_refreshed.timestamp(),
        "expires": session.expires.timestamp(),
        "generation": session.generation,
        "rotated_at": rotated_at,
        "user_agent": session.user_agent,
    }


def _advanced(record: dict[str, Any], now: datetime, expires: datetime) -> dict[str, Any]:
    moment = now.timestamp()
    return {
        **record,
        "generation": record["generation"] + 1,
        "rotated_at": moment,
        "last_refreshed": moment,
        "expires": expires.timestamp(),
    }


def _within_grace(record: dict[str, Any], now: datetime, grace_seconds: float) -> bool:
    # A racing request may carry a `now` from before the rotation it lost to: without a grace
    # period that is still reuse.
    rotated_at = record["rotated_at"]
    return (
        grace_seconds > 0
        and rotated_at is not None
        and now.timestamp() < rotated_at + grace_seconds
    )


def _session(sid: str, user_key: str, record: dict[str, Any]) -> Session:
    rotated_at = record["rotated_at"]
    return Session(
        sid=sid,
        user_key=user_key,
        created=_moment(record["created"]),
        last_refreshed=_moment(record["last_refreshed"]),
        expires=_moment(record["expires"]),
        generation=record["generation"],
        rotated_at=None if rotated_at is None else _moment(rotated_at),
        user_agent=record["user_agent"],
    )
