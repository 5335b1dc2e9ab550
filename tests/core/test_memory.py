"""The memory stores: atomic blacklist with expiry, and a tiny user store."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.errors import TokenBlacklisted
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import RefreshToken

from .helpers import SECRET, Drive


def later(seconds: float) -> datetime:
    return datetime.now(tz=UTC) + timedelta(seconds=seconds)


def test_blacklist_adds_once(blacklist: MemoryBlacklistBackend) -> None:
    assert blacklist.is_blacklisted("j") is False
    assert blacklist.blacklist("j", expires_at=later(60)) is True
    assert blacklist.blacklist("j", expires_at=later(60)) is False
    assert blacklist.is_blacklisted("j") is True
    assert blacklist.is_blacklisted("other") is False


def test_expired_entries_are_gone_and_can_be_added_again(blacklist: MemoryBlacklistBackend) -> None:
    assert blacklist.blacklist("j", expires_at=later(-1)) is True
    assert blacklist.is_blacklisted("j") is False
    assert blacklist.blacklist("j", expires_at=later(60)) is True
    assert blacklist.is_blacklisted("j") is True


def test_async_twins_share_the_state(blacklist: MemoryBlacklistBackend) -> None:
    async def scenario() -> list[bool]:
        return [
            await blacklist.ablacklist("j", expires_at=later(60)),
            await blacklist.ablacklist("j", expires_at=later(60)),
            await blacklist.ais_blacklisted("j"),
            await blacklist.ais_blacklisted("k"),
        ]

    assert asyncio.run(scenario()) == [True, False, True, False]
    assert blacklist.is_blacklisted("j")


def test_concurrent_adds_of_one_jti_let_exactly_one_win(blacklist: MemoryBlacklistBackend) -> None:
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def add() -> None:
        barrier.wait()
        results.append(blacklist.blacklist("j", expires_at=later(60)))

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_blacklist_entries_follow_the_runtime_clock(
    drive: Drive, users: MemoryUserStore, alice: MemoryUser
) -> None:
    # A runtime frozen in 2023: the spent token's entry expires (by that clock) in 2023 + 1 day,
    # which the wall clock already considers past, so the entry is dead on arrival.
    clock = FrozenClock(1_700_000_000.0)
    ports = Ports(MemoryBlacklistBackend(clock), users)
    runtime = Runtime.build(Config.from_mapping({"SIGNING_KEY": SECRET}), ports, clock=clock)
    raw = str(RefreshToken.mint(runtime, {"user_id": alice.id}))
    drive(flows.refresh(runtime, raw), ports)
    with pytest.raises(TokenBlacklisted):
        drive(flows.refresh(runtime, raw), ports)


def test_user_store_finds_users_by_integer_id(
    users: MemoryUserStore, alice: MemoryUser, bob: MemoryUser
) -> None:
    assert users.get(1) is alice
    assert users.get(2) is bob
    assert users.get(3) is None


@pytest.mark.parametrize("user_id", ["1", 1.0, None, b"1", [1]])
def test_user_store_treats_ill_typed_ids_as_missing(
    users: MemoryUserStore, user_id: object
) -> None:
    assert users.get(user_id) is None


def test_user_store_async_get(users: MemoryUserStore, alice: MemoryUser) -> None:
    assert asyncio.run(users.aget(1)) is alice
    assert asyncio.run(users.aget("1")) is None


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({"username": "alice", "password": "alice-password"}, "alice"),
        ({"username": "bob", "password": "bob-password"}, "bob"),
        ({"username": "alice", "password": "bob-password"}, None),
        ({"username": "alice", "password": "alice-password "}, None),
        ({"username": "alice"}, None),
        ({"password": "alice-password"}, None),
        ({"username": "carol", "password": "x"}, None),
        ({}, None),
    ],
)
def test_user_store_checks_credentials(
    users: MemoryUserStore, credentials: dict[str, str], expected: str | None
) -> None:
    user = users.check_credentials(None, credentials)
    assert (user.username if user else None) == expected
    user = asyncio.run(users.acheck_credentials(None, credentials))
    assert (user.username if user else None) == expected


def test_user_store_with_a_non_string_password() -> None:
    store = MemoryUserStore([MemoryUser(5, "num", "1234")])
    assert store.check_credentials(None, {"username": "num", "password": 1234}) is not None


def test_user_store_reads_user_attributes(users: MemoryUserStore, bob: MemoryUser) -> None:
    assert users.user_id(bob) == 2
    assert users.is_active(bob) is False
    assert users.password_hash(bob) == "bob-password"


def test_empty_user_store() -> None:
    store = MemoryUserStore()
    assert store.users == {}
    assert store.get(1) is None
    assert store.check_credentials(None, {"username": "a", "password": "b"}) is None


def test_memory_user_defaults_to_active() -> None:
    assert MemoryUser(1, "u", "p").is_active is True
