"""Authenticate a request: sync ``authenticate``, async ``aauthenticate`` and whole views.

The variants: no revocation check; the check against the model, cache (Redis) and Redis stores
where a library checks access tokens at all; the stateless user; the user cache. The view rows
dispatch a protected GET in-process (no HTTP) through DRF's ``APIView``, adrf's ``APIView`` and
the library's own async view.
"""

from __future__ import annotations

from typing import Any

from bench.libs.base import Adapter, Unsupported
from bench.scenarios import Scenario, Setup
from bench.timing import Job, expect

#: suffix -> (profile, authentication variant, needs an access-token revocation check, label)
VARIANTS = {
    "": ("hs256", "db", False, "1 user query (SQLite)"),
    ".model": ("model", "db", True, "+ revocation, model store"),
    ".cache": ("cache", "db", True, "+ revocation, cache store (Redis)"),
    ".redis": ("redis", "db", True, "+ revocation, Redis store"),
    ".stateless": ("hs256", "stateless", False, "stateless user"),
    ".usercache": ("usercache", "db", False, "user cache"),
}


def _bearer_request(raw: str, drf: bool = True) -> Any:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return Request(request) if drf else request


def _expect_user(setup: Setup) -> Any:
    def check(result: Any) -> None:
        expect(result is not None, "no authentication")
        expect(str(result[0].pk) == str(setup.user.pk), f"user {result[0]!r}")

    return check


def _expect_ok(response: Any) -> None:
    expect(response.status_code == 200, f"view answered {response.status_code}")


def _authenticator(adapter: Adapter, variant: str, revocation: bool) -> Any:
    if revocation and not adapter.revocation:
        raise Unsupported("no access-token revocation check")
    return adapter.authentication(variant)()


def _sync(variant: str, revocation: bool) -> Any:
    def make(adapter: Adapter, setup: Setup) -> Job:
        authenticator = _authenticator(adapter, variant, revocation)
        request = _bearer_request(setup.access)
        return Job(call=lambda: authenticator.authenticate(request), check=_expect_user(setup))

    return make


def _async(variant: str, revocation: bool) -> Any:
    def make(adapter: Adapter, setup: Setup) -> Job:
        authenticator = _authenticator(adapter, variant, revocation)
        request = _bearer_request(setup.access)
        return Job(
            acall=lambda: adapter.aauthenticate(authenticator, request),
            check=_expect_user(setup),
        )

    return make


def _drf_view(adapter: Adapter, setup: Setup) -> Job:
    from bench.views import protected_sync

    view = protected_sync(adapter.authentication("db"))
    request = _bearer_request(setup.access, drf=False)
    return Job(call=lambda: view(request), check=_expect_ok)


def _async_view(build: str) -> Any:
    def make(adapter: Adapter, setup: Setup) -> Job:
        from bench.views import protected_adrf

        authentication = adapter.authentication("db")
        if build == "adrf":
            view = protected_adrf(authentication)
        else:
            view = adapter.async_view(authentication)
        request = _bearer_request(setup.access, drf=False)
        return Job(acall=lambda: view(request), check=_expect_ok)

    return make


def _scenarios() -> list[Scenario]:
    found = []
    for kind, factory, what in (
        ("sync", _sync, "authenticate"),
        ("async", _async, "aauthenticate"),
    ):
        for suffix, (profile, variant, revocation, label) in VARIANTS.items():
            found.append(
                Scenario(
                    f"auth.{kind}{suffix}",
                    f"{what}, {label}",
                    profile,
                    factory(variant, revocation),
                )
            )
    return [
        *found,
        Scenario("view.drf", "DRF APIView, protected GET, in-process", "hs256", _drf_view),
        Scenario(
            "view.adrf",
            "adrf APIView, protected GET, in-process",
            "hs256",
            _async_view("adrf"),
        ),
        Scenario(
            "view.async",
            "own async view, protected GET, in-process",
            "hs256",
            _async_view("own"),
        ),
    ]


SCENARIOS = _scenarios()
