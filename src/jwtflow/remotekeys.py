"""Verifying with a remote JWK Set (``JWKS_URL``): the cached set, when to refetch, and the effect.

The core does no I/O. :class:`RemoteKeySet` is the cache and its policy, driven by the clock the
flow passes in; :func:`fetch_if_needed` is a small flow that yields :class:`FetchKeySet` when a
token needs keys the cache does not have (or the cache is stale). A driver performs it with the
runtime's ``jwks`` port (:class:`~jwtflow.jwksfetch.HttpKeySetFetcher`), sync or async, before
the authentication flow runs; the flow then reads the cache.

Policy: the set is refetched after ``JWKS_CACHE_SECONDS``, and for an unknown ``kid`` at most
once per ``JWKS_MIN_REFRESH_SECONDS`` (a flood of random kids cannot make us hammer the issuer;
failed attempts count too). A failed fetch keeps the cached set in use; with no set at all,
verification answers 503 ``store_unavailable``.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from jwtflow import codec
from jwtflow.config import Config
from jwtflow.effects import Effect
from jwtflow.errors import ConfigurationError, TokenError
from jwtflow.keys import Key, KeyRing

T = TypeVar("T")


class RemoteKeySet:
    """The keys of ``JWKS_URL`` last fetched, with the times that decide the next fetch."""

    def __init__(
        self, url: str, cache_seconds: float, min_refresh_seconds: float, timeout_seconds: float
    ) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.timeout_seconds = timeout_seconds
        # Imported here, not at the top: only a JWKS_URL needs locks, and `import jwtflow` stays
        # lighter without threading.
        import threading

        #: Held by a sync fetch, so concurrent threads share one request.
        self.fetch_lock = threading.Lock()
        self._state = threading.Lock()
        self._keys: dict[str, Key] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    @classmethod
    def from_config(cls, config: Config) -> RemoteKeySet | None:
        """The remote set of ``config``, or None without ``JWKS_URL``.

        Raises:
            ConfigurationError: ``JWKS_URL`` is set but httpx is not installed.
        """
        if config.jwks_url is None:
            return None
        # Imported here, not at the top: only a JWKS_URL needs it (import cost).
        import importlib.util

        if importlib.util.find_spec("httpx") is None:
            raise ConfigurationError(
                "JWKS_URL", "needs httpx to fetch the key set: pip install 'jwtflow[jwks]'."
            )
        return cls(
            config.jwks_url,
            config.jwks_cache_seconds,
            config.jwks_min_refresh_seconds,
            config.jwks_timeout_seconds,
        )

    @property
    def loaded(self) -> bool:
        """Whether a set was ever fetched."""
        return self._fetched_at is not None

    def get(self, kid: str) -> Key | None:
        """The fetched key with this kid, or None."""
        return self._keys.get(kid)

    def keys(self) -> tuple[Key, ...]:
        """Every fetched key."""
        return tuple(self._keys.values())

    def wants_fetch(self, kid: str | None, now: float) -> bool:
        """Whether a token with ``kid`` should trigger a fetch at ``now``."""
        with self._state:
            attempted = self._attempted_at
            if attempted is not None and now - attempted < self.min_refresh_seconds:
                return False
            if self._fetched_at is None or now - self._fetched_at >= self.cache_seconds:
                return True
            return kid is not None and kid not in self._keys

    def store(self, keys: Sequence[Key], now: float) -> None:
        """Replace the cache with freshly fetched ``keys``."""
        with self._state:
            self._keys = {key.kid: key for key in keys}
            self._fetched_at = self._attempted_at = now

    def failed(self, now: float) -> None:
        """Record a failed fetch: the cached set stays, the next try waits its turn."""
        with self._state:
            self._attempted_at = now


class KeySetFetcher(Protocol):
    """The ``jwks`` port: fetch a remote set into its cache (sync and async twins)."""

    def fetch(self, keyset: RemoteKeySet, kid: str | None, now: float) -> None:
        """Fetch ``keyset`` unless another caller just did; never raises for a network error."""

    async def afetch(self, keyset: RemoteKeySet, kid: str | None, now: float) -> None:
        """Async twin of :meth:`fetch`; concurrent callers share one request."""


@dataclass(frozen=True)
class FetchKeySet(Effect):
    """Fetch the remote key set (a token names a key it lacks, or it is stale); answers None."""

    keyset: RemoteKeySet
    kid: str | None
    now: float
    port = "jwks"
    method = "fetch"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.keyset, self.kid, self.now), {}


def fetch_if_needed(keys: KeyRing, raw: str, now: float) -> Generator[Effect, Any, None]:
    """Yield :class:`FetchKeySet` when ``raw`` needs the remote set fetched (again)."""
    remote = keys.remote
    if not isinstance(remote, RemoteKeySet):
        return
    try:
        kid = codec.unverified(raw)[0].get("kid")
    except TokenError:
        return  # verification refuses it anyway
    kid = kid if isinstance(kid, str) else None
    if kid is not None and keys.local(kid) is not None:
        return
    if remote.wants_fetch(kid, now):
        yield FetchKeySet(remote, kid, now)


def with_keys(
    keys: KeyRing, raw: str, now: float, flow: Generator[Effect, Any, T]
) -> Generator[Effect, Any, T]:
    """Run ``flow`` after fetching what :func:`fetch_if_needed` asks for."""
    yield from fetch_if_needed(keys, raw, now)
    return (yield from flow)
