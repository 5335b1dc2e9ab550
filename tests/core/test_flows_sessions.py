"""Sessions through the policies: logout, reuse, grace, max lifetime, logout-all, revocation.

Every test runs under both drivers (``drive``: sync and async) on the memory store, with the
clock frozen where time matters.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from jwtflow import flows, tokens
from jwtflow.clock import FrozenClock
from jwtflow.effects import EndAllSessions, LoadCheckedUser, LoadUser
from jwtflow.errors import (
    BlacklistDisabled,
    TokenBlacklisted,
    TokenExpired,
    TokenReused,
    UserNotFound,
)
from jwtflow.memory import MemoryUser, MemoryUserStore
from jwtflow.records import MAX_USER_AGENT_LENGTH, user_key
from jwtflow.runtime import Runtime
from jwtflow.sessions import utc
from jwtflow.tokens import AccessToken, RefreshToken, TokenPair

from .helpers import Drive, MakeRuntime, fails

ALICE = {"username": "alice", "password": "alice-password"}
DAY = 24 * 3600


def login(drive: Drive, runtime: Runtime, user_agent: str = "") -> TokenPair:
    pair: TokenPair = drive(flows.obtain(runtime, None, ALICE, user_agent), runtime.ports)
    return pair


def refresh(drive: Drive, runtime: Runtime, token: RefreshToken | None) -> TokenPair:
    pair: TokenPair = drive(flows.refresh(runtime, str(token)), runtime.ports)
    return pair


def authenticate(drive: Drive, runtime: Runtime, token: AccessToken) -> Any:
    return drive(flows.authenticate(runtime, str(token)), runtime.ports)


def test_a_login_starts_a_session_its_tokens_carry(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    pair = login(drive, runtime, "Mozilla/5.0 " + "x" * 500)
    sid = pair.access.payload["sid"]
    assert pair.refresh is not None
    assert pair.refresh.payload["sid"] == sid
    assert pair.refresh.payload["gen"] == 0
    assert "gen" not in pair.access.payload
    assert pair.access.payload["auth_time"] == pair.refresh.payload["auth_time"] == clock.now()
    (listed,) = drive(flows.list_sessions(runtime, alice), runtime.ports)
    assert listed.sid == sid
    assert listed.user_key == user_key(alice.id)
    assert listed.user_agent == ("Mozilla/5.0 " + "x" * 500)[:MAX_USER_AGENT_LENGTH]
    assert listed.expires.timestamp() == pair.refresh.exp


def test_logout_refuses_the_sessions_access_tokens_at_once(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    pair = login(drive, runtime)
    assert authenticate(drive, runtime, pair.access)[0] is alice
    drive(flows.blacklist(runtime, str(pair.refresh)), runtime.ports)
    error = fails(
        drive, flows.authenticate(runtime, str(pair.access)), runtime.ports, TokenBlacklisted
    )
    assert error.code == "token_blacklisted"
    fails(drive, flows.refresh(runtime, str(pair.refresh)), runtime.ports, TokenBlacklisted)
    fails(drive, tokens.verify(runtime, str(pair.access)), runtime.ports, TokenBlacklisted)
    assert drive(flows.list_sessions(runtime, alice), runtime.ports) == []


def test_reuse_ends_the_whole_session(drive: Drive, runtime: Runtime) -> None:
    first = login(drive, runtime)
    second = refresh(drive, runtime, first.refresh)
    error = fails(drive, flows.refresh(runtime, str(first.refresh)), runtime.ports, TokenReused)
    assert error.code == "token_reused"
    # The attacker's replay also killed the victim's (or the attacker's) successor.
    fails(drive, flows.refresh(runtime, str(second.refresh)), runtime.ports, TokenBlacklisted)
    for access in (first.access, second.access):
        fails(drive, flows.authenticate(runtime, str(access)), runtime.ports, TokenBlacklisted)
    other = login(drive, runtime)
    assert (
        refresh(drive, runtime, other.refresh).access.payload["sid"] == other.access.payload["sid"]
    )


def test_within_the_grace_period_the_just_rotated_token_gets_a_pair_in_the_same_session(
    drive: Drive, make_runtime: MakeRuntime, clock: FrozenClock
) -> None:
    runtime = make_runtime(REUSE_GRACE_PERIOD=10)
    first = login(drive, runtime)
    second = refresh(drive, runtime, first.refresh)
    clock.advance(9)
    again = refresh(drive, runtime, first.refresh)
    assert again.refresh is not None
    assert again.refresh.payload["sid"] == second.access.payload["sid"]
    assert again.refresh.payload["gen"] == 1
    assert authenticate(drive, runtime, second.access)
    third = refresh(drive, runtime, again.refresh)
    clock.advance(10)
    fails(drive, flows.refresh(runtime, str(second.refresh)), runtime.ports, TokenReused)
    fails(drive, flows.authenticate(runtime, str(third.access)), runtime.ports, TokenBlacklisted)


def test_older_generations_are_reuse_even_within_the_grace_period(
    drive: Drive, make_runtime: MakeRuntime
) -> None:
    runtime = make_runtime(REUSE_GRACE_PERIOD=60)
    first = login(drive, runtime)
    second = refresh(drive, runtime, first.refresh)
    refresh(drive, runtime, second.refresh)
    fails(drive, flows.refresh(runtime, str(first.refresh)), runtime.ports, TokenReused)


def test_no_refresh_extends_a_session_past_its_max_lifetime(
    drive: Drive, make_runtime: MakeRuntime, clock: FrozenClock
) -> None:
    runtime = make_runtime(SESSION_MAX_LIFETIME=timedelta(hours=1), REFRESH_TOKEN_LIFETIME=DAY)
    pair = login(drive, runtime)
    end = pair.access.payload["auth_time"] + 3600
    assert pair.refresh is not None
    assert pair.refresh.exp == end
    clock.advance(3600 - 60)
    later = refresh(drive, runtime, pair.refresh)
    assert later.refresh is not None
    assert (later.refresh.exp, later.access.exp) == (end, end)
    assert later.access.payload["auth_time"] == pair.access.payload["auth_time"]
    clock.advance(60)
    fails(drive, flows.refresh(runtime, str(later.refresh)), runtime.ports, TokenExpired)


def test_without_a_max_lifetime_each_refresh_slides_the_session(
    drive: Drive, make_runtime: MakeRuntime, clock: FrozenClock, alice: MemoryUser
) -> None:
    runtime = make_runtime(SESSION_MAX_LIFETIME=None, REFRESH_TOKEN_LIFETIME=DAY)
    pair = login(drive, runtime)
    clock.advance(DAY - 1)
    later = refresh(drive, runtime, pair.refresh)
    assert later.refresh is not None
    assert later.refresh.exp == clock.now() + DAY
    (listed,) = drive(flows.list_sessions(runtime, alice), runtime.ports)
    assert listed.expires.timestamp() == later.refresh.exp


def test_logout_all_refuses_everything_issued_before_and_nothing_after(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    sessions = [login(drive, runtime), login(drive, runtime)]
    sessionless = AccessToken.for_user(alice)
    clock.advance(0.5)
    drive(flows.logout_all(runtime, alice), runtime.ports)
    for pair in sessions:
        fails(drive, flows.authenticate(runtime, str(pair.access)), runtime.ports, TokenBlacklisted)
        fails(drive, flows.refresh(runtime, str(pair.refresh)), runtime.ports, TokenBlacklisted)
    fails(drive, flows.authenticate(runtime, str(sessionless)), runtime.ports, TokenBlacklisted)
    clock.advance(0.5)
    after = login(drive, runtime)
    assert authenticate(drive, runtime, after.access)[0] is alice
    assert authenticate(drive, runtime, AccessToken.for_user(alice))[0] is alice
    listed = drive(flows.list_sessions(runtime, alice), runtime.ports)
    assert [session.sid for session in listed] == [after.access.payload["sid"]]


def test_logout_all_is_one_store_write_whatever_the_number_of_sessions(
    runtime: Runtime, alice: MemoryUser
) -> None:
    for _ in range(20):
        RefreshToken.for_user(alice)
    effects = list(flows.logout_all(runtime, alice))
    assert [type(effect) for effect in effects] == [EndAllSessions]
    longest = runtime.config.refresh_token_lifetime
    (effect,) = effects
    assert isinstance(effect, EndAllSessions)
    assert effect.keep_until - effect.now == longest


def test_without_access_token_revocation_access_tokens_live_until_exp(
    drive: Drive, make_runtime: MakeRuntime, clock: FrozenClock, alice: MemoryUser
) -> None:
    runtime = make_runtime(ACCESS_TOKEN_REVOCATION=False)
    pair = login(drive, runtime)
    drive(flows.blacklist(runtime, str(pair.refresh)), runtime.ports)
    drive(flows.logout_all(runtime, alice), runtime.ports)
    assert authenticate(drive, runtime, pair.access)[0] is alice
    assert list(tokens.verify(runtime, str(pair.access))) == []  # no store is asked
    effects = flows.authenticate(runtime, str(pair.access))
    assert isinstance(next(effects), LoadUser)
    clock.advance(pair.access.exp - clock.now())
    fails(drive, flows.authenticate(runtime, str(pair.access)), runtime.ports, TokenExpired)
    fails(drive, flows.refresh(runtime, str(pair.refresh)), runtime.ports, TokenBlacklisted)


def test_with_access_token_revocation_one_effect_loads_the_user_and_checks_the_session(
    runtime: Runtime, alice: MemoryUser
) -> None:
    pair = RefreshToken.for_user(alice)
    effect = next(flows.authenticate(runtime, str(pair.access_token)))
    assert isinstance(effect, LoadCheckedUser)
    assert effect.check.sid == pair.payload["sid"]
    assert effect.check.generation is None


def test_a_deleted_user_is_user_not_found_before_the_session_is_judged(
    drive: Drive, runtime: Runtime, users: MemoryUserStore, alice: MemoryUser
) -> None:
    pair = login(drive, runtime)
    del users.users[alice.id]
    fails(drive, flows.authenticate(runtime, str(pair.access)), runtime.ports, UserNotFound)


def test_a_user_ends_one_of_their_sessions_and_not_anyone_elses(
    drive: Drive, runtime: Runtime, alice: MemoryUser, bob: MemoryUser
) -> None:
    kept, ended = login(drive, runtime), login(drive, runtime)
    sid = ended.access.payload["sid"]
    assert drive(flows.end_session(runtime, bob, sid), runtime.ports) is False
    assert drive(flows.end_session(runtime, alice, sid), runtime.ports) is True
    assert drive(flows.end_session(runtime, alice, sid), runtime.ports) is False
    fails(drive, flows.authenticate(runtime, str(ended.access)), runtime.ports, TokenBlacklisted)
    assert authenticate(drive, runtime, kept.access)[0] is alice


def test_without_a_store_tokens_are_sessionless_and_session_policies_are_disabled(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    pair = login(drive, runtime)
    assert "sid" not in pair.access.payload
    assert pair.refresh is not None
    assert "sid" not in pair.refresh.payload
    again = refresh(drive, runtime, pair.refresh)
    assert again.refresh is not None
    assert "sid" not in again.refresh.payload
    assert "sid" not in RefreshToken.for_user(alice).payload
    for flow in (
        flows.logout_all(runtime, alice),
        flows.list_sessions(runtime, alice),
        flows.end_session(runtime, alice, "x" * 24),
        flows.blacklist(runtime, str(pair.refresh)),
    ):
        fails(drive, flow, runtime.ports, BlacklistDisabled)


def test_a_sessionless_refresh_token_of_0_1_is_spent_once_into_a_new_session(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    legacy = RefreshToken.mint(runtime, tokens.claims_of_user(runtime, alice))
    clock.advance(30)
    pair = refresh(drive, runtime, legacy)
    assert pair.refresh is not None
    assert pair.refresh.payload["auth_time"] == legacy.payload["iat"]
    assert pair.refresh.payload["sid"] == pair.access.payload["sid"]
    assert [s.sid for s in drive(flows.list_sessions(runtime, alice), runtime.ports)] == [
        pair.access.payload["sid"]
    ]
    fails(drive, flows.refresh(runtime, str(legacy)), runtime.ports, TokenBlacklisted)
    assert refresh(drive, runtime, pair.refresh).refresh is not None


def test_a_sessionless_refresh_token_issued_before_logout_all_is_refused(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    legacy = RefreshToken.mint(runtime, tokens.claims_of_user(runtime, alice))
    clock.advance(1)
    drive(flows.logout_all(runtime, alice), runtime.ports)
    fails(drive, tokens.verify(runtime, str(legacy)), runtime.ports, TokenBlacklisted)
    fails(drive, flows.refresh(runtime, str(legacy)), runtime.ports, TokenBlacklisted)


@pytest.mark.parametrize("session", [True, False], ids=["session", "sessionless"])
def test_without_rotation_a_refresh_checks_the_token_and_keeps_its_session(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser, session: bool
) -> None:
    runtime = make_runtime(ROTATE_REFRESH_TOKENS=False)
    token = (
        RefreshToken.for_user(alice)
        if session
        else RefreshToken.mint(runtime, tokens.claims_of_user(runtime, alice))
    )
    pair = refresh(drive, runtime, token)
    assert pair.refresh is None
    assert pair.access.payload.get("sid") == token.payload.get("sid")
    assert "gen" not in pair.access.payload
    assert refresh(drive, runtime, token).access.jti != pair.access.jti
    drive(flows.blacklist(runtime, str(token)), runtime.ports)
    fails(drive, flows.refresh(runtime, str(token)), runtime.ports, TokenBlacklisted)


def test_refresh_token_api_starts_sessions_sync_and_async(
    runtime: Runtime, alice: MemoryUser, mode: str
) -> None:
    if mode == "sync":
        token = RefreshToken.for_user(alice)
    else:
        token = asyncio.run(RefreshToken.afor_user(alice))
    assert token.payload["gen"] == 0
    now = utc(runtime.clock.now())
    (listed,) = runtime.ports.blacklist.list_sessions(user_key(alice.id), now=now)
    assert listed.sid == token.payload["sid"]
    successor = token.rotate() if mode == "sync" else asyncio.run(token.arotate())
    assert successor.payload["gen"] == 1
    with pytest.raises(TokenReused):
        token.rotate()
    token.blacklist()  # idempotent on an ended session


def test_verify_and_averify_refuse_the_tokens_of_an_ended_session(
    drive: Drive, runtime: Runtime
) -> None:
    pair = login(drive, runtime)
    assert AccessToken.verify(str(pair.access)) == pair.access
    assert asyncio.run(AccessToken.averify(str(pair.access))) == pair.access
    drive(flows.blacklist(runtime, str(pair.refresh)), runtime.ports)
    with pytest.raises(TokenBlacklisted):
        asyncio.run(AccessToken.averify(str(pair.access)))
    with pytest.raises(TokenBlacklisted):
        RefreshToken.verify(str(pair.refresh))
