"""Stateless authentication: a TokenUser from the claims, no user store, both drivers."""

from __future__ import annotations

from typing import Any

import pytest

from jwtflow import sessions, stateless
from jwtflow.clock import FrozenClock
from jwtflow.errors import TokenBlacklisted, TokenExpired, TokenTypeInvalid
from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.runtime import Ports, Runtime
from jwtflow.stateless import TokenUser
from jwtflow.tokens import AccessToken, RefreshToken

from .helpers import Drive, MakeRuntime, fails


class NoUsers:
    """A user store that fails the test if it is asked anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the stateless flow asked the user store for {name}")


@pytest.fixture
def runtime(make_runtime: MakeRuntime) -> Runtime:
    ports = Ports(blacklist=MemoryBlacklistBackend(), users=NoUsers())
    return make_runtime(ports=ports)


def test_token_user_reads_the_claims() -> None:
    claims = {"user_id": 42, "email": "a@example.com", "exp": 1}
    user = TokenUser(claims)
    assert (user.id, user.pk) == (42, 42)
    assert user.claims["email"] == "a@example.com"
    assert user.is_authenticated
    assert not user.is_anonymous
    assert user.is_active
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.has_perm("app.view")
    assert not user.has_perms(["app.view"])
    assert not user.has_module_perms("app")
    assert str(user) == "TokenUser 42"
    assert repr(user) == "<TokenUser id=42>"


def test_token_user_claims_are_a_read_only_copy() -> None:
    claims = {"user_id": 1, "role": "a"}
    user = TokenUser(claims)
    claims["role"] = "b"
    assert user.claims["role"] == "a"
    with pytest.raises(TypeError):
        user.claims["role"] = "c"  # type: ignore[index]


def test_token_user_takes_the_configured_claim() -> None:
    assert TokenUser({"sub": "u-1"}, "sub").id == "u-1"


def test_token_users_are_equal_and_hash_by_id() -> None:
    first, again, other = (
        TokenUser({"user_id": 1, "a": 1}),
        TokenUser({"user_id": 1}),
        TokenUser({"user_id": 2}),
    )
    assert first == again
    assert first != other
    assert len({first, again, other}) == 2
    assert first != 1


def test_authenticate_builds_the_user_from_the_claims(drive: Drive, runtime: Runtime) -> None:
    token = AccessToken.mint(runtime, {"user_id": 7, "team": "x"})
    user, verified = drive(stateless.authenticate(runtime, str(token)), runtime.ports)
    assert user == TokenUser({"user_id": 7})
    assert user.claims["team"] == "x"
    assert verified == token


def test_expired_tokens_are_refused(drive: Drive, runtime: Runtime, clock: FrozenClock) -> None:
    token = AccessToken.mint(runtime, {"user_id": 7})
    clock.advance(3600)
    fails(drive, stateless.authenticate(runtime, str(token)), runtime.ports, TokenExpired)


def test_refresh_tokens_are_refused(drive: Drive, runtime: Runtime) -> None:
    token = RefreshToken.mint(runtime, {"user_id": 7})
    fails(drive, stateless.authenticate(runtime, str(token)), runtime.ports, TokenTypeInvalid)


def test_logout_all_stops_a_stateless_access_token(
    drive: Drive, runtime: Runtime, clock: FrozenClock
) -> None:
    token = AccessToken.mint(runtime, {"user_id": 7})
    assert drive(stateless.authenticate(runtime, str(token)), runtime.ports)[0].pk == 7
    clock.advance(1)
    drive(sessions.end_all(runtime, 7), runtime.ports)
    fails(drive, stateless.authenticate(runtime, str(token)), runtime.ports, TokenBlacklisted)


def test_without_access_token_revocation_the_store_is_not_asked(
    drive: Drive, make_runtime: MakeRuntime
) -> None:
    blacklist = MemoryBlacklistBackend()
    runtime = make_runtime(
        ports=Ports(blacklist=blacklist, users=NoUsers()), ACCESS_TOKEN_REVOCATION=False
    )
    token = AccessToken.mint(runtime, {"user_id": 7})
    drive(sessions.end_all(runtime, 7), runtime.ports)
    assert drive(stateless.authenticate(runtime, str(token)), runtime.ports)[0].pk == 7
