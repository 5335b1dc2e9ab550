"""A timed job: one call, sync or async, timed in batches; the mean per call in microseconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


def _no_check(result: Any) -> None:
    return None


@dataclass
class Job:
    """What a scenario times: ``call`` (sync) or ``acall`` (async), and a check of one result.

    The check runs once before timing, so a misconfigured library fails instead of being fast.
    """

    call: Callable[[], Any] | None = None
    acall: Callable[[], Awaitable[Any]] | None = None
    check: Callable[[Any], None] = _no_check

    def once(self) -> Any:
        """Run the job once (in a fresh event loop if async) and check its result."""
        if self.acall is not None:
            result = asyncio.run(self._aonce())
        else:
            assert self.call is not None
            result = self.call()
        self.check(result)
        return result

    async def _aonce(self) -> Any:
        assert self.acall is not None
        return await self.acall()

    def measure(self, n: int) -> float:
        """Call the job ``n`` times back to back; return microseconds per call."""
        if self.acall is not None:
            elapsed = asyncio.run(self._abatch(n))
        else:
            call = self.call
            assert call is not None
            start = time.perf_counter_ns()
            for _ in range(n):
                call()
            elapsed = time.perf_counter_ns() - start
        return elapsed / n / 1000

    async def _abatch(self, n: int) -> int:
        acall = self.acall
        assert acall is not None
        start = time.perf_counter_ns()
        for _ in range(n):
            await acall()
        return time.perf_counter_ns() - start


def expect(condition: bool, message: str) -> None:
    """Raise with ``message`` unless ``condition`` (checks in scenario set-up)."""
    if not condition:
        raise AssertionError(message)
