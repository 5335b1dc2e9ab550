"""Runtime.build and the provider hook behind runtime.current()."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from jwtflow import runtime as runtime_module
from jwtflow.clock import FrozenClock, SystemClock
from jwtflow.config import Config
from jwtflow.errors import ConfigurationError
from jwtflow.keys import KeyRing
from jwtflow.rules import default_user_authentication_rule
from jwtflow.runtime import Ports, Runtime

from .helpers import SECRET


def config(**settings: Any) -> Config:
    return Config.from_mapping({"SIGNING_KEY": SECRET, **settings})


def test_build_parses_the_keys_and_defaults_clock_and_rule(ports: Ports) -> None:
    built = Runtime.build(config(), ports)
    assert built.keys == KeyRing.from_config(config())
    assert isinstance(built.clock, SystemClock)
    assert built.rule is default_user_authentication_rule
    assert built.ports is ports


def test_build_takes_a_clock_and_a_rule(ports: Ports) -> None:
    clock = FrozenClock(10.0)

    def rule(user: Any) -> bool:
        return False

    built = Runtime.build(config(), ports, clock=clock, rule=rule)
    assert built.clock is clock
    assert built.rule is rule


def test_build_refuses_unfit_keys(ports: Ports) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Runtime.build(config(ALGORITHM="HS512"), ports)
    assert caught.value.key == "SIGNING_KEY"


def test_runtime_defaults_without_build(ports: Ports) -> None:
    built = Runtime(config(), KeyRing.from_config(config()), ports)
    assert isinstance(built.clock, SystemClock)
    assert built.rule(None) is False


def test_runtime_and_ports_are_frozen(ports: Ports) -> None:
    built = Runtime.build(config(), ports)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.config = config()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ports.users = ports.users  # type: ignore[misc]


@pytest.mark.usefixtures("no_provider")
def test_current_without_a_provider_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        runtime_module.current()
    assert caught.value.key == "*"
    assert "'jwtflow.django' to INSTALLED_APPS" in str(caught.value)
    assert "jwtflow.runtime.install()" in str(caught.value)


def test_current_asks_the_installed_provider_each_time(ports: Ports) -> None:
    runtimes = [Runtime.build(config(), ports), Runtime.build(config(LEEWAY=5), ports)]
    calls = iter(runtimes)
    runtime_module.install(lambda: next(calls))
    assert runtime_module.current() is runtimes[0]
    assert runtime_module.current() is runtimes[1]


def test_install_none_uninstalls(ports: Ports) -> None:
    built = Runtime.build(config(), ports)
    runtime_module.install(lambda: built)
    assert runtime_module.current() is built
    runtime_module.install(None)
    with pytest.raises(ConfigurationError):
        runtime_module.current()
