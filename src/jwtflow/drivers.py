"""Run a flow: ``run_sync`` calls the ports' sync methods, ``run_async`` awaits their twins.

This is the only place where sync and async differ.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from jwtflow.effects import Effect
from jwtflow.runtime import Ports

T = TypeVar("T")
Flow = Generator[Effect, Any, T]


def run_sync(flow: Flow[T], ports: Ports) -> T:
    """Drive ``flow`` to completion with blocking port calls and return its result."""
    answer: Any = None
    while True:
        try:
            effect = flow.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        answer = _port_call(effect, ports, "")()


async def run_async(flow: Flow[T], ports: Ports) -> T:
    """Drive ``flow`` to completion awaiting the ports' async twins and return its result."""
    answer: Any = None
    while True:
        try:
            effect = flow.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        answer = await _port_call(effect, ports, "a")()


def _port_call(effect: Effect, ports: Ports, prefix: str) -> Callable[[], Any]:
    args, kwargs = effect.arguments()
    method = getattr(getattr(ports, effect.port), prefix + effect.method)
    return lambda: method(*args, **kwargs)
