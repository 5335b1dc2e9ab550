"""URLs of a benchmark process: the protected endpoints of its library and the references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import path

from bench import views
from bench.libs import load
from bench.libs.base import Context, Unsupported


def _patterns() -> list[Any]:
    adapter = load(Context.from_environ().lib)
    found = [path("noauth/", views.NoAuth.as_view()), path("plain/", views.plain)]
    builders = {
        "drf/": lambda: views.protected_sync(adapter.authentication("db")),
        "adrf/": lambda: views.protected_adrf(adapter.authentication("db")),
        "async/": lambda: adapter.async_view(adapter.authentication("db")),
        "async-open/": adapter.open_async_view,
    }
    route: str
    build: Callable[[], Any]
    for route, build in builders.items():
        try:
            found.append(path(route, build()))
        except Unsupported:
            continue
    return found


urlpatterns = _patterns()
