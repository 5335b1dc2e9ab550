"""Effects: each names a port method that exists in sync and async form, with its arguments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from jwtflow.effects import AddToBlacklist, CheckCredentials, Effect, IsBlacklisted, LoadUser
from jwtflow.runtime import Ports

WHEN = datetime(2030, 1, 1, tzinfo=UTC)
REQUEST = object()
CREDENTIALS = {"username": "alice", "password": "pw"}

EFFECTS = [
    (LoadUser(7), "users", "get", ((7,), {})),
    (
        CheckCredentials(REQUEST, CREDENTIALS),
        "users",
        "check_credentials",
        ((REQUEST, CREDENTIALS), {}),
    ),
    (IsBlacklisted("jti-1"), "blacklist", "is_blacklisted", (("jti-1",), {})),
    (AddToBlacklist("jti-1", WHEN), "blacklist", "blacklist", (("jti-1",), {"expires_at": WHEN})),
]


@pytest.mark.parametrize(("effect", "port", "method", "arguments"), EFFECTS)
def test_effect_names_its_port_call(
    effect: Effect, port: str, method: str, arguments: tuple[tuple[object, ...], dict[str, object]]
) -> None:
    assert (effect.port, effect.method) == (port, method)
    assert effect.arguments() == arguments


@pytest.mark.parametrize(("effect", "port", "method", "arguments"), EFFECTS)
def test_every_effect_has_sync_and_async_port_methods(
    effect: Effect, port: str, method: str, arguments: object, ports: Ports
) -> None:
    target = getattr(ports, effect.port)
    assert callable(getattr(target, effect.method))
    assert callable(getattr(target, "a" + effect.method))


def test_effects_are_frozen_values() -> None:
    assert IsBlacklisted("a") == IsBlacklisted("a")
    assert IsBlacklisted("a") != IsBlacklisted("b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        IsBlacklisted("a").jti = "b"  # type: ignore[misc]


def test_the_base_effect_is_abstract() -> None:
    with pytest.raises(TypeError):
        Effect()  # type: ignore[abstract]
