"""The policies, each run under both drivers (``drive`` is parametrized over sync and async)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from jwtflow import flows, tokens
from jwtflow.clock import FrozenClock
from jwtflow.errors import (
    BlacklistDisabled,
    JWTFlowError,
    NoActiveAccount,
    PasswordChanged,
    TokenBlacklisted,
    TokenError,
    TokenExpired,
    TokenTypeInvalid,
    UserInactive,
    UserNotFound,
)
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import AccessToken, RefreshToken, TokenPair

from .helpers import Drive, MakeRuntime, RecordingBlacklist

ALICE = {"username": "alice", "password": "alice-password"}


def refuse_everyone(user: Any) -> bool:
    return False


def accept_everyone(user: Any) -> bool:
    return True


def access_for(runtime: Runtime, user_id: object) -> str:
    return str(AccessToken.mint(runtime, {"user_id": user_id}))


def refresh_for(runtime: Runtime, user_id: object) -> str:
    return str(RefreshToken.mint(runtime, {"user_id": user_id}))


def fails(drive: Drive, flow: Any, ports: Ports, error: type[JWTFlowError]) -> JWTFlowError:
    with pytest.raises(JWTFlowError) as caught:
        drive(flow, ports)
    assert type(caught.value) is error
    return caught.value


# -- authenticate ----------------------------------------------------------------------------


def test_authenticate_returns_the_user_and_the_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(AccessToken.for_user(alice))
    user, token = drive(flows.authenticate(runtime, raw), runtime.ports)
    assert user is alice
    assert isinstance(token, AccessToken)
    assert str(token) == raw


@pytest.mark.parametrize("user_id", [99, "1", 0])
def test_authenticate_unknown_user_is_user_not_found(
    drive: Drive, runtime: Runtime, user_id: object
) -> None:
    error = fails(
        drive,
        flows.authenticate(runtime, access_for(runtime, user_id)),
        runtime.ports,
        UserNotFound,
    )
    assert error.code == "user_not_found"


def test_authenticate_deleted_user_is_user_not_found(
    drive: Drive, runtime: Runtime, alice: MemoryUser, users: MemoryUserStore
) -> None:
    raw = str(AccessToken.for_user(alice))
    del users.users[alice.id]
    fails(drive, flows.authenticate(runtime, raw), runtime.ports, UserNotFound)


def test_authenticate_inactive_user_is_user_inactive(
    drive: Drive, runtime: Runtime, bob: MemoryUser
) -> None:
    raw = str(AccessToken.for_user(bob))
    error = fails(drive, flows.authenticate(runtime, raw), runtime.ports, UserInactive)
    assert error.code == "user_inactive"


def test_authenticate_allows_inactive_users_without_the_check(
    drive: Drive, make_runtime: MakeRuntime, bob: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_USER_IS_ACTIVE=False)
    user, _ = drive(flows.authenticate(runtime, str(AccessToken.for_user(bob))), runtime.ports)
    assert user is bob


def test_authenticate_does_not_apply_the_rule(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(rule=refuse_everyone)
    user, _ = drive(flows.authenticate(runtime, str(AccessToken.for_user(alice))), runtime.ports)
    assert user is alice


@pytest.mark.parametrize(
    ("make_raw", "error"),
    [
        (lambda alice: str(RefreshToken.for_user(alice)), TokenTypeInvalid),
        (lambda alice: "not-a-token", TokenError),
    ],
)
def test_authenticate_refuses_bad_tokens(
    drive: Drive, runtime: Runtime, alice: MemoryUser, make_raw: Any, error: type[JWTFlowError]
) -> None:
    fails(drive, flows.authenticate(runtime, make_raw(alice)), runtime.ports, error)


def test_authenticate_refuses_expired_tokens(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    raw = str(AccessToken.for_user(alice))
    clock.advance(300)
    fails(drive, flows.authenticate(runtime, raw), runtime.ports, TokenExpired)


def test_authenticate_with_revoke_check_accepts_an_unchanged_password(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    user, _ = drive(flows.authenticate(runtime, str(AccessToken.for_user(alice))), runtime.ports)
    assert user is alice


def test_authenticate_after_a_password_change_is_password_changed(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    raw = str(AccessToken.for_user(alice))
    alice.password = "a-new-password"
    error = fails(drive, flows.authenticate(runtime, raw), runtime.ports, PasswordChanged)
    assert error.code == "password_changed"


@pytest.mark.parametrize("claim", [None, 123, ["x"], "forged"])
def test_authenticate_with_a_missing_or_bad_revoke_claim_is_password_changed(
    drive: Drive, make_runtime: MakeRuntime, claim: object
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    claims: dict[str, Any] = {"user_id": 1}
    if claim is not None:
        claims["hash_password"] = claim
    raw = str(AccessToken.mint(runtime, claims))
    fails(drive, flows.authenticate(runtime, raw), runtime.ports, PasswordChanged)


def test_authenticate_ignores_the_revoke_claim_without_the_check(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime()
    raw = str(AccessToken.mint(runtime, {"user_id": 1, "hash_password": "stale"}))
    user, _ = drive(flows.authenticate(runtime, raw), runtime.ports)
    assert user is alice


def test_authenticate_checks_active_before_password(
    drive: Drive, make_runtime: MakeRuntime, bob: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    raw = str(AccessToken.for_user(bob))
    bob.password = "changed"
    fails(drive, flows.authenticate(runtime, raw), runtime.ports, UserInactive)


# -- obtain ----------------------------------------------------------------------------------


def test_obtain_mints_a_pair(drive: Drive, runtime: Runtime, alice: MemoryUser) -> None:
    pair = drive(flows.obtain(runtime, object(), ALICE), runtime.ports)
    assert isinstance(pair, TokenPair)
    assert pair.refresh is not None
    assert AccessToken.verify(str(pair.access)).payload["user_id"] == alice.id
    assert RefreshToken.verify(str(pair.refresh)).payload["user_id"] == alice.id
    assert set(pair.as_dict()) == {"access", "refresh"}


def test_obtain_pair_carries_the_revoke_claim(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    pair = drive(flows.obtain(runtime, None, ALICE), runtime.ports)
    assert pair.access.payload["hash_password"] == pair.refresh.payload["hash_password"]
    assert set(pair.access.payload) == set(AccessToken.for_user(alice).payload)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "alice", "password": ""},
        {"username": "alice"},
        {"username": "mallory", "password": "alice-password"},
        {},
    ],
)
def test_obtain_with_bad_credentials_is_no_active_account(
    drive: Drive, runtime: Runtime, credentials: dict[str, str]
) -> None:
    error = fails(drive, flows.obtain(runtime, None, credentials), runtime.ports, NoActiveAccount)
    assert error.code == "no_active_account"


def test_obtain_for_an_inactive_user_is_no_active_account(drive: Drive, runtime: Runtime) -> None:
    credentials = {"username": "bob", "password": "bob-password"}
    fails(drive, flows.obtain(runtime, None, credentials), runtime.ports, NoActiveAccount)


def test_obtain_refused_by_the_rule_is_no_active_account(
    drive: Drive, make_runtime: MakeRuntime
) -> None:
    runtime = make_runtime(rule=refuse_everyone)
    fails(drive, flows.obtain(runtime, None, ALICE), runtime.ports, NoActiveAccount)


def test_obtain_follows_a_permissive_rule(drive: Drive, make_runtime: MakeRuntime) -> None:
    runtime = make_runtime(rule=accept_everyone)
    credentials = {"username": "bob", "password": "bob-password"}
    pair = drive(flows.obtain(runtime, None, credentials), runtime.ports)
    assert pair.access.payload["user_id"] == 2


# -- refresh ---------------------------------------------------------------------------------


def test_refresh_with_rotation_spends_the_old_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    old = str(RefreshToken.for_user(alice))
    pair = drive(flows.refresh(runtime, old), runtime.ports)
    assert pair.refresh is not None
    assert set(pair.as_dict()) == {"access", "refresh"}
    assert pair.access.payload["user_id"] == alice.id
    error = fails(drive, flows.refresh(runtime, old), runtime.ports, TokenBlacklisted)
    assert error.code == "token_blacklisted"
    again = drive(flows.refresh(runtime, str(pair.refresh)), runtime.ports)
    assert again.refresh.jti != pair.refresh.jti


def test_refreshed_access_token_has_the_claims_for_user_gives(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True, ISSUER="https://issuer.example")
    pair = drive(flows.refresh(runtime, str(RefreshToken.for_user(alice))), runtime.ports)
    direct = AccessToken.for_user(alice)
    assert set(pair.access.payload) == set(direct.payload)
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
def test_rotation_blacklists_until_exp_plus_leeway(
    drive: Drive, make_runtime: MakeRuntime, users: MemoryUserStore, alice: MemoryUser, leeway: int
) -> None:
    recording = RecordingBlacklist()
    runtime = make_runtime(ports=Ports(recording, users), LEEWAY=leeway)
    token = RefreshToken.for_user(alice)
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
        except TokenBlacklisted as error:
            result = error
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
    losses = [outcome for outcome in outcomes if isinstance(outcome, TokenBlacklisted)]
    assert (len(wins), len(losses)) == (1, 7)


# -- verify ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [AccessToken, RefreshToken])
def test_verify_accepts_either_type(
    drive: Drive, runtime: Runtime, alice: MemoryUser, cls: Any
) -> None:
    token = cls.for_user(alice)
    verified = drive(tokens.verify(runtime, str(token)), runtime.ports)
    assert type(verified) is cls
    assert verified == token


@pytest.mark.parametrize(
    ("cls", "other"), [(AccessToken, RefreshToken), (RefreshToken, AccessToken)]
)
def test_verify_with_a_class_refuses_the_other_type(
    drive: Drive, runtime: Runtime, alice: MemoryUser, cls: Any, other: Any
) -> None:
    raw = str(other.for_user(alice))
    fails(drive, tokens.verify(runtime, raw, cls), runtime.ports, TokenTypeInvalid)


@pytest.mark.parametrize("token_class", [None, RefreshToken])
def test_verify_refuses_a_blacklisted_refresh_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser, token_class: Any
) -> None:
    token = RefreshToken.for_user(alice)
    token.blacklist()
    fails(drive, tokens.verify(runtime, str(token), token_class), runtime.ports, TokenBlacklisted)


def test_verify_refuses_a_rotated_refresh_token(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    drive(flows.refresh(runtime, raw), runtime.ports)
    fails(drive, tokens.verify(runtime, raw), runtime.ports, TokenBlacklisted)


def test_verify_access_tokens_ignore_the_blacklist(
    drive: Drive, runtime: Runtime, alice: MemoryUser, blacklist: MemoryBlacklistBackend
) -> None:
    token = AccessToken.for_user(alice)
    blacklist.blacklist(token.jti, expires_at=datetime.fromtimestamp(token.exp, tz=UTC))
    assert drive(tokens.verify(runtime, str(token)), runtime.ports) == token


def test_verify_with_the_blacklist_disabled_accepts_blacklisted_refresh_tokens(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser, blacklist: MemoryBlacklistBackend
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    blacklist.blacklist(token.jti, expires_at=datetime.fromtimestamp(token.exp, tz=UTC))
    assert drive(tokens.verify(runtime, str(token)), runtime.ports) == token


def test_verify_does_not_load_the_user(
    drive: Drive, runtime: Runtime, users: MemoryUserStore, alice: MemoryUser
) -> None:
    raw = str(AccessToken.for_user(alice))
    users.users.clear()
    assert drive(tokens.verify(runtime, raw), runtime.ports).raw == raw


# -- blacklist and logout --------------------------------------------------------------------


def test_blacklist_reports_whether_it_added(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    token = RefreshToken.for_user(alice)
    assert drive(tokens.blacklist(runtime, token), runtime.ports) is True
    assert drive(tokens.blacklist(runtime, token), runtime.ports) is False


@pytest.mark.parametrize("leeway", [0, 120])
def test_blacklist_entry_lives_until_exp_plus_leeway(
    drive: Drive, make_runtime: MakeRuntime, users: MemoryUserStore, alice: MemoryUser, leeway: int
) -> None:
    recording = RecordingBlacklist()
    runtime = make_runtime(ports=Ports(recording, users), LEEWAY=leeway)
    token = RefreshToken.for_user(alice)
    drive(flows.blacklist(runtime, str(token)), runtime.ports)
    assert recording.expiries[token.jti] == datetime.fromtimestamp(token.exp + leeway, tz=UTC)


def test_blacklist_when_disabled_raises(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    fails(drive, tokens.blacklist(runtime, token), runtime.ports, BlacklistDisabled)
    fails(drive, flows.blacklist(runtime, str(token)), runtime.ports, BlacklistDisabled)


def test_logout_blacklists_and_a_second_logout_is_token_blacklisted(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    assert drive(flows.blacklist(runtime, raw), runtime.ports) is None
    fails(drive, flows.refresh(runtime, raw), runtime.ports, TokenBlacklisted)
    error = fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenBlacklisted)
    assert error.code == "token_blacklisted"


def test_logout_refuses_an_access_token(drive: Drive, runtime: Runtime, alice: MemoryUser) -> None:
    raw = str(AccessToken.for_user(alice))
    fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenTypeInvalid)


def test_logout_refuses_an_expired_token(
    drive: Drive, runtime: Runtime, clock: FrozenClock, alice: MemoryUser
) -> None:
    raw = str(RefreshToken.for_user(alice))
    clock.advance(86400)
    fails(drive, flows.blacklist(runtime, raw), runtime.ports, TokenExpired)


def test_logout_leaves_other_sessions(drive: Drive, runtime: Runtime, alice: MemoryUser) -> None:
    spent, kept = str(RefreshToken.for_user(alice)), str(RefreshToken.for_user(alice))
    drive(flows.blacklist(runtime, spent), runtime.ports)
    assert drive(flows.refresh(runtime, kept), runtime.ports).refresh is not None
