"""Fixtures for the DRF tests: HTTP calls through WSGI or ASGI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import AsyncClient, Client


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
