"""``RedisBlacklistBackend``: sessions, logout-all times and the ``jti`` blacklist in Redis.

Layout, with ``T`` the first 32 hex digits of ``sha256(user_key)`` in a hash tag, so that every
key of one user lives in one Redis Cluster slot:

- ``<prefix>:{T}:s:<sid>``: the session hash, expiring with the session;
- ``<prefix>:{T}:cutoff``: the logout-all time, expiring at its ``keep_until``;
- ``<prefix>:{T}:sessions``: a sorted set of the user's sids by ``created``, for the list;
- ``<prefix>:blacklist:<sha256 of the jti>``: a blacklisted ``jti``, expiring with its token.

Every check and every compare-and-set is one round trip (one ``EVALSHA``, ``GET`` or ``SET NX``).
Nothing needs pruning. Any Redis failure is :class:`~jwtflow.errors.StoreUnavailable`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

from jwtflow.errors import ConfigurationError, StoreUnavailable
from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, Session, TokenCheck
from jwtflow.redis import lua, values
from jwtflow.redis.clients import Clients

if TYPE_CHECKING:
    from jwtflow.config import Config

T = TypeVar("T")
SCRIPTS = {
    "create": lua.CREATE,
    "rotate": lua.ROTATE,
    "check": lua.CHECK,
    "end": lua.END,
    "end_all": lua.END_ALL,
}


@contextmanager
def _fail_closed() -> Iterator[None]:
    # It wraps only the client's work. redis-py raises RedisError for most failures, but not
    # for all (RedisClusterException while learning a cluster's slots; a race inside its async
    # cluster client has raised AttributeError): whatever the client raises is an outage, and
    # an outage is a 503, never a pass or a 500.
    try:
        yield
    except Exception as error:
        raise StoreUnavailable() from error


class RedisBlacklistBackend(BlacklistBackend):
    """Revocation and session storage in Redis or Redis Cluster; async calls use redis.asyncio.

    ``url`` is ``redis://host:6379/0`` (``rediss://`` for TLS) or ``redis+cluster://host:7000``
    for a Redis Cluster; ``prefix`` starts every key.
    """

    def __init__(self, url: str, *, prefix: str = "jwtflow") -> None:
        self.clients = Clients(url, SCRIPTS)
        self.prefix = prefix

    @classmethod
    def from_config(cls, config: Config) -> Self:
        """Use ``BLACKLIST_REDIS_URL``.

        Raises:
            ConfigurationError: the setting is missing or not a Redis URL.
        """
        if not config.blacklist_redis_url:
            raise ConfigurationError(
                "BLACKLIST_REDIS_URL",
                "is required by RedisBlacklistBackend; set it to redis://host:6379/0 or "
                "redis+cluster://host:7000.",
            )
        return cls(config.blacklist_redis_url)

    # -- keys

    def user_tag(self, user_key: str) -> str:
        """The hash tag shared by every key of ``user_key``."""
        return "{" + hashlib.sha256(user_key.encode()).hexdigest()[:32] + "}"

    def session_key(self, user_key: str, sid: str) -> str:
        """The key of one session's hash."""
        return f"{self.prefix}:{self.user_tag(user_key)}:s:{sid}"

    def cutoff_key(self, user_key: str) -> str:
        """The key of a user's logout-all time."""
        return f"{self.prefix}:{self.user_tag(user_key)}:cutoff"

    def index_key(self, user_key: str) -> str:
        """The key of a user's sorted set of session ids."""
        return f"{self.prefix}:{self.user_tag(user_key)}:sessions"

    def blacklist_key(self, jti: str) -> str:
        """The key of a blacklisted ``jti`` (hashed, so any ``jti`` makes a safe key)."""
        return f"{self.prefix}:blacklist:{hashlib.sha256(jti.encode()).hexdigest()}"

    # -- plumbing: one sync and one async way to run a command or a script

    def _run(self, command: Callable[[Any], T]) -> T:
        with _fail_closed():
            return command(self.clients.sync())

    async def _arun(self, command: Callable[[Any], Awaitable[T]]) -> T:
        with _fail_closed():
            return await command(await self.clients.async_())

    @staticmethod
    def _script(name: str, keys: list[str], args: list[Any]) -> Callable[[Any], Any]:
        return lambda client: client.scripts[name](keys=keys, args=args, client=client.redis)

    def close(self) -> None:
        """Close the sync client's connections."""
        self.clients.close()

    async def aclose(self) -> None:
        """Close the running event loop's client; call it before a loop you started ends."""
        await self.clients.aclose()

    # -- the jti blacklist

    def _blacklist(self, jti: str, expires_at: datetime) -> Callable[[Any], Any]:
        ttl = max(1, math.ceil((expires_at.timestamp() - time.time()) * 1000))
        key = self.blacklist_key(jti)
        return lambda client: client.redis.set(key, 1, nx=True, px=ttl)

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """``SET NX`` with a TTL ending at ``expires_at``; False if it was there.

        Raises:
            StoreUnavailable: Redis failed.
        """
        return bool(self._run(self._blacklist(jti, expires_at)))

    async def ablacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Async twin of :meth:`blacklist`, on redis.asyncio."""
        return bool(await self._arun(self._blacklist(jti, expires_at)))

    def is_blacklisted(self, jti: str) -> bool:
        """Return whether ``jti`` is blacklisted.

        Raises:
            StoreUnavailable: Redis failed.
        """
        key = self.blacklist_key(jti)
        return bool(self._run(lambda client: client.redis.exists(key)))

    async def ais_blacklisted(self, jti: str) -> bool:
        """Async twin of :meth:`is_blacklisted`, on redis.asyncio."""
        key = self.blacklist_key(jti)
        return bool(await self._arun(lambda client: client.redis.exists(key)))

    # -- sessions (see docs/sessions.md for what each must do)

    def _create(self, session: Session) -> Callable[[Any], Any]:
        rotated_at = "" if session.rotated_at is None else values.seconds(session.rotated_at)
        keys = [self.session_key(session.user_key, session.sid), self.index_key(session.user_key)]
        args: list[Any] = [session.sid, values.seconds(session.created)]
        args.append(values.seconds(session.last_refreshed))
        args += [values.seconds(session.expires), session.generation, rotated_at]
        args += [
            "1" if session.revoked else "0",
            session.user_agent,
            values.seconds(session.created),
        ]
        return self._script("create", keys, args)

    def create_session(self, session: Session) -> None:
        """Store ``session`` until it expires.

        Raises:
            StoreUnavailable: Redis failed.
        """
        self._run(self._create(session))

    async def acreate_session(self, session: Session) -> None:
        """Async twin of :meth:`create_session`, on redis.asyncio."""
        await self._arun(self._create(session))

    def _rotate(
        self, sid: str, user_key: str, generation: int, now: datetime, grace: float, end: datetime
    ) -> Callable[[Any], Any]:
        keys = [self.session_key(user_key, sid), self.cutoff_key(user_key)]
        keys.append(self.index_key(user_key))
        args = [generation, values.seconds(now), repr(float(grace)), values.seconds(end)]
        return self._script("rotate", keys, args)

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
        """Consume generation ``generation`` of session ``sid``: one Lua compare-and-set.

        Raises:
            StoreUnavailable: Redis failed; nothing was consumed, or nothing is known.
        """
        command = self._rotate(sid, user_key, generation, now, grace_seconds, expires)
        return values.rotation(self._run(command))

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
        """Async twin of :meth:`rotate_session`, on redis.asyncio."""
        command = self._rotate(sid, user_key, generation, now, grace_seconds, expires)
        return values.rotation(await self._arun(command))

    def _check(self, check: TokenCheck) -> Callable[[Any], Any]:
        cutoff = self.cutoff_key(check.user_key)
        if check.sid is None:
            # A sessionless token: only the logout-all time matters, a plain GET.
            return lambda client: client.redis.get(cutoff)
        keys = [self.session_key(check.user_key, check.sid), cutoff]
        generation = "" if check.generation is None else check.generation
        return self._script("check", keys, [values.seconds(check.now), generation])

    def check_token(self, check: TokenCheck) -> bool:
        """Return whether the token is alive, in one round trip.

        Raises:
            StoreUnavailable: Redis failed.
        """
        return values.alive(check, self._run(self._check(check)))

    async def acheck_token(self, check: TokenCheck) -> bool:
        """Async twin of :meth:`check_token`, on redis.asyncio."""
        return values.alive(check, await self._arun(self._check(check)))

    def _end(self, sid: str, user_key: str, now: datetime) -> Callable[[Any], Any]:
        keys = [self.session_key(user_key, sid), self.cutoff_key(user_key)]
        return self._script("end", keys, [values.seconds(now)])

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Revoke a live session of ``user_key``; True if this call did.

        Raises:
            StoreUnavailable: Redis failed.
        """
        return bool(self._run(self._end(sid, user_key, now)))

    async def aend_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Async twin of :meth:`end_session`, on redis.asyncio."""
        return bool(await self._arun(self._end(sid, user_key, now)))

    def _end_all(self, user_key: str, now: datetime, keep_until: datetime) -> Callable[[Any], Any]:
        keys = [self.cutoff_key(user_key)]
        return self._script("end_all", keys, [values.seconds(now), values.seconds(keep_until)])

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        """Move the logout-all time of ``user_key`` forward to ``now``: one key, O(1).

        Raises:
            StoreUnavailable: Redis failed.
        """
        self._run(self._end_all(user_key, now, keep_until))

    async def aend_all_sessions(
        self, user_key: str, *, now: datetime, keep_until: datetime
    ) -> None:
        """Async twin of :meth:`end_all_sessions`, on redis.asyncio."""
        await self._arun(self._end_all(user_key, now, keep_until))

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Return the live sessions of ``user_key``, newest first (two round trips).

        Ids whose session hash has expired are then dropped from the index (a third).

        Raises:
            StoreUnavailable: Redis failed.
        """
        sids, cutoff = self._run(self._list_index(user_key))
        rows = self._run(self._list_rows(user_key, sids)) if sids else []
        if lapsed := values.lapsed(sids, rows):
            self._run(self._forget(user_key, lapsed))
        return values.live_sessions(user_key, sids, rows, cutoff, now)

    async def alist_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """Async twin of :meth:`list_sessions`, on redis.asyncio."""
        sids, cutoff = await self._arun(self._list_index(user_key))
        rows = await self._arun(self._list_rows(user_key, sids)) if sids else []
        if lapsed := values.lapsed(sids, rows):
            await self._arun(self._forget(user_key, lapsed))
        return values.live_sessions(user_key, sids, rows, cutoff, now)

    def _forget(self, user_key: str, sids: list[str]) -> Callable[[Any], Any]:
        index = self.index_key(user_key)
        return lambda client: client.redis.zrem(index, *sids)

    def _list_index(self, user_key: str) -> Callable[[Any], Any]:
        index, cutoff = self.index_key(user_key), self.cutoff_key(user_key)

        def read(client: Any) -> Any:
            pipe = client.redis.pipeline(transaction=False)
            pipe.zrevrange(index, 0, -1)
            pipe.get(cutoff)
            return pipe.execute()

        return read

    def _list_rows(self, user_key: str, sids: list[str]) -> Callable[[Any], Any]:
        keys = [self.session_key(user_key, sid) for sid in sids]

        def read(client: Any) -> Any:
            pipe = client.redis.pipeline(transaction=False)
            for key in keys:
                pipe.hmget(key, values.FIELDS)
            return pipe.execute()

        return read
