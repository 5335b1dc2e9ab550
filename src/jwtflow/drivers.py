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
        args, kwargs = effect.arguments()
        answer = _port_method(effect, ports, "")(*args, **kwargs)


async def run_async(flow: Flow[T], ports: Ports) -> T:
    """Drive ``flow`` to completion awaiting the ports' async twins and return its result."""
    answer: Any = None
    while True:
        try:
            effect = flow.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        args, kwargs = effect.arguments()
        answer = await _port_method(effect, ports, "a")(*args, **kwargs)


def _port_method(effect: Effect, ports: Ports, prefix: str) -> Callable[..., Any]:
    return getattr(getattr(ports, effect.port), prefix + effect.method)  # type: ignore[no-any-return]
