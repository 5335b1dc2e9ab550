"""Fixtures for the Redis store: one backend per server (single Redis, Redis Cluster)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jwtflow.redis import RedisBlacklistBackend


def cluster_url(seed: str) -> str:
    """The jwtflow URL of the test cluster: its seed node under the cluster scheme."""
    return "redis+cluster://" + seed.removeprefix("redis://")


@pytest.fixture(
    params=[
        pytest.param("single", marks=[pytest.mark.redis, pytest.mark.once]),
        pytest.param("cluster", marks=[pytest.mark.redis_cluster, pytest.mark.once]),
    ]
)
def store(request: pytest.FixtureRequest) -> Iterator[RedisBlacklistBackend]:
    """The Redis store on a real single server and on a real three-master cluster."""
    if request.param == "single":
        # Database 15, not the shared cache's 0, which other test runs may flush at any moment.
        url = request.getfixturevalue("redis_url").rsplit("/", 1)[0] + "/15"
    else:
        url = cluster_url(request.getfixturevalue("redis_cluster_url"))
    backend = RedisBlacklistBackend(url, prefix=f"test-{uuid.uuid4().hex[:8]}")
    yield backend
    backend.close()


@pytest.fixture
def rcall(mode: str) -> Callable[..., Any]:
    """``rcall(store, "name", ...)``: the sync method, or its twin awaited in a fresh event loop.

    The loop's async client is closed before the loop ends, as an application must.
    """

    async def twin(store: RedisBlacklistBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await getattr(store, "a" + name)(*args, **kwargs)
        finally:
            await store.aclose()

    def invoke(store: RedisBlacklistBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        if mode == "sync":
            return getattr(store, name)(*args, **kwargs)
        return asyncio.run(twin(store, name, *args, **kwargs))

    return invoke
