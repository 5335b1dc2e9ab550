"""The ``authenticate`` policy, run under both drivers (``drive``: sync and async)."""

from __future__ import annotations

from typing import Any

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.errors import (
    JWTFlowError,
    PasswordChanged,
    TokenError,
    TokenExpired,
    TokenTypeInvalid,
    UserInactive,
    UserNotFound,
)
from jwtflow.memory import MemoryUser, MemoryUserStore
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken

from .helpers import Drive, MakeRuntime, fails, refuse_everyone


def access_for(runtime: Runtime, user_id: object) -> str:
    return str(AccessToken.mint(runtime, {"user_id": user_id}))


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
