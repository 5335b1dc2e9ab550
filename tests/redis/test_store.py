"""``jwtflow.redis``: the Redis store on a single server and on a Redis Cluster, sync and async."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from redis.crc import key_slot

from jwtflow.config import Config
from jwtflow.errors import ConfigurationError, StoreUnavailable
from jwtflow.redis import RedisBlacklistBackend
from jwtflow.redis.clients import Client, parse_url
from tests.session_cases import SessionCases
from tests.session_contract import OTHER, USER, SessionStoreContract, check, now, session

Call = Callable[..., Any]
JTI = "3f2a9c1e5b7d4e8f9a0b1c2d3e4f5a6b"


def raw_client(store: RedisBlacklistBackend) -> Any:
    """A plain redis-py client on the store's server, to look at keys and TTLs."""
    return store.clients.sync().redis


class TestBlacklist:
    def test_adds_once_and_is_seen(self, store: RedisBlacklistBackend, rcall: Call) -> None:
        expires = now() + timedelta(seconds=120)

        first = rcall(store, "blacklist", JTI, expires_at=expires)
        second = rcall(store, "blacklist", JTI, expires_at=expires)

        assert (first, second) == (True, False)
        assert rcall(store, "is_blacklisted", JTI) is True
        assert rcall(store, "is_blacklisted", JTI + "x") is False
        ttl = raw_client(store).pttl(store.blacklist_key(JTI))
        assert 118_000 <= ttl <= 120_000
        assert JTI not in store.blacklist_key(JTI)

    def test_racing_threads_have_one_winner(self, store: RedisBlacklistBackend) -> None:
        barrier = threading.Barrier(8)

        def add(_: int) -> bool:
            barrier.wait()
            return store.blacklist(JTI, expires_at=now() + timedelta(minutes=5))

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(add, range(8)))

        assert results.count(True) == 1


class TestSessions(SessionStoreContract):
    """The session contract on a single server and on the cluster, sync and async."""

    @pytest.fixture
    def backend(self, store: RedisBlacklistBackend) -> RedisBlacklistBackend:
        return store

    @pytest.fixture
    def bcall(self, rcall: Call) -> Call:
        return rcall


class TestSessionCases(SessionCases):
    """The cross-operation scenarios every store passes, on a single server and the cluster."""


class TestTTLs:
    def test_session_key_expires_with_the_session(self, store: RedisBlacklistBackend) -> None:
        store.create_session(session(expires=now() + timedelta(seconds=30)))

        ttl = raw_client(store).pttl(store.session_key(USER, "sid-1"))

        assert 28_000 <= ttl <= 30_000
        assert 28_000 <= raw_client(store).pttl(store.index_key(USER)) <= 30_000

    def test_rotation_slides_the_ttls(self, store: RedisBlacklistBackend) -> None:
        store.create_session(session())

        store.rotate_session(
            "sid-1", USER, 0, now=now(), grace_seconds=0, expires=now() + timedelta(hours=2)
        )

        for key in (store.session_key(USER, "sid-1"), store.index_key(USER)):
            assert 7_100_000 <= raw_client(store).pttl(key) <= 7_200_100

    def test_cutoff_lives_until_keep_until_and_never_shrinks(
        self, store: RedisBlacklistBackend
    ) -> None:
        cut = now()
        store.end_all_sessions(USER, now=cut, keep_until=cut + timedelta(hours=1))
        store.end_all_sessions(USER, now=cut, keep_until=cut + timedelta(minutes=1))

        assert 3_500_000 <= raw_client(store).pttl(store.cutoff_key(USER)) <= 3_600_000

    def test_list_forgets_expired_sessions(self, store: RedisBlacklistBackend, rcall: Call) -> None:
        store.create_session(session())
        store.create_session(session("sid-2"))
        raw_client(store).delete(store.session_key(USER, "sid-1"))  # as its TTL would

        listed = rcall(store, "list_sessions", USER, now=now())

        assert [item.sid for item in listed] == ["sid-2"]
        assert raw_client(store).zrange(store.index_key(USER), 0, -1) == ["sid-2"]


class TestLayout:
    def test_every_key_of_a_user_shares_one_slot(self, store: RedisBlacklistBackend) -> None:
        keys = [store.session_key(USER, "a"), store.session_key(USER, "b")]
        keys += [store.cutoff_key(USER), store.index_key(USER)]

        slots = {key_slot(key.encode()) for key in keys}

        assert len(slots) == 1
        assert store.user_tag(USER) != store.user_tag(OTHER)
        assert store.user_tag("s:{evil}") in store.cutoff_key("s:{evil}")
        assert "{evil}" not in store.cutoff_key("s:{evil}")


