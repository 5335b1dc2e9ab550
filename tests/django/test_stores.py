"""``jwtflow.django.stores``: the model and cache blacklists, one behaviour set for all of them."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from jwtflow.django.models import BlacklistedToken
from jwtflow.django.stores import CacheBlacklistBackend, ModelBlacklistBackend
from jwtflow.errors import StoreUnavailable
from jwtflow.ports import BlacklistBackend

Call = Callable[..., Any]
JTI = "3f2a9c1e5b7d4e8f9a0b1c2d3e4f5a6b"
THREADS = 8


def in_a_while(seconds: float = 300) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def _runs_in_other_threads(request: pytest.FixtureRequest) -> bool:
    if "transactional_db" in request.fixturenames:
        return True
    return "mode" in request.fixturenames and request.getfixturevalue("mode") == "async"


def _cache_backend(request: pytest.FixtureRequest, kind: str) -> CacheBlacklistBackend:
    if kind == "redis":
        request.getfixturevalue("redis_url")  # skips without Redis; clears it around the test
        return CacheBlacklistBackend("redis")
    caches["default"].clear()
    request.addfinalizer(caches["default"].clear)
    return CacheBlacklistBackend("default")


def _release_thread_connections() -> None:
    """Close what this thread opened: its DB connections and its Redis pools.

    Django keeps one cache object per thread and never disconnects a RedisCache's pools, so a
    finished thread's sockets would be left for the garbage collector (a ResourceWarning).
    """
    connections.close_all()
    for cache in caches.all(initialized_only=True):
        for pool in getattr(getattr(cache, "_cache", None), "_pools", {}).values():
            pool.disconnect()


CACHE_KINDS = ["locmem", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=["model", *CACHE_KINDS])
def backend(request: pytest.FixtureRequest) -> BlacklistBackend:
    """Each blacklist backend, on a real store; the model one on a DB other threads can see."""
    if request.param == "model":
        # Async calls and threads use their own connections: they must see committed rows.
        # (pytest-django reads the marker; a dynamically requested transactional_db goes unseen.)
        request.applymarker(pytest.mark.django_db(transaction=_runs_in_other_threads(request)))
        request.getfixturevalue("db")
        return ModelBlacklistBackend()
    return _cache_backend(request, request.param)


@pytest.fixture(params=CACHE_KINDS)
def cache_backend(request: pytest.FixtureRequest) -> CacheBlacklistBackend:
    """The cache backend on LocMem and on Redis."""
    return _cache_backend(request, request.param)


class TestBehaviour:
    def test_blacklist_adds_once(self, backend: BlacklistBackend, call: Call) -> None:
        assert call(backend, "blacklist", JTI, expires_at=in_a_while()) is True
        assert call(backend, "blacklist", JTI, expires_at=in_a_while()) is False

    def test_is_blacklisted_after_blacklist(self, backend: BlacklistBackend, call: Call) -> None:
        other = "0" * 32
        assert call(backend, "is_blacklisted", JTI) is False

        call(backend, "blacklist", JTI, expires_at=in_a_while())

        assert call(backend, "is_blacklisted", JTI) is True
        assert call(backend, "is_blacklisted", other) is False

    @pytest.mark.parametrize(
        "jti",
        ["with spaces and\nnewline", "ünïcödé-jti", "x" * 255],
        ids=["spaces", "unicode", "long"],
    )
    def test_any_jti_makes_an_entry(self, backend: BlacklistBackend, call: Call, jti: str) -> None:
        assert call(backend, "blacklist", jti, expires_at=in_a_while()) is True

        assert call(backend, "is_blacklisted", jti) is True

    def test_racing_blacklists_of_one_jti_have_one_winner(
        self, transactional_db: None, backend: BlacklistBackend
    ) -> None:
        for round_number in range(3):
            jti = f"{JTI}-{round_number}"
            barrier = threading.Barrier(THREADS)

            def blacklist(_: int, jti: str = jti, barrier: threading.Barrier = barrier) -> bool:
                barrier.wait()
                try:
                    return backend.blacklist(jti, expires_at=in_a_while())
                finally:
                    _release_thread_connections()

            with ThreadPoolExecutor(THREADS) as pool:
                results = list(pool.map(blacklist, range(THREADS)))

            assert results.count(True) == 1, results
            assert results.count(False) == THREADS - 1
            assert backend.is_blacklisted(jti) is True


class TestModelBlacklistBackend:
    @pytest.mark.django_db
    def test_row_keeps_jti_and_expiry(self) -> None:
        expires_at = in_a_while().replace(microsecond=0)

        ModelBlacklistBackend().blacklist(JTI, expires_at=expires_at)

        row = BlacklistedToken.objects.get()
        assert (row.jti, row.expires_at, str(row)) == (JTI, expires_at, JTI)
        assert timezone.now() - row.blacklisted_at < timedelta(minutes=1)

    @pytest.mark.django_db
    def test_duplicate_leaves_the_surrounding_transaction_usable(self) -> None:
        # A test transaction stands in for ATOMIC_REQUESTS: on PostgreSQL an IntegrityError
        # without a savepoint would abort it.
        backend = ModelBlacklistBackend()
        with transaction.atomic():
            assert backend.blacklist(JTI, expires_at=in_a_while()) is True
            assert backend.blacklist(JTI, expires_at=in_a_while()) is False

            assert backend.is_blacklisted(JTI) is True
            assert BlacklistedToken.objects.count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_works_without_time_zone_support(self, call: Call, settings: Any) -> None:
        settings.USE_TZ = False
        expires_at = in_a_while().replace(microsecond=0)
        backend = ModelBlacklistBackend()

        assert call(backend, "blacklist", JTI, expires_at=expires_at) is True

        assert call(backend, "is_blacklisted", JTI) is True
        assert BlacklistedToken.objects.get().expires_at == timezone.make_naive(expires_at)

    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize(
        ("method", "broken"), [("blacklist", "create"), ("is_blacklisted", "using")]
    )
    def test_database_error_fails_closed(
        self, call: Call, monkeypatch: pytest.MonkeyPatch, method: str, broken: str
    ) -> None:
        def fail(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(BlacklistedToken.objects, broken, fail)
        kwargs = {"expires_at": in_a_while()} if method == "blacklist" else {}

        with pytest.raises(StoreUnavailable) as caught:
            call(ModelBlacklistBackend(), method, JTI, **kwargs)
        assert caught.value.status_code == 503


class TestCacheBlacklistBackend:
    def test_key_is_a_hash_of_the_jti(self, cache_backend: CacheBlacklistBackend) -> None:
        key = cache_backend.key(JTI)

        assert JTI not in key
        assert key == "jwtflow:blacklist:" + hashlib.sha256(JTI.encode()).hexdigest()
        assert cache_backend.key(JTI + "x") != key

    def test_entry_lives_under_the_hashed_key(self, cache_backend: CacheBlacklistBackend) -> None:
        cache = caches[cache_backend.alias]

        cache_backend.blacklist(JTI, expires_at=in_a_while())

        assert cache.get(cache_backend.key(JTI)) is not None
        assert cache.get(JTI) is None

    def test_locmem_entry_ends_at_expires_at(self, monkeypatch: pytest.MonkeyPatch) -> None:
        caches["default"].clear()
        backend = CacheBlacklistBackend("default")
        start = time.time()
        now = [start]
        monkeypatch.setattr(time, "time", lambda: now[0])

        backend.blacklist(JTI, expires_at=datetime.fromtimestamp(start + 100, UTC))
        now[0] = start + 99
        alive_before = backend.is_blacklisted(JTI)
        now[0] = start + 101
        alive_after = backend.is_blacklisted(JTI)
        monkeypatch.undo()
        caches["default"].clear()

        assert (alive_before, alive_after) == (True, False)

    @pytest.mark.redis
    def test_redis_ttl_ends_at_expires_at(self, redis_url: str) -> None:
        backend = CacheBlacklistBackend("redis")

        backend.blacklist(JTI, expires_at=in_a_while(120))

        full_key = caches["redis"].make_key(backend.key(JTI))
        with redis.Redis.from_url(redis_url) as client:
            ttl = client.ttl(full_key)
            keys = [key.decode() for key in client.keys("*")]
        assert 118 <= ttl <= 120
        assert keys == [full_key]
        assert JTI not in full_key

    @pytest.mark.parametrize("method", ["blacklist", "is_blacklisted"])
    def test_unreachable_redis_fails_closed(self, call: Call, settings: Any, method: str) -> None:
        settings.CACHES = {
            **settings.CACHES,
            "down": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1",
            },
        }
        kwargs = {"expires_at": in_a_while()} if method == "blacklist" else {}

        with pytest.raises(StoreUnavailable) as caught:
            call(CacheBlacklistBackend("down"), method, JTI, **kwargs)
        assert caught.value.code == "store_unavailable"
