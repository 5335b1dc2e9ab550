"""Helpers for the DRF tests: hand-forged tokens and HTTP calls through WSGI or ASGI."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import AsyncClient, Client


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    payload: dict[str, Any],
    header: dict[str, Any] | None = None,
    secret: bytes | None = None,
    digest: Any = hashlib.sha256,
) -> str:
    """Sign ``payload`` by hand with HMAC, so any header (alg none, jku, crit...) can be made."""
    head = {"alg": "HS256", "typ": "JWT"} if header is None else header
    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(payload).encode())}"
    key = settings.TEST_SIGNING_KEY.encode() if secret is None else secret
    signature = hmac.new(key, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def claims_for(user: User, **overrides: Any) -> dict[str, Any]:
    """A valid access-token payload for ``user``, with ``overrides`` applied (None deletes)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "token_type": "access",
        "exp": now + 300,
        "iat": now,
        "jti": "0123456789abcdef",
        "user_id": user.pk,
    }
    for name, value in overrides.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


@pytest.fixture
def http(mode: str) -> Callable[..., HttpResponse]:
    """``http(method, path, data=None, token=None, headers=None)`` via WSGI (sync) or ASGI (async).

    In sync mode protected calls go to the plain APIView, in async mode to the AsyncAPIView.
    """

    def request(
        method: str,
        path: str,
        data: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if mode == "sync":
            path = path.replace("/api/me/", "/api/me-sync/")
            return _send(Client(), method, path, data, headers)  # type: ignore[no-any-return]
        return asyncio.run(_asend(method, path, data, headers))

    return request


def _send(client: Any, method: str, path: str, data: Any, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method.lower())(path, **kwargs)


async def _asend(method: str, path: str, data: Any, headers: dict[str, str]) -> HttpResponse:
    return await _send(AsyncClient(), method, path, data, headers)  # type: ignore[no-any-return]
