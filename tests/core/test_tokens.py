"""Token values and their API: for_user, verify, str, jti/exp, access_token, rotate, blacklist."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from jwtflow import claims, codec
from jwtflow.clock import FrozenClock
from jwtflow.errors import (
    BlacklistDisabled,
    ConfigurationError,
    TokenBlacklisted,
    TokenError,
    TokenExpired,
    TokenTypeInvalid,
)
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken, TokenPair, claims_of_user, decode_any
from tests.forge import claims_for, hs_token

from .helpers import ALGORITHM_CASES, SECRET, MakeRuntime

TOKEN_CLASSES = [AccessToken, RefreshToken]


@pytest.mark.parametrize(
    ("cls", "token_type", "lifetime"),
    [(AccessToken, "access", 300), (RefreshToken, "refresh", 86400)],
)
def test_for_user_mints_a_signed_token(
    runtime: Runtime, alice: MemoryUser, cls: Any, token_type: str, lifetime: int
) -> None:
    token = cls.for_user(alice)
    now = int(runtime.clock.now())
    assert isinstance(token, cls)
    assert token.token_type == token_type
    assert token.payload["token_type"] == token_type
    assert token.payload["user_id"] == alice.id
    assert token.payload["iat"] == now
    assert token.exp == now + lifetime
    assert token.jti == token.payload["jti"]
    assert str(token) == token.raw
    assert codec.decode(token.raw, runtime.keys) == token.payload


@pytest.mark.parametrize("cls", TOKEN_CLASSES)
def test_verify_returns_an_equal_token(runtime: Runtime, alice: MemoryUser, cls: Any) -> None:
    token = cls.for_user(alice)
    assert cls.verify(str(token)) == token


def test_each_token_gets_its_own_jti(runtime: Runtime, alice: MemoryUser) -> None:
    assert len({AccessToken.for_user(alice).jti for _ in range(5)}) == 5


@pytest.mark.parametrize(("algorithm", "key_name"), ALGORITHM_CASES)
def test_tokens_round_trip_under_every_algorithm(
    make_runtime: MakeRuntime,
    signing_settings: Callable[..., dict[str, Any]],
    alice: MemoryUser,
    algorithm: str,
    key_name: str | None,
) -> None:
    make_runtime(**signing_settings(algorithm, key_name))
    refresh = RefreshToken.for_user(alice)
    assert RefreshToken.verify(str(refresh)) == refresh
    assert AccessToken.verify(str(refresh.access_token)).payload["user_id"] == alice.id


def test_the_constructor_and_str_need_no_runtime() -> None:
    token = AccessToken({"jti": "abc", "exp": 10}, "raw.token.value", "access")
    assert str(token) == "raw.token.value"
    assert (token.jti, token.exp) == ("abc", 10)
    assert str(AccessToken()) == ""


def test_tokens_hash_by_their_compact_form(runtime: Runtime, alice: MemoryUser) -> None:
    token = AccessToken.for_user(alice)
    same = AccessToken(dict(token.payload), token.raw, token.token_type)
    assert hash(token) == hash(same) == hash(token.raw)
    assert len({token, same}) == 1
    assert len({token, AccessToken.for_user(alice)}) == 2


def test_tokens_are_frozen(runtime: Runtime, alice: MemoryUser) -> None:
    token = AccessToken.for_user(alice)
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.raw = "other"  # type: ignore[misc]


def test_minting_does_not_mutate_the_given_claims(runtime: Runtime) -> None:
    given = {"user_id": 1}
    token = AccessToken.mint(runtime, given)
    assert given == {"user_id": 1}
    assert token.payload is not given


def test_verify_does_not_mutate_a_token(runtime: Runtime, alice: MemoryUser) -> None:
    token = RefreshToken.for_user(alice)
    before = dict(token.payload)
    RefreshToken.verify(str(token))
    token.access_token  # noqa: B018
    token.rotate()
    assert token.payload == before


@pytest.mark.parametrize(
    ("cls", "other"), [(AccessToken, RefreshToken), (RefreshToken, AccessToken)]
)
def test_verify_refuses_the_other_type(
    runtime: Runtime, alice: MemoryUser, cls: Any, other: Any
) -> None:
    with pytest.raises(TokenTypeInvalid):
        cls.verify(str(other.for_user(alice)))


@pytest.mark.parametrize("cls", TOKEN_CLASSES)
def test_verify_refuses_expired_tokens(
    runtime: Runtime, clock: FrozenClock, alice: MemoryUser, cls: Any
) -> None:
    token = cls.for_user(alice)
    clock.advance(token.exp - clock.now())
    with pytest.raises(TokenExpired) as caught:
        cls.verify(str(token))
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize("raw", ["", "garbage", "a.b.c"])
@pytest.mark.parametrize("cls", TOKEN_CLASSES)
def test_verify_refuses_garbage(runtime: Runtime, cls: Any, raw: str) -> None:
    with pytest.raises(TokenError) as caught:
        cls.verify(raw)
    assert caught.value.code == "token_invalid"


def test_refresh_verify_consults_the_blacklist(runtime: Runtime, alice: MemoryUser) -> None:
    token = RefreshToken.for_user(alice)
    token.blacklist()
    with pytest.raises(TokenBlacklisted) as caught:
        RefreshToken.verify(str(token))
    assert caught.value.code == "token_blacklisted"


def test_access_verify_ignores_the_blacklist(
    runtime: Runtime, alice: MemoryUser, blacklist: MemoryBlacklistBackend
) -> None:
    token = AccessToken.for_user(alice)
    blacklist.blacklist(token.jti, expires_at=datetime.fromtimestamp(token.exp, tz=UTC))
    assert AccessToken.verify(str(token)) == token


def test_refresh_verify_skips_the_blacklist_when_disabled(
    make_runtime: MakeRuntime, alice: MemoryUser, blacklist: MemoryBlacklistBackend
) -> None:
    make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    blacklist.blacklist(token.jti, expires_at=datetime.fromtimestamp(token.exp, tz=UTC))
    assert RefreshToken.verify(str(token)) == token


def test_access_token_carries_user_and_revoke_claims(
    make_runtime: MakeRuntime, clock: FrozenClock, alice: MemoryUser
) -> None:
    runtime = make_runtime(CHECK_REVOKE_TOKEN=True)
    refresh = RefreshToken.for_user(alice)
    clock.advance(60)
    access = refresh.access_token
    assert isinstance(access, AccessToken)
    assert access.token_type == "access"
    assert access.jti != refresh.jti
    assert access.payload["iat"] == int(clock.now())
    assert access.exp == int(clock.now()) + 300
    assert access.payload["user_id"] == alice.id
    assert access.payload["hash_password"] == refresh.payload["hash_password"]
    assert access.payload["hash_password"] == claims.revoke_claim(
        runtime.keys.revoke_secret, alice.password
    )
    assert AccessToken.verify(str(access)) == access


@pytest.mark.parametrize("settings", [{}, {"CHECK_REVOKE_TOKEN": True}])
def test_access_token_has_the_claims_for_user_gives(
    make_runtime: MakeRuntime, alice: MemoryUser, settings: dict[str, Any]
) -> None:
    make_runtime(ISSUER="https://issuer.example", AUDIENCE="api", **settings)
    refresh = RefreshToken.for_user(alice)
    derived = refresh.access_token
    direct = AccessToken.for_user(alice)
    session = {"sid": refresh.payload["sid"], "auth_time": refresh.payload["auth_time"]}
    assert {k: v for k, v in derived.payload.items() if k not in {"jti"}} == {
        k: v for k, v in direct.payload.items() if k not in {"jti"}
    } | session


def test_access_token_does_not_carry_other_claims(runtime: Runtime) -> None:
    refresh = RefreshToken.mint(runtime, {"user_id": 1, "scope": "admin"})
    assert "scope" not in refresh.access_token.payload
    assert "scope" not in refresh.rotate().payload


def test_rotate_spends_the_token_and_mints_its_successor_in_the_session(
    make_runtime: MakeRuntime, clock: FrozenClock, alice: MemoryUser
) -> None:
    make_runtime(CHECK_REVOKE_TOKEN=True)
    old = RefreshToken.for_user(alice)
    clock.advance(10)
    new = old.rotate()
    assert isinstance(new, RefreshToken)
    assert new.jti != old.jti
    assert new.exp == old.exp + 10
    assert new.payload["user_id"] == old.payload["user_id"]
    assert new.payload["hash_password"] == old.payload["hash_password"]
    assert (new.payload["sid"], new.payload["gen"]) == (old.payload["sid"], 1)
    assert RefreshToken.verify(str(new)) == new
    with pytest.raises(TokenBlacklisted):
        RefreshToken.verify(str(old))


def test_rotate_leaves_a_sessionless_token_as_it_is(runtime: Runtime) -> None:
    old = RefreshToken.mint(runtime, {"user_id": 1})
    new = old.rotate()
    assert "sid" not in new.payload
    assert RefreshToken.verify(str(old)) == old


def test_blacklist_is_idempotent(runtime: Runtime, alice: MemoryUser) -> None:
    token = RefreshToken.for_user(alice)
    token.blacklist()
    token.blacklist()  # a second call is no error
    with pytest.raises(TokenBlacklisted):
        RefreshToken.verify(str(token))


def test_ablacklist_is_idempotent(runtime: Runtime, alice: MemoryUser) -> None:
    token = RefreshToken.for_user(alice)
    asyncio.run(token.ablacklist())
    asyncio.run(token.ablacklist())
    token.blacklist()
    with pytest.raises(TokenBlacklisted):
        RefreshToken.verify(str(token))


def test_blacklisting_one_token_leaves_the_others(runtime: Runtime, alice: MemoryUser) -> None:
    spent, kept = RefreshToken.for_user(alice), RefreshToken.for_user(alice)
    spent.blacklist()
    assert RefreshToken.verify(str(kept)) == kept


def test_blacklist_raises_when_disabled(make_runtime: MakeRuntime, alice: MemoryUser) -> None:
    make_runtime(BLACKLIST_ENABLED=False)
    token = RefreshToken.for_user(alice)
    with pytest.raises(BlacklistDisabled) as caught:
        token.blacklist()
    assert (caught.value.code, caught.value.status_code) == ("blacklist_disabled", 501)
    with pytest.raises(BlacklistDisabled):
        asyncio.run(token.ablacklist())


@pytest.mark.usefixtures("no_provider")
def test_without_a_runtime_provider_every_entry_point_raises(alice: MemoryUser) -> None:
    token = RefreshToken({"jti": "j", "exp": 1, "user_id": 1}, "a.b.c", "refresh")
    calls: list[Callable[[], Any]] = [
        lambda: AccessToken.for_user(alice),
        lambda: RefreshToken.for_user(alice),
        lambda: AccessToken.verify("a.b.c"),
        lambda: RefreshToken.verify("a.b.c"),
        lambda: token.access_token,
        token.rotate,
        token.blacklist,
        lambda: asyncio.run(token.ablacklist()),
    ]
    for call in calls:
        with pytest.raises(ConfigurationError, match="INSTALLED_APPS"):
            call()


@pytest.mark.parametrize(
    ("token_type", "cls"), [("access", AccessToken), ("refresh", RefreshToken)]
)
def test_decode_any_returns_the_tokens_own_class(
    runtime: Runtime, token_type: str, cls: type
) -> None:
    raw = hs_token(claims_for(runtime.clock.now(), token_type=token_type), SECRET)
    token = decode_any(runtime, raw)
    assert type(token) is cls
    assert token.token_type == token_type
    assert token.raw == raw


def test_token_pair_as_dict(runtime: Runtime) -> None:
    access = AccessToken.mint(runtime, {"user_id": 1})
    refresh = RefreshToken.mint(runtime, {"user_id": 1})
    assert TokenPair(access, refresh).as_dict() == {"access": access.raw, "refresh": refresh.raw}
    assert TokenPair(access, None).as_dict() == {"access": access.raw}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({}, {"user_id"}), ({"CHECK_REVOKE_TOKEN": True}, {"user_id", "hash_password"})],
)
def test_claims_of_user(
    make_runtime: MakeRuntime, alice: MemoryUser, settings: dict[str, Any], expected: set[str]
) -> None:
    runtime = make_runtime(**settings)
    assert set(claims_of_user(runtime, alice)) == expected
    assert claims_of_user(runtime, alice)["user_id"] == 1


# -- averify, hostile claims and verify-only runtimes (issue 5) ------------------------------------


@pytest.mark.parametrize("cls", TOKEN_CLASSES)
def test_averify_returns_an_equal_token(runtime: Runtime, alice: MemoryUser, cls: Any) -> None:
    token = cls.for_user(alice)
    assert asyncio.run(cls.averify(str(token))) == token


@pytest.mark.parametrize(
    ("cls", "other"), [(AccessToken, RefreshToken), (RefreshToken, AccessToken)]
)
def test_averify_refuses_the_other_type(
    runtime: Runtime, alice: MemoryUser, cls: Any, other: Any
) -> None:
    with pytest.raises(TokenTypeInvalid):
        asyncio.run(cls.averify(str(other.for_user(alice))))


def test_averify_refuses_a_blacklisted_refresh_token(runtime: Runtime, alice: MemoryUser) -> None:
    token = RefreshToken.for_user(alice)
    asyncio.run(token.ablacklist())
    with pytest.raises(TokenBlacklisted):
        asyncio.run(RefreshToken.averify(str(token)))


@pytest.mark.parametrize("cls", TOKEN_CLASSES)
@pytest.mark.parametrize("token_type", [["access"], ["refresh"], {}, {"refresh": 1}])
def test_verify_and_averify_refuse_a_token_type_of_another_json_type(
    runtime: Runtime, cls: Any, token_type: Any
) -> None:
    # Guards 1d843d2: TypeError (unhashable type) escaped verify instead of TokenError.
    raw = hs_token(claims_for(runtime.clock.now(), token_type=token_type), SECRET)
    with pytest.raises(TokenError) as caught:
        cls.verify(raw)
    with pytest.raises(TokenError) as caught_async:
        asyncio.run(cls.averify(raw))
    for error in (caught.value, caught_async.value):
        assert type(error) is TokenError
        assert error.message == "Token has no valid 'token_type' claim."


def test_carried_claims_that_no_encoder_writes_are_refused_at_verify(runtime: Runtime) -> None:
    # A refresh token carries its revoke claim into the access tokens it mints; 1e400 (inf)
    # there made access_token and rotate() raise ValueError instead of refusing the token.
    payload = claims_for(runtime.clock.now(), token_type="refresh")
    text = json.dumps({**payload, "hash_password": 0}).replace(": 0}", ": 1e400}")
    with pytest.raises(TokenError):
        RefreshToken.verify(hs_token(text, SECRET))


def test_a_verify_only_runtime_verifies_but_does_not_issue(
    make_runtime: MakeRuntime, alice: MemoryUser
) -> None:
    make_runtime()
    access, refresh = AccessToken.for_user(alice), RefreshToken.for_user(alice)
    verifier = make_runtime(SIGNING_KEY=None, VERIFYING_KEY=SECRET)

    assert not verifier.keys.can_sign
    assert AccessToken.verify(str(access)) == access
    assert asyncio.run(RefreshToken.averify(str(refresh))) == refresh
    issuers: list[Callable[[], object]] = [
        lambda: AccessToken.for_user(alice),
        lambda: RefreshToken.for_user(alice),
        lambda: refresh.access_token,
        refresh.rotate,
    ]
    for issue in issuers:
        with pytest.raises(ConfigurationError, match="only verifies tokens") as caught:
            issue()
        assert "SIGNING_KEY" in str(caught.value)
