"""The per-token generators ``tokens.verify`` and ``tokens.blacklist``, run under both drivers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from jwtflow import flows, tokens
from jwtflow.config import Config
from jwtflow.errors import (
    BlacklistDisabled,
    TokenBlacklisted,
    TokenTypeInvalid,
)
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.remotekeys import FetchKeySet
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import AccessToken, RefreshToken

from .helpers import Drive, MakeRuntime, fails


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


def test_blacklist_reports_whether_it_added(
    drive: Drive, runtime: Runtime, alice: MemoryUser
) -> None:
    token = RefreshToken.for_user(alice)
    assert drive(tokens.blacklist(runtime, token), runtime.ports) is True
    assert drive(tokens.blacklist(runtime, token), runtime.ports) is False


def test_blacklist_when_disabled_raises(
    drive: Drive, make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    runtime = make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    fails(drive, tokens.blacklist(runtime, token), runtime.ports, BlacklistDisabled)


def test_verify_asks_for_the_remote_key_set_before_decoding(runtime: Runtime) -> None:
    # With JWKS_URL and no set fetched yet, the first thing verify needs is the issuer's keys.
    settings = {"JWKS_URL": "https://issuer.example/jwks.json"}
    ports = Ports(blacklist=MemoryBlacklistBackend(), users=MemoryUserStore())
    verifier = Runtime.build(Config.from_mapping(settings), ports, clock=runtime.clock)
    flow = tokens.verify(verifier, str(AccessToken.mint(runtime, {"user_id": 1})), AccessToken)
    effect = next(flow)
    assert isinstance(effect, FetchKeySet)
    assert effect.keyset is verifier.keys.remote
