"""Fixtures for the core tests: PEM keys, a frozen clock, memory ports, runtimes and drivers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from jwtflow import runtime as runtime_module
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.drivers import run_async, run_sync
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.rules import default_user_authentication_rule
from jwtflow.runtime import Ports, Runtime
from tests.pem import KeyPair, key_pair

from .helpers import ASYMMETRIC_KEYS, LONG_SECRET, SECRET, Drive, MakeRuntime


@pytest.fixture(scope="session")
def pem() -> Callable[[str], KeyPair]:
    """Return ``pem(name)``: a PEM key pair generated once per session (see tests.pem)."""
    return key_pair


@pytest.fixture
def signing_settings(pem: Callable[[str], KeyPair]) -> Callable[[str, str | None], dict[str, Any]]:
    """Return ``settings(algorithm, key_name)``: ALGORITHM and a fitting SIGNING_KEY."""

    def settings(algorithm: str, key_name: str | None = None) -> dict[str, Any]:
        if algorithm.startswith("HS"):
            return {"ALGORITHM": algorithm, "SIGNING_KEY": LONG_SECRET}
        name = key_name or ASYMMETRIC_KEYS[algorithm]
        return {"ALGORITHM": algorithm, "SIGNING_KEY": pem(name).private}

    return settings


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at the current second.

    It starts at the real time because :class:`MemoryBlacklistBackend` expires entries by the
    wall clock.
    """
    return FrozenClock(float(int(time.time())))


@pytest.fixture
def alice() -> MemoryUser:
    """An active user."""
    return MemoryUser(id=1, username="alice", password="alice-password")


@pytest.fixture
def bob() -> MemoryUser:
    """An inactive user."""
    return MemoryUser(id=2, username="bob", password="bob-password", is_active=False)


@pytest.fixture
def users(alice: MemoryUser, bob: MemoryUser) -> MemoryUserStore:
    """A user store holding alice and bob."""
    return MemoryUserStore([alice, bob])


@pytest.fixture
def blacklist() -> MemoryBlacklistBackend:
    """An empty memory blacklist."""
    return MemoryBlacklistBackend()


@pytest.fixture
def ports(blacklist: MemoryBlacklistBackend, users: MemoryUserStore) -> Ports:
    """The memory ports."""
    return Ports(blacklist=blacklist, users=users)


@pytest.fixture(autouse=True)
def restore_provider() -> Iterator[None]:
    """Put back whatever runtime provider was installed before the test.

    The Django app installs its provider at start-up and later tests rely on it, so a bare
    ``install(None)`` in teardown would break them.
    """
    previous = runtime_module.install(None)
    runtime_module.install(previous)
    yield
    runtime_module.install(previous)


@pytest.fixture
def make_runtime(ports: Ports, clock: FrozenClock) -> MakeRuntime:
    """Return ``make_runtime(rule=..., ports=..., **settings)``: build a runtime and install it.

    ``SIGNING_KEY`` defaults to :data:`SECRET`; :func:`restore_provider` uninstalls it.
    """

    def make(
        rule: Callable[[Any], bool] = default_user_authentication_rule,
        ports: Ports = ports,
        **settings: Any,
    ) -> Runtime:
        config = Config.from_mapping({"SIGNING_KEY": SECRET, **settings})
        built = Runtime.build(config, ports, clock=clock, rule=rule)
        runtime_module.install(lambda: built)
        return built

    return make


@pytest.fixture
def no_provider() -> None:
    """Uninstall any runtime provider for this test."""
    runtime_module.install(None)


@pytest.fixture
def runtime(make_runtime: MakeRuntime) -> Runtime:
    """The default runtime (HS256, blacklist on, rotation on), installed."""
    return make_runtime()


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest) -> Drive:
    """Run a flow with ``run_sync`` or, under ``asyncio.run``, ``run_async``."""
    if request.param == "sync":
        return run_sync

    def run(flow: Generator[Any, Any, Any], ports: Ports) -> Any:
        return asyncio.run(run_async(flow, ports))

    return run
