"""The settings of the keys milestone: JWKS caching and the verify-only flows."""

from __future__ import annotations

from typing import Any

import pytest

from jwtflow import flows
from jwtflow.config import Config
from jwtflow.errors import ConfigurationError, IssuingDisabled
from jwtflow.runtime import Ports, Runtime

from .helpers import SECRET, Drive, fails


def test_jwks_cache_seconds_defaults_to_five_minutes() -> None:
    assert Config.from_mapping({"SIGNING_KEY": SECRET}).jwks_cache_seconds == 300


@pytest.mark.parametrize("value", [0, 0.5, 86401, "300", None])
def test_jwks_cache_seconds_is_bounded(value: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"SIGNING_KEY": SECRET, "JWKS_CACHE_SECONDS": value})
    assert caught.value.key == "JWKS_CACHE_SECONDS"


def test_a_verify_only_ring_refuses_to_issue(drive: Drive, ports: Ports) -> None:
    config = Config.from_mapping({"VERIFYING_KEYS": [{"alg": "HS256", "key": SECRET}]})
    runtime = Runtime.build(config, ports)
    credentials = {"username": "alice", "password": "alice-password"}
    fails(drive, flows.obtain(runtime, None, credentials), ports, IssuingDisabled)
