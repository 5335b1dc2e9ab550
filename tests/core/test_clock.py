"""SystemClock reads the wall clock; FrozenClock stands still until moved."""

from __future__ import annotations

import time

import pytest

from jwtflow.clock import Clock, FrozenClock, SystemClock


def test_system_clock_reads_the_wall_clock() -> None:
    before = time.time()
    now = SystemClock().now()
    assert before <= now <= time.time()


def test_frozen_clock_stands_still() -> None:
    clock = FrozenClock(1_700_000_000.0)
    assert clock.now() == clock.now() == 1_700_000_000.0


@pytest.mark.parametrize(("seconds", "expected"), [(10, 110.0), (0.5, 100.5), (-30, 70.0)])
def test_frozen_clock_moves_when_told(seconds: float, expected: float) -> None:
    clock = FrozenClock(100.0)
    clock.advance(seconds)
    assert clock.now() == expected


def test_advances_accumulate() -> None:
    clock = FrozenClock(0.0)
    clock.advance(1)
    clock.advance(2)
    assert clock.now() == 3.0


@pytest.mark.parametrize("clock", [SystemClock(), FrozenClock(5.0)])
def test_both_clocks_satisfy_the_protocol(clock: Clock) -> None:
    assert isinstance(clock.now(), float)
