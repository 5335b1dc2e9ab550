"""Properties of the HTTP API: 2xx only for valid input, otherwise 400/401 (415 for a body type
no parser takes), never a 500 and never a 503 for bad input.

Every test runs over WSGI (``Client``, the plain APIView) and ASGI (``AsyncClient``, the
AsyncAPIView); the token endpoints also run against the model blacklist and the cache
blacklist on Redis. Each example builds its own settings (``override_settings``) and clears
the blacklist, so examples do not depend on each other.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connections
from django.test import AsyncClient, Client, override_settings
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from jwtflow import AccessToken, JWTAuthentication, codec
from jwtflow.django.models import BlacklistedToken
from tests.forge import PASSWORD

from .strategies import (
    CLAIMS,
    CODES_401,
    STORES,
    Context,
    Expect,
    claim_overrides,
    claim_values,
    dumps,
    header_overrides,
    header_valid,
    hostile_values,
    payload_for,
    segments,
    texts,
    token,
    verdict,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("mode", ["sync", "async"]),
]

SECRET = settings.TEST_SIGNING_KEY
#: endpoint -> (body field, what it checks, status on success)
ENDPOINTS = {
    "refresh": ("refresh", Expect(frozenset({"refresh"}), loads_user=True), 200),
    "verify": ("token", Expect(frozenset({"access", "refresh"}), loads_user=False), 200),
    "blacklist": ("refresh", Expect(frozenset({"refresh"}), loads_user=False), 204),
}


def send(
    mode: str,
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str = "application/json",
    authorization: str | None = None,
) -> Any:
    """One request over WSGI (sync) or ASGI (async)."""
    headers = {} if authorization is None else {"Authorization": authorization}
    if mode == "sync":
        path = path.replace("/api/me/", "/api/me-sync/")
        return Client().generic(method, path, body, content_type, headers=headers)

    async def asend() -> Any:
        try:
            return await AsyncClient().generic(method, path, body, content_type, headers=headers)
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(asend())


def endpoint_path(endpoint: str) -> str:
    """``""`` is obtain (``token/``), the others ``token/<endpoint>/``."""
    return f"/auth/token/{endpoint}/" if endpoint else "/auth/token/"


def post_json(mode: str, endpoint: str, value: Any) -> Any:
    return send(mode, "POST", endpoint_path(endpoint), dumps(value).encode())


def assert_refused(response: Any, statuses: tuple[int, ...] = (401,), coded: bool = True) -> None:
    """A refusal with an allowed status; a 401 follows the contract (RFC 6750 header, code)."""
    event(f"refused {response.status_code}")
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    if response.status_code != 401:
        return
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="api"')
    body = response.json()
    if coded or "code" in body:
        assert body["code"] in CODES_401
        assert isinstance(body["detail"], str)
        assert body["detail"]


@contextmanager
def jwtflow_settings(store: str = "model", **overrides: Any) -> Iterator[Context]:
    """Settings for one example, an empty blacklist and the user alice; yield her context."""
    with override_settings(JWTFLOW={**settings.JWTFLOW, **STORES[store], **overrides}):
        BlacklistedToken.objects.all().delete()
        if store == "redis":
            caches["redis"].clear()
        user = User.objects.filter(username="alice").first()
        if user is None:
            user = User.objects.create_user("alice", password=PASSWORD)
        revoke = AccessToken.for_user(user).payload.get("hash_password")
        yield Context(user_id=user.pk, revoke=revoke)


def assert_answer(response: Any, valid: bool | None, success: int, payload: Any) -> None:
    """``success`` for a valid token, a contract 401 for an invalid one, either when unknown."""
    if valid is True:
        event("accepted")
        assert response.status_code == success, (payload, response.content)
    elif valid is False:
        assert_refused(response)
    else:
        assert_refused(response, (success, 401))


# --- token content ---------------------------------------------------------------------------


def check_access_token(mode: str, overrides: dict[str, Any], check_revoke: bool) -> None:
    """An access token with ``overrides`` authenticates exactly when it is valid."""
    with jwtflow_settings(CHECK_REVOKE_TOKEN=check_revoke) as context:
        payload = payload_for("access", context, overrides, revoke=check_revoke)
        raw = token(payload, SECRET)
        response = send(mode, "GET", "/api/me/", authorization=f"Bearer {raw}")
        expect = Expect(frozenset({"access"}), loads_user=True, check_revoke=check_revoke)
        assert_answer(response, verdict(payload, raw, expect, context), 200, payload)


@given(overrides=claim_overrides, check_revoke=st.booleans())
def test_access_token_claims(mode: str, overrides: dict[str, Any], check_revoke: bool) -> None:
    check_access_token(mode, overrides, check_revoke)


@pytest.mark.parametrize("claim", CLAIMS)
@hypothesis_settings(max_examples=max(5, hypothesis_settings().max_examples // 3))
@given(data=st.data(), check_revoke=st.booleans())
def test_access_token_claim(mode: str, claim: str, data: st.DataObject, check_revoke: bool) -> None:
    value = data.draw(claim_values(claim), label=claim)
    check_access_token(mode, {claim: value}, check_revoke)


@given(
    endpoint=st.sampled_from(sorted(ENDPOINTS)),
    overrides=claim_overrides,
    check_revoke=st.booleans(),
)
def test_token_endpoint_claims(
    mode: str, store: str, endpoint: str, overrides: dict[str, Any], check_revoke: bool
) -> None:
    field, expect, success = ENDPOINTS[endpoint]
    with jwtflow_settings(store, CHECK_REVOKE_TOKEN=check_revoke) as context:
        payload = payload_for("refresh", context, overrides, revoke=check_revoke)
        raw = token(payload, SECRET)
        response = post_json(mode, endpoint, {field: raw})
        if expect.loads_user:
            expect = Expect(expect.types, loads_user=True, check_revoke=check_revoke)
        assert_answer(response, verdict(payload, raw, expect, context), success, payload)


@given(members=header_overrides)
def test_header_members(mode: str, members: dict[str, Any]) -> None:
    with jwtflow_settings() as context:
        header = {"alg": "HS256", "typ": "JWT", **members}
        raw = token(payload_for("access", context, {}), SECRET, header)
        valid = header_valid(header) if len(raw) <= codec.MAX_TOKEN_BYTES else False
        for response in (
            send(mode, "GET", "/api/me/", authorization=f"Bearer {raw}"),
            post_json(mode, "verify", {"token": raw}),
        ):
            if valid is False:
                assert_refused(response)
            elif valid is True:
                assert response.status_code == 200, (header, response.content)
            else:
                assert_refused(response, (200, 401))


@given(parts=st.lists(segments, min_size=1, max_size=4), payload=hostile_values)
def test_segments(mode: str, parts: list[str], payload: Any) -> None:
    with jwtflow_settings():
        for raw in (".".join(parts), token(payload, SECRET)):
            assert_refused(post_json(mode, "verify", {"token": raw}), (400, 401))
            header = f"Bearer {raw}".encode("utf-8", "surrogatepass").decode("latin-1")
            response = send(mode, "GET", "/api/me/", authorization=header)
            assert_refused(response, coded=False)


# --- Authorization header values --------------------------------------------------------------

_latin1 = st.text(st.characters(max_codepoint=0xFF), max_size=40)
_ANY_TEXT = st.characters(exclude_categories=())
_schemes = st.sampled_from(["Bearer ", "bearer ", "BEARER\t", "Bearer  ", "Bearer", "Token ", ""])


@given(value=_latin1 | st.tuples(_schemes, _latin1).map("".join))
def test_authorization_header_values(mode: str, value: str) -> None:
    with jwtflow_settings():
        response = send(mode, "GET", "/api/me/", authorization=value)
        assert_refused(response, coded=False)


_VALID = object()
_header_parts = st.tuples(
    _schemes | st.text(_ANY_TEXT, max_size=8),
    st.just(_VALID) | segments,
    st.sampled_from(["", " ", "\t", " x", "\u00a0"]),
)


def _header_value(parts: tuple[str, Any, str], raw: str) -> str:
    scheme, middle, tail = parts
    return scheme + (raw if middle is _VALID else middle) + tail


def _names_valid_token(value: str, raw: str) -> bool:
    words = re.split(r"[ \t]+", value.strip(" \t"))
    return len(words) == 2 and words[0].casefold() == "bearer" and words[1] == raw


def _authenticate(mode: str, value: Any) -> tuple[Any, AuthenticationFailed | None]:
    """``(outcome, None)`` of (a)authenticate with ``value`` in META, or ``(None, refusal)``."""
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=value))
    authentication = JWTAuthentication()
    try:
        if mode == "sync":
            return authentication.authenticate(request), None
        return asyncio.run(authentication.aauthenticate(request)), None
    except AuthenticationFailed as refused:
        return None, refused


@given(
    parts=_header_parts,
    shape=st.sampled_from(["str", "bytes", "bytearray"]),
    other=st.none() | st.integers() | st.lists(st.text(max_size=3)) | st.binary(),
)
def test_authenticator_header_values(
    mode: str, parts: tuple[str, Any, str], shape: str, other: Any
) -> None:
    # Called directly: middleware and test clients leave bytes (or worse) in META.
    with jwtflow_settings() as context:
        raw = token(payload_for("access", context, {}), SECRET)
        text = _header_value(parts, raw)
        values: list[Any] = [other]
        if shape == "str":
            values.append(text)
        else:
            encoded = text.encode("utf-8", "surrogatepass")
            values.append(encoded if shape == "bytes" else bytearray(encoded))
        for value in values:
            outcome, refused = _authenticate(mode, value)
            decoded = value.decode("latin-1") if isinstance(value, bytes | bytearray) else value
            names_valid_token = isinstance(decoded, str) and _names_valid_token(decoded, raw)
            if refused is not None:
                assert refused.status_code == 401
                assert isinstance(refused.detail, dict)
                assert str(refused.detail["code"]) in CODES_401
                assert not names_valid_token, value
            elif outcome is not None:
                assert names_valid_token, value
                assert outcome[0].pk == context.user_id
            else:
                assert not names_valid_token, value
        if mode == "async":
            asyncio.run(sync_to_async(connections.close_all)())


# --- request bodies ---------------------------------------------------------------------------

_credentials = st.fixed_dictionaries(
    {},
    optional={
        "username": st.sampled_from(["alice", " alice\t"]) | hostile_values,
        "password": st.just(PASSWORD) | hostile_values,
    },
)


def _valid_credentials(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    username, password = body.get("username"), body.get("password")
    return isinstance(username, str) and username.strip() == "alice" and password == PASSWORD


@given(body=_credentials | hostile_values)
def test_obtain_json_bodies(mode: str, body: Any) -> None:
    with jwtflow_settings():
        response = post_json(mode, "", body)
        if _valid_credentials(body):
            event("accepted")
            assert response.status_code == 200, response.content
        else:
            assert_refused(response, (400, 401))


@given(fields=st.dictionaries(st.sampled_from(["username", "password"]) | texts, texts))
def test_obtain_form_bodies(mode: str, fields: dict[str, str]) -> None:
    with jwtflow_settings():
        body = urllib.parse.urlencode(fields, errors="surrogatepass").encode()
        form = "application/x-www-form-urlencoded"
        response = send(mode, "POST", "/auth/token/", body, form)
        if _valid_credentials(fields):
            assert response.status_code == 200, response.content
        else:
            assert_refused(response, (400, 401))


@given(
    endpoint=st.sampled_from(sorted(ENDPOINTS)),
    body=hostile_values | st.dictionaries(st.sampled_from(["refresh", "token"]), hostile_values),
)
def test_token_endpoint_json_bodies(mode: str, endpoint: str, body: Any) -> None:
    with jwtflow_settings():
        assert_refused(post_json(mode, endpoint, body), (400, 401))


_CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=zlib",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "multipart/form-data",
    "text/plain",
    "application/xml",
    "",
]
#: Deeper than any recursion limit Hypothesis sets while a test runs (about the stack plus 2,000).
BODY_DEEP = 10_000
_raw_bodies = st.one_of(
    st.sampled_from(
        [
            b"[" * BODY_DEEP + b"]" * BODY_DEEP,
            b'{"a":' * BODY_DEEP + b"1" + b"}" * BODY_DEEP,
            b'{"refresh": ' + b"[" * BODY_DEEP + b"]" * BODY_DEEP + b"}",
            b'{"token": "\\ud800"}',
            b'{"refresh": 1e400, "token": NaN}',
            b"9" * 5000,
        ]
    ),
    st.binary(max_size=200),
)
_content_types = st.one_of(st.just("application/json"), st.sampled_from(_CONTENT_TYPES))


@given(
    endpoint=st.sampled_from(["", *sorted(ENDPOINTS)]),
    body=_raw_bodies,
    content_type=_content_types,
)
def test_raw_bodies(mode: str, endpoint: str, body: bytes, content_type: str) -> None:
    with jwtflow_settings():
        response = send(mode, "POST", endpoint_path(endpoint), body, content_type)
        assert_refused(response, (400, 401, 415))
