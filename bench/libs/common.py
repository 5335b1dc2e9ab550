"""Helpers the adapters share: in-process requests to a library's endpoints."""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any

from asgiref.sync import iscoroutinefunction


def peer(module: str) -> Any:
    """Import a peer's module (the peers are installed in .venv-bench only, and are untyped)."""
    return importlib.import_module(module)


def post_json(view: Any, data: dict[str, Any]) -> Any:
    """POST ``data`` as JSON to ``view`` in-process, sync or async, and return ``response.data``.

    Raises:
        RuntimeError: the endpoint did not answer 200 (a misconfigured library is no result).
    """
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().post("/", json.dumps(data), content_type="application/json")
    response = asyncio.run(view(request)) if iscoroutinefunction(view) else view(request)
    if response.status_code != 200:
        raise RuntimeError(f"endpoint answered {response.status_code}: {response.data}")
    return response.data


def pair(data: dict[str, Any]) -> tuple[str, str]:
    """``(access, refresh)`` out of an obtain or refresh response body."""
    return str(data["access"]), str(data["refresh"])
