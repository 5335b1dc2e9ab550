"""Fixtures for the process-level tests: a pool of worker processes and the stores they use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.process.harness import RACERS, WorkerPool, child_settings, jwtflow_with, own_redis_db


@pytest.fixture(scope="module")
def workers(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerPool]:
    """Worker processes on the parent's test database (and the test Redis, when there is one)."""
    pool = WorkerPool(RACERS, child_settings(), tmp_path_factory.mktemp("workers"))
    yield pool
    pool.close()


STORE_PARAMS = [
    "model",
    pytest.param("redis-cache", marks=[pytest.mark.redis, pytest.mark.once]),
    pytest.param("redis", marks=[pytest.mark.redis, pytest.mark.once]),
    pytest.param("redis-cluster", marks=[pytest.mark.redis_cluster, pytest.mark.once]),
]
REDIS_STORE = "jwtflow.RedisBlacklistBackend"


@pytest.fixture(params=STORE_PARAMS)
def store(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The JWTFLOW setting of each store, on a real server; model = the pass's database."""
    if request.param == "redis-cache":
        request.getfixturevalue("redis_url")
        return jwtflow_with(
            BLACKLIST_BACKEND="jwtflow.django.stores.CacheBlacklistBackend",
            BLACKLIST_CACHE_ALIAS="redis",
        )
    if request.param == "redis":
        url = own_redis_db(request.getfixturevalue("redis_url"))
        return jwtflow_with(BLACKLIST_BACKEND=REDIS_STORE, BLACKLIST_REDIS_URL=url)
    if request.param == "redis-cluster":
        seed = request.getfixturevalue("redis_cluster_url")
        url = "redis+cluster://" + seed.removeprefix("redis://")
        return jwtflow_with(BLACKLIST_BACKEND=REDIS_STORE, BLACKLIST_REDIS_URL=url)
    return jwtflow_with()
