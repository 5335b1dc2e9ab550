"""redis-py clients for the Redis store: one sync client, one native async client per event loop.

``redis://`` and ``rediss://`` (and ``unix://``) URLs name one server; ``redis+cluster://`` and
``rediss+cluster://`` name one node of a Redis Cluster, from which the client discovers the
others. Clients connect on first use, so a store can be built while Redis is down.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.cluster

from jwtflow.errors import ConfigurationError

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
SCHEMES = {"redis", "rediss", "unix", *CLUSTER_SCHEMES}


def parse_url(url: str) -> tuple[str, bool]:
    """Return ``(the URL redis-py understands, whether it names a cluster)``.

    Raises:
        ConfigurationError: the scheme is not one of :data:`SCHEMES`.
    """
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in SCHEMES:
        raise ConfigurationError(
            "BLACKLIST_REDIS_URL",
            f"{url!r} is not a Redis URL; use redis://host:6379/0 (rediss:// for TLS, "
            "unix:///path) or redis+cluster://host:7000 for a Redis Cluster.",
        )
    if scheme in CLUSTER_SCHEMES:
        return f"{CLUSTER_SCHEMES[scheme]}://{rest}", True
    return url, False


@dataclass(frozen=True)
class Client:
    """A redis-py client and the Lua scripts registered on it (by name)."""

    redis: Any
    scripts: Mapping[str, Any]


class Clients:
    """The sync client (built once, thread-safe) and the async clients, one per event loop.

    An asyncio client belongs to the loop it first ran on, and an application may run several
    loops over its life: Django runs an async view under WSGI in a fresh loop per request, and
    tests call ``asyncio.run`` many times. So each loop gets its own client, closed when the
    loop shuts down (an async generator registered with the loop: ``asyncio.run`` finalizes
    those before it closes the loop). Scripts are registered once per client; redis-py loads
    one into a server on first use.
    """

    def __init__(self, url: str, scripts: Mapping[str, str]) -> None:
        self.url, self.cluster = parse_url(url)
        self._scripts = scripts
        self._sync: Client | None = None
        self._lock = threading.Lock()
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Client, AsyncGenerator[None]]
        ] = weakref.WeakKeyDictionary()
        self._starting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self, factory: Any) -> Client:
        client = factory.from_url(self.url, decode_responses=True)
        scripts = {name: client.register_script(text) for name, text in self._scripts.items()}
        return Client(client, scripts)

    def sync(self) -> Client:
        """The sync client (a cluster client discovers its nodes on first use)."""
        with self._lock:
            if self._sync is None:
                self._sync = self._client(
                    redis.cluster.RedisCluster if self.cluster else redis.Redis
                )
            return self._sync

    async def async_(self) -> Client:
        """The async client of the running loop, started by the first task that asks."""
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:
            async with self._starting.setdefault(loop, asyncio.Lock()):
                entry = self._async.get(loop) or await self._start(loop)
        return entry[0]

    async def _start(self, loop: asyncio.AbstractEventLoop) -> tuple[Client, AsyncGenerator[None]]:
        client = self._client(
            redis.asyncio.cluster.RedisCluster if self.cluster else redis.asyncio.Redis
        )
        if self.cluster:
            # Learn the slot map once, before any command: redis-py's async cluster client,
            # first used by several tasks at once, can hand a task a connection another task's
            # start-up is still setting up (an AttributeError out of redis-py).
            try:
                await client.redis.initialize()
            except BaseException:
                await client.redis.aclose()
                raise
        closer = _closed_with_the_loop(client)
        await anext(closer)  # runs to its yield without suspending
        self._async[loop] = (client, closer)
        return client, closer

    def close(self) -> None:
        """Close the sync client's connections."""
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.redis.close()

    async def aclose(self) -> None:
        """Close the running loop's async client now rather than when the loop shuts down."""
        entry = self._async.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry[1].aclose()


async def _closed_with_the_loop(client: Client) -> AsyncGenerator[None]:
    """Yield once; the loop's ``shutdown_asyncgens`` (or :meth:`Clients.aclose`) resumes it."""
    try:
        yield
    finally:
        await client.redis.aclose()
