"""Scenario registry: every figure of the table except HTTP, in table order.

A scenario names the profile its workers run in and builds a :class:`~bench.timing.Job` from an
adapter and the worker's :class:`Setup`; it raises ``Unsupported`` where a library has no
equivalent ("n/a" in the table).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.libs.base import Adapter
from bench.timing import Job


@dataclass(frozen=True)
class Setup:
    """What a worker prepared once: the user and a token pair from the library's own login."""

    user: Any
    access: str
    refresh: str


@dataclass(frozen=True)
class Scenario:
    """One row of the table, timed in microseconds per call."""

    id: str
    label: str
    profile: str
    make: Callable[[Adapter, Setup], Job]


def all_scenarios() -> list[Scenario]:
    """Every in-process scenario, in table order."""
    from bench.scenarios import authenticate, tokens, verify

    return [*verify.SCENARIOS, *tokens.SCENARIOS, *authenticate.SCENARIOS]


def by_id() -> dict[str, Scenario]:
    """Scenarios by id."""
    return {scenario.id: scenario for scenario in all_scenarios()}


def matches(figure_id: str, patterns: list[str]) -> bool:
    """Whether ``figure_id`` is selected by ``--only`` (glob patterns, or substrings)."""
    if not patterns:
        return True
    return any(fnmatch.fnmatch(figure_id, p) or p in figure_id for p in patterns)
