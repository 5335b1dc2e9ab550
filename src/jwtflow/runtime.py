"""The runtime: config, keys, clock and ports bundled, and the hook that provides the current one.

The core reads no global settings. A framework adapter (``jwtflow.django``) installs a provider
once at start-up; token classmethods such as ``AccessToken.for_user`` ask it for the runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jwtflow.clock import Clock, SystemClock
from jwtflow.config import Config
from jwtflow.errors import ConfigurationError
from jwtflow.jwksfetch import HttpKeySetFetcher
from jwtflow.keys import KeyRing
from jwtflow.ports import Accounts, BlacklistBackend, UserStore
from jwtflow.remotekeys import KeySetFetcher, RemoteKeySet
from jwtflow.rules import default_user_authentication_rule


@dataclass(frozen=True)
class Ports:
    """The stores the flows' effects are performed against.

    ``accounts`` is the two stores together, for the lookup that needs both; by default an
    :class:`Accounts` over ``blacklist`` and ``users`` (the user cache passes its own).
    """

    blacklist: BlacklistBackend
    users: UserStore
    jwks: KeySetFetcher = field(default_factory=HttpKeySetFetcher, repr=False, compare=False)
    accounts: Accounts = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.accounts is None:
            object.__setattr__(self, "accounts", Accounts(self.blacklist, self.users))


@dataclass(frozen=True)
class Runtime:
    """Everything a flow needs; immutable and shared across requests."""

    config: Config
    keys: KeyRing
    ports: Ports
    clock: Clock = field(default_factory=SystemClock)
    rule: Callable[[Any], bool] = default_user_authentication_rule

    @classmethod
    def build(
        cls,
        config: Config,
        ports: Ports,
        clock: Clock | None = None,
        rule: Callable[[Any], bool] = default_user_authentication_rule,
    ) -> Runtime:
        """Parse the keys of ``config`` and bundle them with the ports.

        Raises:
            ConfigurationError: the key material does not fit the algorithm.
        """
        keys = KeyRing.from_config(config, RemoteKeySet.from_config(config))
        return cls(config, keys, ports, clock or SystemClock(), rule)


_provider: Callable[[], Runtime] | None = None


def install(provider: Callable[[], Runtime] | None) -> Callable[[], Runtime] | None:
    """Make ``provider`` the source of :func:`current` (None uninstalls); return the old one."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def current() -> Runtime:
    """Return the runtime of the installed provider.

    Raises:
        ConfigurationError: no provider is installed (``jwtflow.django`` is not in INSTALLED_APPS).
    """
    if _provider is None:
        raise ConfigurationError(
            "*",
            "jwtflow is not set up: add 'jwtflow.django' to INSTALLED_APPS, "
            "or call jwtflow.runtime.install() with a Runtime provider.",
        )
    return _provider()
