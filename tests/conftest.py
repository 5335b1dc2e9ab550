"""Fixtures shared by the Django and DRF tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connections

from tests.forge import PASSWORD


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test once through the sync path and once through the async path."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _close_async_db_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the connections async calls opened in asgiref's worker thread.

    Outside a request, ``sync_to_async`` runs the ORM in one long-lived thread whose connection
    nobody closes; on PostgreSQL it would keep the test database from being dropped.
    """
    yield
    if "mode" in request.fixturenames:
        asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture
def call(mode: str) -> Callable[..., Any]:
    """``call(obj, "name", *args)`` calls ``obj.name`` (sync) or awaits ``obj.aname`` (async)."""

    def invoke(obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if mode == "sync":
            return getattr(obj, name)(*args, **kwargs)
        return asyncio.run(getattr(obj, "a" + name)(*args, **kwargs))

    return invoke


@pytest.fixture
def jwt_settings(settings: Any) -> Callable[..., None]:
    """``jwt_settings(KEY=value, ...)`` overrides JWTFLOW keys for one test."""

    def apply(**overrides: Any) -> None:
        settings.JWTFLOW = {**django_settings.JWTFLOW, **overrides}

    return apply


@pytest.fixture
def user(db: None) -> User:
    """An active user with a known password."""
    return User.objects.create_user("alice", "alice@example.com", PASSWORD)


def _service_url(variable: str, what: str) -> str:
    """The URL in ``variable``; without it the test skips locally and fails in CI."""
    url = os.environ.get(variable)
    if not url:
        message = f"{variable} is not set: start {what} with `scripts/services.sh start`"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis server's URL: skipped locally without one, a failure in CI."""
    url = _service_url("JWTFLOW_TEST_REDIS_URL", "Redis")
    from django.core.cache import caches

    caches["redis"].clear()
    yield url
    caches["redis"].clear()


@pytest.fixture
def redis_cluster_url() -> str:
    """A seed node of the test Redis Cluster (three masters): skipped locally without one, a
    failure in CI.

    Nothing is flushed: tests isolate themselves by key prefix, so that test runs sharing the
    cluster do not wipe each other's keys.
    """
    return _service_url("JWTFLOW_TEST_REDIS_CLUSTER_URL", "the Redis Cluster")


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the PostgreSQL pass must really be on PostgreSQL."""
    wanted = os.environ.get("JWTFLOW_TEST_DB", "sqlite")
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if wanted == "postgres" and "postgresql" not in engine:
        raise pytest.UsageError("JWTFLOW_TEST_DB=postgres but the settings are not on PostgreSQL")
