"""Properties of the Python API: anything refused is a TokenError, anything valid round-trips.

``AccessToken``/``RefreshToken`` ``verify`` and ``averify``, ``decode`` and ``codec.decode`` get
hand-signed tokens with hostile claims, headers and segments, and values that are not tokens.
A runtime over the memory stores is installed per example; the Django stores are covered over
HTTP in test_http_property.py and below with ``averify`` through the model store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from hypothesis import given
from hypothesis import strategies as st

from jwtflow import AccessToken, RefreshToken, codec, runtime
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import Token, decode_any

from .strategies import (
    CLAIMS,
    SESSION_CLAIMS,
    Context,
    Expect,
    claim_overrides,
    claim_values,
    header_overrides,
    header_valid,
    hostile_values,
    payload_for,
    segments,
    token,
    verdict,
)

SECRET = "property-tests-secret-" + "k" * 40
CLASSES: dict[str, type[Token]] = {"access": AccessToken, "refresh": RefreshToken}


@contextmanager
def memory_runtime(**settings: Any) -> Iterator[tuple[Runtime, Context]]:
    """Install a runtime over fresh memory stores holding one user; restore the old provider."""
    user = MemoryUser(id=7, username="alice", password="alice-password")
    ports = Ports(blacklist=MemoryBlacklistBackend(), users=MemoryUserStore([user]))
    built = Runtime.build(Config.from_mapping({"SIGNING_KEY": SECRET, **settings}), ports)
    previous = runtime.install(lambda: built)
    try:
        revoke = AccessToken.for_user(user).payload.get("hash_password")
        yield built, Context(user_id=user.id, revoke=revoke)
    finally:
        runtime.install(previous)


def verify(token_class: type[Token], raw: Any, mode: str) -> Token:
    if mode == "sync":
        return token_class.verify(raw)
    return asyncio.run(token_class.averify(raw))


def _accepted(outcome: Token, raw: str, token_type: str) -> None:
    assert outcome.raw == raw
    assert outcome.token_type == token_type
    if isinstance(outcome, RefreshToken) and "sid" not in outcome.payload:
        # What a verified refresh token carries must be mintable again.
        user_id = outcome.payload["user_id"]
        assert AccessToken.verify(str(outcome.access_token)).payload["user_id"] == user_id
        assert RefreshToken.verify(str(outcome.rotate())).jti != outcome.jti


def check_verify(
    mode: str,
    token_type: str,
    overrides: dict[str, Any],
    check_revoke: bool,
    audience: str | None = None,
) -> None:
    """Verify a token of ``token_type`` with ``overrides``: a token exactly when it is valid."""
    with memory_runtime(CHECK_REVOKE_TOKEN=check_revoke, AUDIENCE=audience) as (_, context):
        payload = payload_for(token_type, context, overrides, check_revoke, audience)
        raw = token(payload, SECRET)
        expect = Expect(frozenset({token_type}), False, audience=audience)
        valid = verdict(payload, raw, expect, context)
        try:
            outcome = verify(CLASSES[token_type], raw, mode)
        except TokenError:
            assert valid is not True, payload
        else:
            assert valid is not False, payload
            _accepted(outcome, raw, token_type)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("token_type", ["access", "refresh"])
@given(
    overrides=claim_overrides,
    check_revoke=st.booleans(),
    audience=st.sampled_from([None, "api"]),
)
def test_verify_accepts_exactly_the_valid_claims(
    mode: str, token_type: str, overrides: dict[str, Any], check_revoke: bool, audience: str | None
) -> None:
    check_verify(mode, token_type, overrides, check_revoke, audience)


@pytest.mark.parametrize("claim", CLAIMS + SESSION_CLAIMS)
@given(
    data=st.data(),
    token_type=st.sampled_from(sorted(CLASSES)),
    mode=st.sampled_from(["sync", "async"]),
    check_revoke=st.booleans(),
    audience=st.sampled_from([None, "api"]),
)
def test_every_claim_takes_any_value(
    claim: str,
    data: st.DataObject,
    token_type: str,
    mode: str,
    check_revoke: bool,
    audience: str | None,
) -> None:
    value = data.draw(claim_values(claim), label=claim)
    check_verify(mode, token_type, {claim: value}, check_revoke, audience)


@given(overrides=claim_overrides)
def test_decode_of_either_type_accepts_exactly_the_valid_claims(overrides: dict[str, Any]) -> None:
    with memory_runtime() as (built, context):
        payload = payload_for("access", context, overrides)
        raw = token(payload, SECRET)
        expect = Expect(frozenset({"access", "refresh"}), loads_user=False)
        valid = verdict(payload, raw, expect, context)
        try:
            decoded = decode_any(built, raw)
        except TokenError:
            assert valid is not True, payload
        else:
            assert valid is not False, payload
            assert decoded.payload == payload


@pytest.mark.parametrize("token_type", ["access", "refresh"])
@given(members=header_overrides)
def test_header_members(token_type: str, members: dict[str, Any]) -> None:
    with memory_runtime() as (built, context):
        header = {"alg": "HS256", "typ": "JWT", **members}
        raw = token(payload_for(token_type, context, {}), SECRET, header)
        valid = header_valid(header) if len(raw) <= codec.MAX_TOKEN_BYTES else False
        try:
            CLASSES[token_type].decode(built, raw)
        except TokenError:
            assert valid is not True, header
        else:
            assert valid is not False, header


@given(parts=st.lists(segments, min_size=1, max_size=4), payload=hostile_values)
def test_segments_and_whole_payloads_are_token_errors(parts: list[str], payload: Any) -> None:
    with memory_runtime() as (built, _):
        signed = token(payload, SECRET)
        for raw in [".".join(parts), token(payload, SECRET, payload)]:
            with pytest.raises(TokenError):
                codec.decode(raw, built.keys)
        for raw in [".".join(parts), signed, token(payload, SECRET, payload)]:
            for token_class in CLASSES.values():
                with pytest.raises(TokenError):
                    token_class.verify(raw)


@pytest.mark.parametrize("mode", ["sync", "async"])
@given(raw=hostile_values | st.binary() | st.builds(object))
def test_values_that_are_not_text_are_token_errors(mode: str, raw: Any) -> None:
    with memory_runtime():
        for token_class in CLASSES.values():
            with pytest.raises(TokenError):
                verify(token_class, raw, mode)


# --- through the model store -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["sync", "async"])
@given(overrides=claim_overrides)
def test_refresh_verify_through_the_model_store(mode: str, overrides: dict[str, Any]) -> None:
    user, _ = User.objects.get_or_create(username="alice")
    context = Context(user_id=user.pk)
    payload = payload_for("refresh", context, overrides)
    raw = token(payload, settings.TEST_SIGNING_KEY)
    valid = verdict(payload, raw, Expect(frozenset({"refresh"}), False), context)
    try:
        outcome = verify(RefreshToken, raw, mode)
    except TokenError:
        assert valid is not True, payload
    else:
        assert valid is not False, payload
        assert outcome.payload == payload
    finally:
        if mode == "async":
            asyncio.run(sync_to_async(connections.close_all)())
