"""Fixtures for the DRF tests: HTTP calls through WSGI or ASGI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from django.test import AsyncClient, Client

from tests.forge import Response


@pytest.fixture
def http(mode: str) -> Callable[..., Response]:
    """``http(method, path, data=None, token=None, headers=None)`` via WSGI (sync) or ASGI (async).

    In sync mode protected calls go to the plain APIView, in async mode to the AsyncAPIView.
    """

    def request(
        method: str,
        path: str,
        data: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if mode == "sync":
            path = path.replace("/api/me/", "/api/me-sync/")
            response: Response = _send(Client(), method, path, data, headers)
            return response
        return asyncio.run(_asend(method, path, data, headers))

    return request


def _send(client: Any, method: str, path: str, data: Any, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method.lower())(path, **kwargs)


async def _asend(method: str, path: str, data: Any, headers: dict[str, str]) -> Response:
    response: Response = await _send(AsyncClient(), method, path, data, headers)
    return response


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The functions run through ``sync_to_async`` (thread hops) from now on, in order."""
    found: list[Any] = []
    hop = SyncToAsync.__call__

    def counted(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        found.append(self.func)
        return hop(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    return found
