"""Where time comes from: the system clock in production, a frozen one in tests."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Gives the current time as seconds since the epoch."""

    def now(self) -> float:
        """Return the current time as a POSIX timestamp."""


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        """Return ``time.time()``."""
        return time.time()


class FrozenClock:
    """A clock that stands still until told to move; for tests."""

    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        """Return the frozen time."""
        return self.at

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        self.at += seconds
