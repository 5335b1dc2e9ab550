"""Effects: each names a port method of the port protocols, in sync and async form.

The effects are discovered from ``Effect.__subclasses__()`` and the ports from the fields of
:class:`Ports`, so a new effect or port is checked without editing this file.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from jwtflow import effects
from jwtflow.effects import AddToBlacklist, CheckCredentials, Effect, IsBlacklisted, LoadUser
from jwtflow.runtime import Ports

WHEN = datetime(2030, 1, 1, tzinfo=UTC)
REQUEST = object()
CREDENTIALS = {"username": "alice", "password": "pw"}
#: Port name (a field of Ports) -> the protocol the effect's method must exist on.
PORT_PROTOCOLS: dict[str, type] = typing.get_type_hints(Ports)


def concrete_effects(base: type[Effect] = Effect) -> list[type[Effect]]:
    """Every non-abstract subclass of ``base``, at any depth."""
    found: list[type[Effect]] = []
    for subclass in base.__subclasses__():
        if not inspect.isabstract(subclass):
            found.append(subclass)
        found.extend(concrete_effects(subclass))
    return found


def _parameters_without_self(function: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(function)
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def port_problems(effect_class: type[Any]) -> list[str]:
    """What is wrong with the port call an effect class describes (empty: nothing).

    ``effect_class`` is an Effect subclass or a dataclass shaped like one (the fakes below).
    """
    protocol = PORT_PROTOCOLS.get(effect_class.port)
    if protocol is None:
        return [f"no port {effect_class.port!r} on Ports"]
    sync = getattr(protocol, effect_class.method, None)
    twin = getattr(protocol, "a" + effect_class.method, None)
    if sync is None or inspect.iscoroutinefunction(sync):
        return [f"no sync {protocol.__name__}.{effect_class.method}"]
    if twin is None or not inspect.iscoroutinefunction(twin):
        return [f"no async {protocol.__name__}.a{effect_class.method}"]
    signature = _parameters_without_self(sync)
    problems = []
    if _parameters_without_self(twin).parameters != signature.parameters:
        problems.append(f"a{effect_class.method} takes other parameters than {effect_class.method}")
    # Any value per field will do: arguments() only places the fields in the call.
    placeholders = {field.name: object() for field in dataclasses.fields(effect_class)}
    args, kwargs = effect_class(**placeholders).arguments()
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        problems.append(f"arguments() do not fit {effect_class.method}{signature}: {error}")
    return problems


def test_every_effect_of_the_effects_module_is_discovered() -> None:
    declared = {
        value
        for value in vars(effects).values()
        if isinstance(value, type) and issubclass(value, Effect) and not inspect.isabstract(value)
    }
    assert declared
    assert declared <= set(concrete_effects())


@pytest.mark.parametrize("effect_class", concrete_effects(), ids=lambda cls: cls.__name__)
def test_every_effect_calls_a_port_method_with_an_async_twin(effect_class: type[Effect]) -> None:
    assert port_problems(effect_class) == []


@dataclasses.dataclass(frozen=True)
class _Fake:
    """Shaped like an effect but not an Effect, so the discovery above never sees it."""

    jti: str
    port: ClassVar[str]
    method: ClassVar[str]

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.jti,), {}


class _UnknownPort(_Fake):
    port, method = "sessions", "get"


class _UnknownMethod(_Fake):
    port, method = "blacklist", "forget"


class _NoTwin(_Fake):
    port, method = "users", "is_active"


class _MissingKeyword(_Fake):
    port, method = "blacklist", "blacklist"


class _ExtraPositional(_Fake):
    port, method = "blacklist", "is_blacklisted"

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.jti, WHEN), {}


@pytest.mark.parametrize(
    ("fake", "problem"),
    [
        (_UnknownPort, "no port 'sessions'"),
        (_UnknownMethod, "no sync BlacklistBackend.forget"),
        (_NoTwin, "no async UserStore.ais_active"),
        (_MissingKeyword, "arguments() do not fit blacklist"),
        (_ExtraPositional, "arguments() do not fit is_blacklisted"),
    ],
)
def test_the_port_check_reports_a_wrong_effect(fake: type, problem: str) -> None:
    problems = port_problems(fake)
    assert len(problems) == 1
    assert problems[0].startswith(problem)


@pytest.mark.parametrize(
    ("effect", "arguments"),
    [
        (LoadUser(7), ((7,), {})),
        (CheckCredentials(REQUEST, CREDENTIALS), ((REQUEST, CREDENTIALS), {})),
        (IsBlacklisted("jti-1"), (("jti-1",), {})),
        (AddToBlacklist("jti-1", WHEN), (("jti-1",), {"expires_at": WHEN})),
    ],
)
def test_effect_arguments_carry_its_fields_in_order(
    effect: Effect, arguments: tuple[tuple[object, ...], dict[str, object]]
) -> None:
    assert effect.arguments() == arguments


def test_effects_are_frozen_values() -> None:
    assert IsBlacklisted("a") == IsBlacklisted("a")
    assert IsBlacklisted("a") != IsBlacklisted("b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        IsBlacklisted("a").jti = "b"  # type: ignore[misc]


def test_the_base_effect_is_abstract() -> None:
    with pytest.raises(TypeError):
        Effect()  # type: ignore[abstract]
