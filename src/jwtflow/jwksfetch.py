"""The ``jwks`` port: fetching a remote JWK Set over HTTPS with httpx, sync and async.

The only network I/O in the package, imported lazily: httpx (the ``jwtflow[jwks]`` extra) is
needed only when ``JWKS_URL`` is set. Concurrent callers share one request: threads wait on the
set's lock, coroutines of one event loop on that loop's lock, and whoever gets it second finds
the cache fresh and does not fetch again. A fetch never raises for a network or format problem;
it records the failure and the cached set (if any) stays in use.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from jwtflow.jwkset import keys_from_jwks
from jwtflow.remotekeys import RemoteKeySet

if TYPE_CHECKING:
    import asyncio


class HttpKeySetFetcher:
    """Fetches remote key sets with httpx; redirects are not followed."""

    def __init__(self) -> None:
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def fetch(self, keyset: RemoteKeySet, kid: str | None, now: float) -> None:
        """Fetch ``keyset`` unless another thread just did."""
        # Imported here: httpx is the optional `jwks` extra, and slow to import.
        import httpx

        with keyset.fetch_lock:
            if not keyset.wants_fetch(kid, now):
                return
            try:
                with httpx.Client(timeout=keyset.timeout_seconds) as client:
                    response = client.get(keyset.url, headers={"Accept": "application/json"})
                self._store(keyset, response, now)
            except httpx.HTTPError as error:
                self._failed(keyset, now, error)

    async def afetch(self, keyset: RemoteKeySet, kid: str | None, now: float) -> None:
        """Fetch ``keyset`` without blocking the event loop, unless another task just did."""
        # Imported here: httpx is the optional `jwks` extra, and slow to import.
        import httpx

        async with self._lock():
            if not keyset.wants_fetch(kid, now):
                return
            try:
                async with httpx.AsyncClient(timeout=keyset.timeout_seconds) as client:
                    response = await client.get(keyset.url, headers={"Accept": "application/json"})
                self._store(keyset, response, now)
            except httpx.HTTPError as error:
                self._failed(keyset, now, error)

    def _lock(self) -> asyncio.Lock:
        # Imported here, not at the top: asyncio is slow to import, and only afetch needs it
        # (on an event loop, where asyncio is loaded already).
        import asyncio

        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock

    def _store(self, keyset: RemoteKeySet, response: Any, now: float) -> None:
        response.raise_for_status()
        try:
            keys = keys_from_jwks(response.json())
        except ValueError as error:
            self._failed(keyset, now, error)
            return
        keyset.store(keys, now)

    def _failed(self, keyset: RemoteKeySet, now: float, error: Exception) -> None:
        # Imported here, not at the top: only a failed fetch logs, and logging is slow to import.
        import logging

        logging.getLogger("jwtflow").warning(
            "jwtflow: fetching JWKS_URL %s failed: %s", keyset.url, error
        )
        keyset.failed(now)
