"""The user cache: hits skip the user store, a forget beats a stale fill, outages fall back."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.errors import (
    ConfigurationError,
    JWTFlowError,
    PasswordChanged,
    TokenBlacklisted,
    UserInactive,
    UserNotFound,
)
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.records import TokenCheck
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import AccessToken, RefreshToken
from jwtflow.usercache import FORGOTTEN, CachedAccounts, CachedUserStore

from .helpers import SECRET, Drive, MakeRuntime, fails


class DictCache:
    """A cache in a dict (timeouts recorded, not enforced); ``down`` makes every call fail."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.timeouts: dict[str, float] = {}
        self.down = False

    def _reach(self) -> None:
        if self.down:
            raise ConnectionError("cache server down")

    def get(self, key: str) -> Any:
        self._reach()
        return self.entries.get(key)

    def add(self, key: str, value: Any, timeout: float) -> bool:
        self._reach()
        if key in self.entries:
            return False
        self.entries[key], self.timeouts[key] = value, timeout
        return True

    def set(self, key: str, value: Any, timeout: float) -> None:
        self._reach()
        self.entries[key], self.timeouts[key] = value, timeout


class CountingUsers(MemoryUserStore):
    """A memory user store that counts lookups; ``get`` hands out copies, like a database."""

    def __init__(self, users: list[MemoryUser]) -> None:
        super().__init__(users)
        self.lookups = 0

    def get(self, user_id: object) -> MemoryUser | None:
        self.lookups += 1
        found = super().get(user_id)
        return None if found is None else dataclasses.replace(found)


