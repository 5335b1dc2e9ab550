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


def test_jwks_settings_default_to_the_contract() -> None:
    config = Config.from_mapping({"JWKS_URL": "https://issuer.example/jwks.json"})
    assert config.jwks_url == "https://issuer.example/jwks.json"
    assert config.jwks_min_refresh_seconds == 30
    assert config.jwks_timeout_seconds == 3
    assert config.jwks_allow_http is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("JWKS_MIN_REFRESH_SECONDS", 0),
        ("JWKS_MIN_REFRESH_SECONDS", 3601),
        ("JWKS_TIMEOUT_SECONDS", 0),
        ("JWKS_TIMEOUT_SECONDS", 61),
        ("JWKS_ALLOW_HTTP", "yes"),
        ("JWKS_URL", ""),
    ],
)
def test_jwks_settings_are_bounded(key: str, value: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"SIGNING_KEY": SECRET, key: value})
    assert caught.value.key == key


@pytest.mark.parametrize("url", ["http://issuer.example/jwks.json", "ftp://x", "issuer.example"])
def test_jwks_url_must_be_https(url: str) -> None:
    with pytest.raises(ConfigurationError, match="must be an https:// URL") as caught:
        Config.from_mapping({"JWKS_URL": url})
    assert caught.value.key == "JWKS_URL"


def test_jwks_allow_http_allows_http_only() -> None:
    url = "http://issuer.internal/jwks.json"
    assert Config.from_mapping({"JWKS_URL": url, "JWKS_ALLOW_HTTP": True}).jwks_url == url
    with pytest.raises(ConfigurationError, match="https://"):
        Config.from_mapping({"JWKS_URL": "ftp://x", "JWKS_ALLOW_HTTP": True})


@pytest.mark.parametrize(
    "other",
    [
        {"SIGNING_KEY": SECRET},
        {"VERIFYING_KEY": SECRET},
        {"ALGORITHM": "RS256"},
        {"SIGNING_KEYS": [{"alg": "HS256", "key": SECRET}]},
    ],
)
def test_jwks_url_is_for_verify_only_services(other: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="only verify") as caught:
        Config.from_mapping({"JWKS_URL": "https://issuer.example/jwks.json", **other})
    assert caught.value.key == "JWKS_URL"


def test_jwks_url_may_come_with_local_verifying_keys() -> None:
    entry = {"alg": "HS256", "key": SECRET}
    config = Config.from_mapping(
        {"JWKS_URL": "https://issuer.example/jwks.json", "VERIFYING_KEYS": [entry]}
    )
    assert len(config.verifying_keys) == 1


def test_check_revoke_token_with_jwks_url_needs_the_revoke_secret() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping(
            {"JWKS_URL": "https://issuer.example/jwks.json", "CHECK_REVOKE_TOKEN": True}
        )
    assert caught.value.key == "REVOKE_TOKEN_SECRET"


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("JWKS_CACHE_SECONDS", 60, "jwks_cache_seconds"),
        ("JWKS_MIN_REFRESH_SECONDS", 5, "jwks_min_refresh_seconds"),
        ("JWKS_TIMEOUT_SECONDS", 0.5, "jwks_timeout_seconds"),
    ],
)
def test_jwks_durations_are_read_in_seconds(key: str, value: float, field: str) -> None:
    config = Config.from_mapping({"JWKS_URL": "https://issuer.example/jwks.json", key: value})
    assert getattr(config, field) == value


def test_revoke_token_secret_may_be_none() -> None:
    config = Config.from_mapping({"SIGNING_KEY": SECRET, "REVOKE_TOKEN_SECRET": None})
    assert config.revoke_token_secret is None
