"""What every library adapter offers, and the settings context they are built from.

A worker process runs one library in one *profile* (an algorithm and a revocation store); the
adapter turns the profile into Django settings before ``django.setup()`` and afterwards exposes
the operations the scenarios time. Anything a library cannot do in a profile raises
:class:`Unsupported`, which the table shows as "n/a" with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

#: profile -> algorithm; the revocation profiles all use HS256 so only the store differs.
PROFILES = {
    "hs256": "HS256",
    "rs256": "RS256",
    "es256": "ES256",
    "eddsa": "EdDSA",
    "model": "HS256",
    "cache": "HS256",
    "redis": "HS256",
    "usercache": "HS256",
}
#: Profiles in which a library checks every access token against a revocation store.
REVOCATION_PROFILES = ("model", "cache", "redis")
#: Profiles with a revocation store; the others run every library without one.
STORE_PROFILES = REVOCATION_PROFILES
#: Long enough that no token expires during a run (all libraries default to 5 minutes).
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
USERNAME = "bench"
PASSWORD = "bench-password-not-a-secret"


class Unsupported(Exception):
    """The library has no equivalent of what a scenario or profile asks for."""


@dataclass(frozen=True)
class Context:
    """Everything a settings module needs: profile, keys, paths and the Redis URL."""

    lib: str
    profile: str
    workdir: Path
    redis_url: str | None

    @property
    def algorithm(self) -> str:
        """The JWS algorithm of this profile."""
        return PROFILES[self.profile]

    @property
    def hmac_secret(self) -> str:
        """The shared HS256 secret (generated once per run)."""
        return (self.workdir / "keys" / "hs256.secret").read_text()

    @property
    def signing_key(self) -> str:
        """The secret (HS256) or the private PEM (RS256, ES256, EdDSA)."""
        if self.algorithm == "HS256":
            return self.hmac_secret
        return (self.workdir / "keys" / f"{self.profile}.private.pem").read_text()

    @property
    def verifying_key(self) -> str | None:
        """The public PEM for asymmetric profiles, None for HS256."""
        if self.algorithm == "HS256":
            return None
        return (self.workdir / "keys" / f"{self.profile}.public.pem").read_text()

    @property
    def database(self) -> Path:
        """One SQLite file per library and profile, so each has the tables its settings need."""
        return self.workdir / f"{self.lib}-{self.profile}.sqlite3"

    @classmethod
    def from_environ(cls) -> Context:
        """Read ``BENCH_LIB``, ``BENCH_PROFILE``, ``BENCH_DIR`` and ``BENCH_REDIS_URL``."""
        return cls(
            lib=os.environ["BENCH_LIB"],
            profile=os.environ.get("BENCH_PROFILE", "hs256"),
            workdir=Path(os.environ["BENCH_DIR"]),
            redis_url=os.environ.get("BENCH_REDIS_URL") or None,
        )


class Adapter:
    """One library behind the interface the scenarios use; subclasses override what they have.

    Before ``django.setup()`` only :meth:`settings` is called. The other methods run after it.
    """

    name = ""
    #: Whether access tokens are checked against a revocation store in the current profile.
    revocation = False

    def settings(self, ctx: Context) -> dict[str, Any]:
        """Django settings for ``ctx`` merged over the common ones (``INSTALLED_APPS`` appended).

        Raises:
            Unsupported: the library has nothing equivalent to this profile.
        """
        raise NotImplementedError

    def features(self) -> dict[str, bool]:
        """Optional features found by import (shown in the results JSON)."""
        return {}

    def obtain(self, username: str, password: str) -> tuple[str, str]:
        """Log in through the library's own token endpoint; return (access, refresh)."""
        raise NotImplementedError

    def verify(self, raw: str) -> Any:
        """Verify an access token without touching a database; return its claims."""
        raise NotImplementedError

    def login_pair(self, user: Any) -> tuple[str, str]:
        """Sign a fresh (access, refresh) pair for ``user`` without checking a password."""
        raise NotImplementedError

    def authentication(self, variant: str) -> Any:
        """The DRF authentication class: ``db`` (user from the database) or ``stateless``.

        Raises:
            Unsupported: the library has no such authentication.
        """
        raise NotImplementedError

    def aauthenticate(self, authenticator: Any, request: Any) -> Awaitable[Any]:
        """The library's async authentication, or DRF's fallback (the sync one in a thread)."""
        native = getattr(authenticator, "aauthenticate", None)
        if native is not None:
            result: Awaitable[Any] = native(request)
            return result
        from asgiref.sync import sync_to_async

        return sync_to_async(authenticator.authenticate)(request)

    def refresh_view(self) -> Any:
        """The view function of the refresh endpoint (rotating, blacklisting the old token).

        Raises:
            Unsupported: the library has no refresh endpoint.
        """
        raise NotImplementedError

    def async_view_base(self) -> Any:
        """The library's own async DRF view class.

        Raises:
            Unsupported: the library has none.
        """
        raise Unsupported("no async view class of its own")

    def async_view(self, authentication: type) -> Any:
        """The protected async view: ``async_view_base`` with an async ``get``.

        Raises:
            Unsupported: the library has no async view class.
        """
        from bench.views import protected_async

        return protected_async(self.async_view_base(), authentication)

    def open_async_view(self) -> Any:
        """``async_view_base`` with an async ``get`` and no authentication.

        Raises:
            Unsupported: the library has no async view class.
        """
        from bench.views import open_async

        return open_async(self.async_view_base())
