"""The drivers: run_sync calls ports' sync methods, run_async awaits their twins."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import pytest

from jwtflow.drivers import run_async, run_sync
from jwtflow.effects import AddToBlacklist, Effect, IsBlacklisted, LoadUser
from jwtflow.errors import StoreUnavailable
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser
from jwtflow.runtime import Ports

from .helpers import Drive

WHEN = datetime(2100, 1, 1, tzinfo=UTC)


def conversation() -> Generator[Effect, Any, list[Any]]:
    answers = []
    answers.append((yield IsBlacklisted("j")))
    answers.append((yield AddToBlacklist("j", WHEN)))
    answers.append((yield AddToBlacklist("j", WHEN)))
    answers.append((yield IsBlacklisted("j")))
    answers.append((yield LoadUser(1)))
    answers.append((yield LoadUser(404)))
    return answers


def test_answers_are_sent_back_into_the_flow(drive: Drive, ports: Ports, alice: MemoryUser) -> None:
    assert drive(conversation(), ports) == [False, True, False, True, alice, None]


def test_a_flow_without_effects_returns_at_once(drive: Drive, ports: Ports) -> None:
    def pure() -> Generator[Effect, Any, str]:
        return "done"
        yield  # pragma: no cover - makes this a generator

    assert drive(pure(), ports) == "done"


def test_flow_errors_propagate(drive: Drive, ports: Ports) -> None:
    def failing() -> Generator[Effect, Any, None]:
        yield IsBlacklisted("j")
        raise StoreUnavailable()

    with pytest.raises(StoreUnavailable):
        drive(failing(), ports)


class BrokenBlacklist(MemoryBlacklistBackend):
    def is_blacklisted(self, jti: str) -> bool:
        raise StoreUnavailable()

    async def ais_blacklisted(self, jti: str) -> bool:
        raise StoreUnavailable()


def test_port_errors_propagate(drive: Drive, ports: Ports) -> None:
    broken = Ports(BrokenBlacklist(), ports.users)
    with pytest.raises(StoreUnavailable) as caught:
        drive(conversation(), broken)
    assert caught.value.status_code == 503


class TwoFacedBlacklist(MemoryBlacklistBackend):
    """Answers differently from its sync and async methods, to show which one a driver used."""

    def is_blacklisted(self, jti: str) -> bool:
        return False

    async def ais_blacklisted(self, jti: str) -> bool:
        return True


def one_question() -> Generator[Effect, Any, bool]:
    answer: bool = yield IsBlacklisted("j")
    return answer


def test_run_sync_uses_the_sync_method(ports: Ports) -> None:
    assert run_sync(one_question(), Ports(TwoFacedBlacklist(), ports.users)) is False


def test_run_async_awaits_the_async_twin(ports: Ports) -> None:
    flow = one_question()
    assert asyncio.run(run_async(flow, Ports(TwoFacedBlacklist(), ports.users))) is True
