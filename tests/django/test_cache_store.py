"""``jwtflow.django.cache_store``: the session contract on LocMem, and on Redis via Django."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches

from jwtflow.config import Config
from jwtflow.django.cache_store import LIST_LIMIT, CacheBlacklistBackend
from jwtflow.errors import StoreUnavailable
from jwtflow.records import Rotation, RotationOutcome
from tests.session_cases import SessionCases
from tests.session_contract import USER, SessionStoreContract, check, now, rotate, session

Call = Callable[..., Any]
CACHE_KINDS = ["locmem", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=CACHE_KINDS)
def cache_store(request: pytest.FixtureRequest) -> Iterator[CacheBlacklistBackend]:
    """The cache store on LocMem and on Django's RedisCache, emptied around the test."""
    if request.param == "redis":
        # Database 13, not the shared 0, which other test runs on the server flush at any time.
        url = request.getfixturevalue("redis_url").rsplit("/", 1)[0] + "/13"
        settings = request.getfixturevalue("settings")
        redis_cache = {**settings.CACHES["redis"], "LOCATION": url}
        settings.CACHES = {**settings.CACHES, "own-redis": redis_cache}
        caches["own-redis"].clear()
        yield CacheBlacklistBackend("own-redis")
        caches["own-redis"].clear()
        return
    caches["default"].clear()
    yield CacheBlacklistBackend("default")
    caches["default"].clear()


class TestSessions(SessionStoreContract):
    """The session contract, sync and async (the async twins are thread hops)."""

    @pytest.fixture
    def backend(self, cache_store: CacheBlacklistBackend) -> CacheBlacklistBackend:
        return cache_store

    @pytest.fixture
    def bcall(self, call: Call) -> Call:
        return call


class TestSessionCases(SessionCases):
    """The cross-operation scenarios every store passes."""

    @pytest.fixture
    def store(self, cache_store: CacheBlacklistBackend) -> CacheBlacklistBackend:
        return cache_store


class TestCacheSpecifics:
    def test_from_config_reads_alias_and_refresh_lifetime(self) -> None:
        config = Config.from_mapping(
            {"SIGNING_KEY": "k" * 32, "BLACKLIST_CACHE_ALIAS": "x", "REFRESH_TOKEN_LIFETIME": 60}
        )

        store = CacheBlacklistBackend.from_config(config)

        assert (store.alias, store.refresh_lifetime) == ("x", 60.0)

    def test_keys_are_hashes(self, cache_store: CacheBlacklistBackend) -> None:
        user = "s:someone with spaces {and braces}"
        keys = [cache_store.session_key(user, "a b"), cache_store.user_key_prefix(user)]

        assert all(" " not in key and len(key) < 100 for key in keys)
        assert cache_store.session_key(user, "a") != cache_store.session_key(user, "b")

    def test_racing_loser_within_grace_gets_the_new_generation(
        self, cache_store: CacheBlacklistBackend
    ) -> None:
        cache_store.create_session(session())
        barrier = threading.Barrier(4)

        def consume(_: int) -> Rotation:
            barrier.wait()
            return cache_store.rotate_session(
                "sid-1", USER, 0, now=now(), grace_seconds=30, expires=now() + timedelta(hours=1)
            )

        with ThreadPoolExecutor(4) as pool:
            rotations = list(pool.map(consume, range(4)))

        assert rotations.count(Rotation(RotationOutcome.ROTATED, 1)) == 1
        assert rotations.count(Rotation(RotationOutcome.GRACE, 1)) == 3
        assert cache_store.check_token(check(generation=1)) is True

    def test_revocation_outlives_the_expiry_a_racing_rotation_gives(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cache = caches["default"]
        cache.clear()
        store = CacheBlacklistBackend("default", refresh_lifetime=timedelta(hours=5))
        start = now()
        store.create_session(session(expires=start + timedelta(minutes=1)))
        key = store.session_key(USER, "sid-1")
        record = cache.get(key)

        assert store.end_session("sid-1", USER, now=start) is True
        # A rotation that read the record before the revocation writes it back, two hours longer.
        pushed = {**record, "generation": 1, "expires": (start + timedelta(hours=2)).timestamp()}
        cache.set(key, pushed, timeout=3 * 3600)
        later = start + timedelta(hours=1)
        monkeypatch.setattr(time, "time", lambda: later.timestamp())
        alive = store.check_token(check(now=later))
        monkeypatch.undo()
        cache.clear()

        assert alive is False

    def test_list_looks_at_the_newest_sessions_only(
        self, cache_store: CacheBlacklistBackend
    ) -> None:
        start = now()
        for index in range(LIST_LIMIT + 2):
            cache_store.create_session(session(f"s{index}", created=start))

        listed = cache_store.list_sessions(USER, now=start)

        assert len(listed) == LIST_LIMIT
        assert {item.sid for item in listed} == {f"s{index}" for index in range(2, LIST_LIMIT + 2)}

    @pytest.mark.parametrize(
        ("method", "args", "kwargs"),
        [
            ("create_session", (session(),), {}),
            (
                "rotate_session",
                ("sid-1", USER, 0),
                {"now": now(), "grace_seconds": 0, "expires": now()},
            ),
            ("check_token", (check(),), {}),
            ("check_token", (check(sid=None),), {}),
            ("end_session", ("sid-1", USER), {"now": now()}),
            ("end_all_sessions", (USER,), {"now": now(), "keep_until": now()}),
            ("list_sessions", (USER,), {"now": now()}),
        ],
    )
    def test_unreachable_cache_fails_closed(
        self, call: Call, settings: Any, method: str, args: tuple[Any, ...], kwargs: Any
    ) -> None:
        settings.CACHES = {
            **settings.CACHES,
            "down": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1",
            },
        }

        with pytest.raises(StoreUnavailable):
            call(CacheBlacklistBackend("down"), method, *args, **kwargs)


def test_rotate_helper_is_the_contracts(cache_store: CacheBlacklistBackend) -> None:
    cache_store.create_session(session())

    rotated = rotate(lambda s, n, *a, **k: getattr(s, n)(*a, **k), cache_store, 0)

    assert rotated == Rotation(RotationOutcome.ROTATED, 1)