OPERATIONS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "blacklist": ((JTI,), {"expires_at": now() + timedelta(minutes=1)}),
    "is_blacklisted": ((JTI,), {}),
    "create_session": ((session(),), {}),
    "rotate_session": (("sid-1", USER, 0), {"now": now(), "grace_seconds": 0, "expires": now()}),
    "check_token": ((check(),), {}),
    "end_session": (("sid-1", USER), {"now": now()}),
    "end_all_sessions": ((USER,), {"now": now(), "keep_until": now()}),
    "list_sessions": ((USER,), {"now": now()}),
}


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "redis+cluster://127.0.0.1:1"])
@pytest.mark.parametrize("method", [*OPERATIONS, "sessionless check"])
def test_unreachable_redis_fails_closed(rcall: Call, url: str, method: str) -> None:
    store = RedisBlacklistBackend(url)
    name, (args, kwargs) = method, OPERATIONS.get(method, ((), {}))
    if method == "sessionless check":
        name, args, kwargs = "check_token", (check(sid=None),), {}

    with pytest.raises(StoreUnavailable) as caught:
        rcall(store, name, *args, **kwargs)

    assert caught.value.status_code == 503


def test_any_client_failure_fails_closed(rcall: Call, monkeypatch: pytest.MonkeyPatch) -> None:
    store = RedisBlacklistBackend("redis://127.0.0.1:1/0")

    class Broken:
        def exists(self, key: str) -> Any:
            raise AttributeError("'NoneType' object has no attribute 'writelines'")

    broken = Client(Broken(), {})

    async def abroken() -> Client:
        return broken

    monkeypatch.setattr(store.clients, "sync", lambda: broken)
    monkeypatch.setattr(store.clients, "async_", abroken)

    with pytest.raises(StoreUnavailable):
        rcall(store, "is_blacklisted", JTI)


class TestConfiguration:
    def test_from_config_reads_the_url(self) -> None:
        config = Config.from_mapping(
            {"SIGNING_KEY": "k" * 32, "BLACKLIST_REDIS_URL": "redis://h/1"}
        )

        store = RedisBlacklistBackend.from_config(config)

        assert (store.clients.url, store.clients.cluster) == ("redis://h/1", False)

    def test_from_config_without_url_names_the_setting(self) -> None:
        config = Config.from_mapping({"SIGNING_KEY": "k" * 32})

        with pytest.raises(ConfigurationError, match=r"BLACKLIST_REDIS_URL.*redis\+cluster://"):
            RedisBlacklistBackend.from_config(config)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("redis://h:6379/0", ("redis://h:6379/0", False)),
            ("rediss://h:6380/2", ("rediss://h:6380/2", False)),
            ("unix:///run/redis.sock", ("unix:///run/redis.sock", False)),
            ("redis+cluster://h:7000", ("redis://h:7000", True)),
            ("rediss+cluster://u:p@h:7000", ("rediss://u:p@h:7000", True)),
        ],
    )
    def test_url_schemes(self, url: str, expected: tuple[str, bool]) -> None:
        assert parse_url(url) == expected

    @pytest.mark.parametrize("url", ["http://h:6379", "h:6379", "memcached://h"])
    def test_other_urls_are_refused(self, url: str) -> None:
        with pytest.raises(ConfigurationError, match="BLACKLIST_REDIS_URL"):
            RedisBlacklistBackend(url)


def test_import_jwtflow_does_not_import_redis() -> None:
    code = (
        "import sys, jwtflow; "
        "assert 'redis' not in sys.modules and 'jwtflow.redis' not in sys.modules; "
        "from jwtflow import RedisBlacklistBackend; "
        "assert RedisBlacklistBackend.__module__ == 'jwtflow.redis.store', RedisBlacklistBackend"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_async_clients_are_per_event_loop(store: RedisBlacklistBackend) -> None:
    async def client_of_this_loop() -> Any:
        try:
            await store.ais_blacklisted(JTI)
            return await store.clients.async_()
        finally:
            await store.aclose()

    first = asyncio.run(client_of_this_loop())
    second = asyncio.run(client_of_this_loop())

    assert first is not second


def test_a_loop_that_ends_closes_its_client(store: RedisBlacklistBackend) -> None:
    """As under WSGI, where Django runs each async view in a loop of its own, and nobody closes."""

    async def request() -> bool:
        return await store.ais_blacklisted(JTI)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = [asyncio.run(request()) for _ in range(3)]
        gc.collect()

    assert answers == [False, False, False]
    assert [str(warning.message) for warning in caught] == []


class TestDjangoSettings:
    def test_backend_by_dotted_path_reads_the_url(self, jwt_settings: Any) -> None:
        from jwtflow.django import conf
        from jwtflow.django.checks import check_settings

        jwt_settings(
            BLACKLIST_BACKEND="jwtflow.RedisBlacklistBackend",
            BLACKLIST_REDIS_URL="redis+cluster://127.0.0.1:7000",
        )

        assert check_settings() == []
        backend = conf.get_runtime().ports.blacklist
        assert isinstance(backend, RedisBlacklistBackend)
        assert backend.clients.cluster is True

    @pytest.mark.parametrize("url", [None, "http://127.0.0.1:6379"])
    def test_missing_or_bad_url_stops_start_up(self, jwt_settings: Any, url: str | None) -> None:
        from jwtflow.django.checks import check_settings

        extra = {} if url is None else {"BLACKLIST_REDIS_URL": url}
        jwt_settings(BLACKLIST_BACKEND="jwtflow.RedisBlacklistBackend", **extra)

        [message] = check_settings()

        assert message.id == "jwtflow.E001"
        assert "BLACKLIST_REDIS_URL" in message.msg
