"""The ``refresh`` policy, run under both drivers (``drive`` is parametrized: sync and async)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.errors import (
    NoActiveAccount,
    PasswordChanged,
    TokenBlacklisted,
    TokenError,
    TokenExpired,
    TokenReused,
    TokenTypeInvalid,
    UserInactive,
    UserNotFound,
)
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import AccessToken, RefreshToken, TokenPair

from .helpers import Drive, MakeRuntime, RecordingBlacklist, accept_everyone, fails, refuse_everyone


def refresh_for(runtime: Runtime, user_id: object) -> str:
    return str(RefreshToken.mint(runtime, {"user_id": user_id}))


def test_refresh_with_rotation_spends_the_old_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    old = str(RefreshToken.for_user(alice))
    pair = drive(flows.refresh(runtime, old), runtime.ports)
    assert pair.refresh is not None
    assert set(pair.as_dict()) == {"access", "refresh"}
    assert pair.access.payload["user_id"] == alice.id
    again = drive(flows.refresh(runtime, str(pair.refresh)), runtime.ports)
    assert again.refresh.jti != pair.refresh.jti
    # The spent token coming back is reuse (tests/core/test_sessions_*.py cover what it ends).
    error = fails(drive, flows.refresh(runtime, old), runtime.ports, TokenReused)
    assert error.code == "token_reused"


def test_refreshed_access_token_has_the_claims_for_user_gives(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True, ISSUER="https://issuer.example")
    pair = drive(flows.refresh(runtime, str(RefreshToken.for_user(alice))), runtime.ports)
    direct = AccessToken.for_user(alice)
    assert set(pair.access.payload) == set(direct.payload) | {"sid", "auth_time"}
    assert pair.access.payload["hash_password"] == direct.payload["hash_password"]


def test_refresh_without_rotation_returns_only_an_access_token(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(ROTATE_REFRESH_TOKENS=False)
    raw = str(RefreshToken.for_user(alice))
    first = drive(flows.refresh(runtime, raw), runtime.ports)
    assert first.refresh is None
    assert first.as_dict() == {"access": str(first.access)}
    second = drive(flows.refresh(runtime, raw), runtime.ports)
    assert second.access.jti != first.access.jti


def test_refresh_without_rotation_checks_the_blacklist(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(ROTATE_REFRESH_TOKENS=False)
    token = RefreshToken.for_user(alice)
    drive(flows.blacklist(runtime, str(token)), runtime.ports)
    fails(drive, flows.refresh(runtime, str(token)), runtime.ports, TokenBlacklisted)


@pytest.mark.parametrize("rotate", [True, False])
def test_refresh_with_the_blacklist_disabled_never_consults_it(
    drive: Drive,
    make_runtime: MakeRuntime,
    alice: MemoryUser,
    blacklist: MemoryBlacklistBackend,
    rotate: bool,
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False, ROTATE_REFRESH_TOKENS=rotate)
    token = RefreshToken.for_user(alice)
    blacklist.blacklist(token.jti, expires_at=datetime.fromtimestamp(token.exp, tz=UTC))
    first = drive(flows.refresh(runtime, str(token)), runtime.ports)
    second = drive(flows.refresh(runtime, str(token)), runtime.ports)
    assert (first.refresh is None, second.refresh is None) == (not rotate, not rotate)


def test_refresh_with_the_blacklist_disabled_adds_nothing(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser, blacklist: MemoryBlacklistBackend
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    drive(flows.refresh(runtime, str(token)), runtime.ports)
    assert not blacklist.is_blacklisted(token.jti)


@pytest.mark.parametrize("leeway", [0, 45])
def test_sessionless_rotation_blacklists_until_exp_plus_leeway(
    drive: Drive, make_runtime: MakeRuntime, users: MemoryUserStore, alice: MemoryUser, leeway: int
) -> None:
    recording = RecordingBlacklist()
    runtime = make_runtime(ports=Ports(recording, users), LEEWAY=leeway)
    token = RefreshToken.mint(runtime, {"user_id": alice.id})  # as jwtflow 0.1 issued them
    drive(flows.refresh(runtime, str(token)), runtime.ports)
    assert recording.expiries == {token.jti: datetime.fromtimestamp(token.exp + leeway, tz=UTC)}


def test_refresh_refuses_an_access_token(drive: Drive, runtime: Runtime, alice: MemoryUser) -> None:
    raw = str(AccessToken.for_user(alice))
    fails(drive, flows.refresh(runtime, raw), runtime.ports, TokenTypeInvalid)


def test_refresh_refuses_an_expired_token(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    clock.advance(86400)
    fails(drive, flows.refresh(runtime, raw), runtime.ports, TokenExpired)


@pytest.mark.parametrize("rotate", [True, False])
def test_refresh_for_a_deleted_user_is_user_not_found(
    drive: Drive, make_runtime: MakeRuntime, users: MemoryUserStore, alice: MemoryUser, rotate: bool
) -> None:
    runtime = make_runtime(ROTATE_REFRESH_TOKENS=rotate)
    raw = str(RefreshToken.for_user(alice))
    del users.users[alice.id]
    fails(drive, flows.refresh(runtime, raw), runtime.ports, UserNotFound)


def test_refresh_for_an_inactive_user_is_user_inactive(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    alice.is_active = False
    fails(drive, flows.refresh(runtime, raw), runtime.ports, UserInactive)


def test_refresh_without_the_active_check_still_applies_the_rule(
    drive: Drive, make_runtime: MakeRuntime, bob: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_USER_IS_ACTIVE=False)
    raw = str(RefreshToken.for_user(bob))
    fails(drive, flows.refresh(runtime, raw), runtime.ports, NoActiveAccount)


def test_refresh_refused_by_the_rule_is_no_active_account(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(rule=refuse_everyone)
    raw = str(RefreshToken.for_user(alice))
    error = fails(drive, flows.refresh(runtime, raw), runtime.ports, NoActiveAccount)
    assert error.code == "no_active_account"


def test_refresh_allowed_by_a_permissive_rule(
    drive: Drive, make_runtime: MakeRuntime, bob: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_USER_IS_ACTIVE=False, rule=accept_everyone)
    pair = drive(flows.refresh(runtime, str(RefreshToken.for_user(bob))), runtime.ports)
    assert pair.access.payload["user_id"] == bob.id


def test_refresh_after_a_password_change_is_password_changed(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    raw = str(RefreshToken.for_user(alice))
    alice.password = "a-new-password"
    fails(drive, flows.refresh(runtime, raw), runtime.ports, PasswordChanged)


def test_refresh_with_a_missing_revoke_claim_is_password_changed(
    drive: Drive, make_runtime: MakeRuntime
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    fails(drive, flows.refresh(runtime, refresh_for(runtime, 1)), runtime.ports, PasswordChanged)


def test_concurrent_refreshes_with_one_token_let_exactly_one_win(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    barrier = threading.Barrier(8)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            result: object = drive(flows.refresh(runtime, raw), runtime.ports)
        except (TokenReused, TokenBlacklisted) as error:
            # A loser presents a spent generation (reuse) or finds the session already ended.
            result = error
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
    losses = [outcome for outcome in outcomes if isinstance(outcome, TokenError)]
    assert (len(wins), len(losses)) == (1, 7)
    assert any(isinstance(loss, TokenReused) for loss in losses)
