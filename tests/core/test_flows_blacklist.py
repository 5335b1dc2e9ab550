"""The ``blacklist`` policy, run under both drivers (``drive`` is parametrized: sync and async)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.errors import (
    BlacklistDisabled,
    TokenBlacklisted,
    TokenExpired,
    TokenTypeInvalid,
)
from jwtflow.memory import MemoryUser, MemoryUserStore
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import AccessToken, RefreshToken

from .helpers import Drive, MakeRuntime, RecordingBlacklist, fails


@pytest.mark.parametrize("leeway", [0, 120])
def test_blacklist_entry_lives_until_exp_plus_leeway(
    drive: Drive, make_runtime: MakeRuntime, users: MemoryUserStore, alice: MemoryUser, leeway: int
) -> None:
    recording = RecordingBlacklist()
    runtime = make_runtime(ports=Ports(recording, users), LEEWAY=leeway)
    token = RefreshToken.mint(runtime, {"user_id": alice.id})  # sessionless, as 0.1 issued them
    drive(flows.blacklist(runtime, str(token)), runtime.ports)
    assert recording.expiries[token.jti] == datetime.fromtimestamp(token.exp + leeway, tz=UTC)


def test_blacklist_when_disabled_raises(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    fails(drive, flows.blacklist(runtime, str(token)), runtime.ports, BlacklistDisabled)


def test_blacklist_policy_blacklists_and_a_second_logout_is_token_blacklisted(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    assert drive(flows.blacklist(runtime, raw), runtime.ports) is None
    fails(drive, flows.refresh(runtime, raw), runtime.ports, TokenBlacklisted)
    error = fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenBlacklisted)
    assert error.code == "token_blacklisted"


def test_blacklist_policy_refuses_an_access_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(AccessToken.for_user(alice))
    fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenTypeInvalid)


def test_blacklist_policy_refuses_an_expired_token(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    clock.advance(86400)
    fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenExpired)


def test_blacklist_policy_leaves_other_sessions(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    spent, kept = str(RefreshToken.for_user(alice)), str(RefreshToken.for_user(alice))
    drive(flows.blacklist(runtime, spent), runtime.ports)
    assert drive(flows.refresh(runtime, kept), runtime.ports).refresh is not None
