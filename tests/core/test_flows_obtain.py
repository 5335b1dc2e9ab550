"""The ``obtain`` policy, run under both drivers (``drive`` is parametrized: sync and async)."""

from __future__ import annotations

import pytest

from jwtflow import flows
from jwtflow.errors import (
    NoActiveAccount,
)
from jwtflow.memory import MemoryUser
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken, TokenPair

from .helpers import Drive, MakeRuntime, accept_everyone, fails, refuse_everyone

ALICE = {"username": "alice", "password": "alice-password"}


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
    # A login's tokens carry its session; AccessToken.for_user alone mints a sessionless one.
    sessionless = set(AccessToken.for_user(alice).payload)
    assert set(pair.access.payload) == sessionless | {"sid", "auth_time"}


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