class CountingBlacklist(MemoryBlacklistBackend):
    """A memory store that counts user loads and token checks."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = self.checks = 0

    def load_user(self, users: Any, user_id: object, check: TokenCheck) -> tuple[Any, bool]:
        self.loads += 1
        return super().load_user(users, user_id, check)

    def check_token(self, check: TokenCheck) -> bool:
        self.checks += 1
        return super().check_token(check)


@pytest.fixture
def inner(alice: MemoryUser, bob: MemoryUser) -> CountingUsers:
    return CountingUsers([alice, bob])


@pytest.fixture
def cache() -> DictCache:
    return DictCache()


@pytest.fixture
def cached(inner: CountingUsers, cache: DictCache) -> CachedUserStore:
    return CachedUserStore(inner, cache, 60.0, "users.id")


@pytest.fixture
def store() -> CountingBlacklist:
    return CountingBlacklist()


@pytest.fixture
def cached_runtime(
    make_runtime: MakeRuntime, store: CountingBlacklist, cached: CachedUserStore
) -> Runtime:
    ports = Ports(store, cached, accounts=CachedAccounts(store, cached))
    return make_runtime(ports=ports, CHECK_REVOKE_TOKEN=True)


def test_a_hit_skips_the_user_store(cached: CachedUserStore, inner: CountingUsers) -> None:
    first, second = cached.get(1), cached.get(1)
    assert first is not None
    assert second is not None
    assert (first.username, second.username) == ("alice", "alice")
    assert inner.lookups == 1


def test_entries_live_user_cache_seconds(cached: CachedUserStore, cache: DictCache) -> None:
    cached.get(1)
    assert list(cache.timeouts.values()) == [60.0]


def test_nobody_found_is_not_cached(cached: CachedUserStore, inner: CountingUsers) -> None:
    assert cached.get(99) is None
    assert cached.get(99) is None
    assert inner.lookups == 2


def test_keys_separate_types_and_namespaces(
    cached: CachedUserStore, inner: CountingUsers, cache: DictCache
) -> None:
    assert cached.key(42) != cached.key("42")
    other = CachedUserStore(inner, cache, 60.0, "users.uuid")
    assert other.key(42) != cached.key(42)
    assert cached.key(42) == cached.key(42)


@pytest.mark.parametrize("user_id", [1.0, True, None, b"1", ("1",)])
def test_ids_no_token_carries_bypass_the_cache(
    cached: CachedUserStore, inner: CountingUsers, cache: DictCache, user_id: object
) -> None:
    assert cached.key(user_id) is None
    cached.get(user_id)
    cached.remember(user_id, MemoryUser(id=1, username="x", password="y"))
    cached.forget(user_id)
    assert cache.entries == {}
    assert inner.lookups == 1


def test_forget_tombstones_and_the_next_request_reloads(
    cached: CachedUserStore, inner: CountingUsers, cache: DictCache
) -> None:
    cached.get(1)
    inner.users[1].is_active = False
    cached.forget(1)
    assert list(cache.entries.values()) == [FORGOTTEN]
    user = cached.get(1)
    assert user is not None
    assert not user.is_active
    assert inner.lookups == 2


def test_a_stale_fill_after_forget_is_refused(
    cached: CachedUserStore, inner: CountingUsers
) -> None:
    # A request reads the row, the user is changed and forgotten, then the request fills.
    stale = inner.get(1)
    inner.users[1].is_active = False
    cached.forget(1)
    cached.remember(1, stale)
    user = cached.get(1)
    assert user is not None
    assert not user.is_active


def test_a_cache_that_is_down_is_a_miss(
    cached: CachedUserStore, inner: CountingUsers, cache: DictCache, caplog: Any
) -> None:
    cache.down = True
    user = cached.get(1)
    assert user is not None
    assert user.username == "alice"
    assert cached.get(1) is not None
    assert inner.lookups == 2
    assert "user cache read failed" in caplog.text
    assert "user cache write failed" in caplog.text


def test_forgetting_in_a_cache_that_is_down_raises(
    cached: CachedUserStore, cache: DictCache
) -> None:
    cache.down = True
    with pytest.raises(ConnectionError):
        cached.forget(1)


def test_aget_is_get(cached: CachedUserStore, inner: CountingUsers) -> None:
    user = asyncio.run(cached.aget(1))
    again = asyncio.run(cached.aget(1))
    assert user is not None
    assert again is not None
    assert again.username == "alice"
    assert inner.lookups == 1


def test_everything_else_is_the_user_store(
    cached: CachedUserStore, inner: CountingUsers, alice: MemoryUser, bob: MemoryUser
) -> None:
    good = {"username": "alice", "password": "alice-password"}
    assert cached.check_credentials(None, good) is alice
    assert asyncio.run(cached.acheck_credentials(None, good)) is alice
    assert cached.check_credentials(None, {**good, "password": "no"}) is None
    assert (cached.user_id(alice), cached.is_active(bob)) == (1, False)
    assert cached.password_hash(alice) == inner.password_hash(alice)


def test_authenticate_with_revocation_checks_the_token_on_every_hit(
    drive: Drive, cached_runtime: Runtime, store: CountingBlacklist, inner: CountingUsers
) -> None:
    raw = str(AccessToken.for_user(inner.users[1]))
    for _ in range(3):
        user, _token = drive(flows.authenticate(cached_runtime, raw), cached_runtime.ports)
        assert user.username == "alice"
    # One load on the miss (the memory store's load checks the token too), then a check per hit.
    assert (inner.lookups, store.loads, store.checks) == (1, 1, 3)


def test_an_ended_session_never_rides_on_a_cached_user(
    drive: Drive, cached_runtime: Runtime, inner: CountingUsers
) -> None:
    alice = inner.users[1]
    refresh = RefreshToken.for_user(alice)
    raw = str(refresh.access_token)
    drive(flows.authenticate(cached_runtime, raw), cached_runtime.ports)
    drive(flows.blacklist(cached_runtime, str(refresh)), cached_runtime.ports)
    fails(drive, flows.authenticate(cached_runtime, raw), cached_runtime.ports, TokenBlacklisted)


def test_logout_all_never_rides_on_a_cached_user(
    drive: Drive, cached_runtime: Runtime, inner: CountingUsers, clock: FrozenClock
) -> None:
    alice = inner.users[1]
    raw = str(RefreshToken.for_user(alice).access_token)
    drive(flows.authenticate(cached_runtime, raw), cached_runtime.ports)
    clock.advance(1)
    drive(flows.logout_all(cached_runtime, alice), cached_runtime.ports)
    fails(drive, flows.authenticate(cached_runtime, raw), cached_runtime.ports, TokenBlacklisted)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda user: setattr(user, "is_active", False), UserInactive),
        (lambda user: setattr(user, "password", "a new hash"), PasswordChanged),
    ],
)
def test_a_forgotten_change_is_seen_by_the_next_request(
    drive: Drive,
    cached_runtime: Runtime,
    cached: CachedUserStore,
    inner: CountingUsers,
    change: Any,
    error: type[JWTFlowError],
) -> None:
    raw = str(RefreshToken.for_user(inner.users[1]).access_token)
    drive(flows.authenticate(cached_runtime, raw), cached_runtime.ports)
    change(inner.users[1])
    cached.forget(1)
    fails(drive, flows.authenticate(cached_runtime, raw), cached_runtime.ports, error)


def test_a_deleted_and_forgotten_user_is_user_not_found(
    drive: Drive, make_runtime: MakeRuntime, cached: CachedUserStore, inner: CountingUsers
) -> None:
    runtime = make_runtime(
        ports=Ports(MemoryBlacklistBackend(), cached), ACCESS_TOKEN_REVOCATION=False
    )
    raw = str(AccessToken.for_user(inner.users[1]))
    drive(flows.authenticate(runtime, raw), runtime.ports)
    drive(flows.authenticate(runtime, raw), runtime.ports)
    assert inner.lookups == 1
    del inner.users[1]
    cached.forget(1)
    fails(drive, flows.authenticate(runtime, raw), runtime.ports, UserNotFound)


def test_cached_accounts_caches_what_a_miss_loads(
    cached: CachedUserStore, store: CountingBlacklist, inner: CountingUsers
) -> None:
    accounts = CachedAccounts(store, cached)
    check = TokenCheck(user_key="1", sid=None, issued_at=0.0, now=datetime.now(UTC))
    assert accounts.load(99, check) == (None, False)
    user, alive = asyncio.run(accounts.aload(1, check))
    assert user is not None
    assert user.username == "alice"
    assert alive
    assert cached.cached(1) is not None
    assert (store.loads, store.checks, inner.lookups) == (2, 1, 2)


@pytest.mark.parametrize("value", [-1, 0.5, 86401, "60", None, True])
def test_user_cache_seconds_is_zero_or_a_second_to_a_day(value: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"SIGNING_KEY": SECRET, "USER_CACHE_SECONDS": value})
    assert caught.value.key == "USER_CACHE_SECONDS"


@pytest.mark.parametrize(("value", "seconds"), [(0, 0.0), (1, 1.0), (timedelta(days=1), 86400.0)])
def test_user_cache_seconds_accepts_off_and_the_bounds(value: Any, seconds: float) -> None:
    config = Config.from_mapping(
        {"SIGNING_KEY": SECRET, "USER_CACHE_SECONDS": value, "USER_CACHE_ALIAS": "users"}
    )
    assert (config.user_cache_seconds, config.user_cache_alias) == (seconds, "users")


def test_the_user_cache_is_off_by_default() -> None:
    config = Config.from_mapping({"SIGNING_KEY": SECRET})
    assert (config.user_cache_seconds, config.user_cache_alias) == (0.0, "default")
