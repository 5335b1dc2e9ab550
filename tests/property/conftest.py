"""Hypothesis profiles for the property tests, and the blacklist stores they run against.

``HYPOTHESIS_PROFILE`` picks a profile: ``default`` (quick, random: part of every test run),
``ci`` (the same examples every run: CI=true selects it) or ``long`` (``make fuzz``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

_COMMON: dict[str, Any] = {
    "deadline": None,
    # No example database: the work tree is shared; print_blob says how to replay a failure.
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
hypothesis_settings.register_profile("default", max_examples=30, **_COMMON)
hypothesis_settings.register_profile("ci", max_examples=30, derandomize=True, **_COMMON)
hypothesis_settings.register_profile("long", max_examples=1000, **_COMMON)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _in_ci() else "default")
)


@pytest.fixture(scope="session", params=["model", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> str:
    """The blacklist store a test runs against (session-scoped, so Hypothesis may use it)."""
    if request.param == "redis" and "redis" not in settings.CACHES:
        message = "JWTFLOW_TEST_REDIS_URL is not set: start Redis with `scripts/services.sh start`"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return str(request.param)
