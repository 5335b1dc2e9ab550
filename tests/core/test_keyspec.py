"""SIGNING_KEYS / VERIFYING_KEYS entries: their shape is checked when the settings are read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jwtflow.config import ALGORITHMS, Config
from jwtflow.errors import ConfigurationError
from jwtflow.keyspec import KeySpec, is_kid, key_list

from .helpers import SECRET


@pytest.mark.parametrize("setting", ["SIGNING_KEYS", "VERIFYING_KEYS"])
def test_entries_become_key_specs(setting: str) -> None:
    jwk = {"kty": "oct", "k": "x"}
    value = [
        {"alg": "HS256", "key": SECRET},
        {"alg": "ES256K", "key": b"pem", "kid": "k2"},
        {"alg": "EdDSA", "key": Path("/k.pem")},
        {"alg": "HS512", "key": jwk},
    ]
    config = Config.from_mapping({setting: value})
    assert getattr(config, setting.lower()) == (
        KeySpec("HS256", SECRET),
        KeySpec("ES256K", b"pem", "k2"),
        KeySpec("EdDSA", Path("/k.pem")),
        KeySpec("HS512", jwk),
    )


def test_a_jwk_entry_is_copied_not_shared() -> None:
    jwk = {"kty": "oct", "k": "x"}
    (spec,) = key_list("SIGNING_KEYS", [{"alg": "HS256", "key": jwk}], ALGORITHMS)
    jwk["k"] = "changed"
    assert spec.key == {"kty": "oct", "k": "x"}


@pytest.mark.parametrize("value", [[], (), None, "key", {"alg": "HS256", "key": SECRET}])
def test_the_setting_must_be_a_non_empty_list(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="non-empty list") as caught:
        key_list("SIGNING_KEYS", value, ALGORITHMS)
    assert caught.value.key == "SIGNING_KEYS"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("secret", "must be a dict"),
        ({"alg": "HS256", "key": SECRET, "use": "sig"}, "has unknown members ['use']"),
        ({"key": SECRET}, "'alg' None is not supported"),
        ({"alg": "none", "key": SECRET}, "'alg' 'none' is not supported"),
        ({"alg": "HS256"}, "'key' must be"),
        ({"alg": "HS256", "key": ""}, "'key' must be"),
        ({"alg": "HS256", "key": {}}, "'key' must be"),
        ({"alg": "HS256", "key": 5}, "'key' must be"),
        ({"alg": "HS256", "key": SECRET, "kid": ""}, "'kid' must be"),
        ({"alg": "HS256", "key": SECRET, "kid": 7}, "'kid' must be"),
        ({"alg": "HS256", "key": SECRET, "kid": "k" * 256}, "'kid' must be"),
    ],
)
def test_bad_entries_are_refused_by_position(entry: Any, message: str) -> None:
    value = [{"alg": "HS256", "key": SECRET}, entry]
    with pytest.raises(ConfigurationError) as caught:
        key_list("VERIFYING_KEYS", value, ALGORITHMS)
    assert caught.value.key == "VERIFYING_KEYS"
    assert f"entry [1] {message}" in str(caught.value)


def test_kid_shape() -> None:
    assert is_kid("k")
    assert is_kid("k" * 255)
    assert not is_kid("")
    assert not is_kid(1)
