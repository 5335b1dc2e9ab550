"""The sessions settings: SESSION_MAX_LIFETIME, REUSE_GRACE_PERIOD, ACCESS_TOKEN_REVOCATION."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jwtflow.config import Config
from jwtflow.errors import ConfigurationError

from .helpers import SECRET


def build(**settings: Any) -> Config:
    return Config.from_mapping({"SIGNING_KEY": SECRET, **settings})


def test_defaults() -> None:
    config = build()
    assert config.session_max_lifetime == timedelta(days=30)
    assert config.reuse_grace_period == 0
    assert config.access_token_revocation is True
    assert config.blacklist_redis_url is None


def test_values_are_read() -> None:
    config = build(
        SESSION_MAX_LIFETIME=None,
        REUSE_GRACE_PERIOD=timedelta(seconds=60),
        ACCESS_TOKEN_REVOCATION=False,
        BLACKLIST_REDIS_URL="redis://localhost:6379/0",
    )
    assert config.session_max_lifetime is None
    assert config.reuse_grace_period == 60
    assert config.access_token_revocation is False
    assert config.blacklist_redis_url == "redis://localhost:6379/0"
    assert build(SESSION_MAX_LIFETIME=3600).session_max_lifetime == timedelta(hours=1)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("REUSE_GRACE_PERIOD", 61, "between 0 and 60 seconds"),
        ("REUSE_GRACE_PERIOD", -1, "between 0 and 60 seconds"),
        ("REUSE_GRACE_PERIOD", "5", "timedelta or a number of seconds"),
        ("SESSION_MAX_LIFETIME", 0, "longer than zero"),
        ("SESSION_MAX_LIFETIME", "30d", "timedelta or a number of seconds"),
        ("ACCESS_TOKEN_REVOCATION", 1, "True or False"),
        ("BLACKLIST_REDIS_URL", "", "non-empty string"),
    ],
)
def test_bad_values_name_the_key(key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(**{key: value})
    assert caught.value.key == key
    assert message in str(caught.value)


@pytest.mark.parametrize("claim", ["sid", "auth_time", "gen"])
def test_session_claim_names_are_reserved(claim: str) -> None:
    with pytest.raises(ConfigurationError, match="jwtflow sets itself"):
        build(USER_ID_CLAIM=claim)
