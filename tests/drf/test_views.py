"""AsyncAPIView: awaited authentication, sync fallback, and DRF's request state."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from jwtflow import AccessToken, AsyncAPIView, JWTAuthentication
from jwtflow.drf.authentication import BaseAuthentication

pytestmark = pytest.mark.django_db(transaction=True)


class HeaderUser(authentication.BaseAuthentication):
    """A plain DRF authenticator (no aauthenticate): 'X-User: alice' signs in alice."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        name = request.META.get("HTTP_X_USER")
        if name is None:
            return None
        if name == "reject":
            raise exceptions.AuthenticationFailed("rejected")
        return User.objects.get(username=name), None


class AsyncView(AsyncAPIView):
    authentication_classes = (JWTAuthentication, HeaderUser)

    async def get(self, request: Request) -> Response:
        return Response(
            {
                "user": request.user.get_username(),
                "authenticator": type(request.successful_authenticator).__name__,
            }
        )


class AsyncOnlyStaff:
    """A permission with an async has_permission, as adrf allows."""

    message = "Staff only."

    async def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_staff)


class StaffView(AsyncView):
    # DRF's stubs allow only BasePermission, whose has_permission is sync; AsyncAPIView (like
    # adrf) also awaits an async one, which is what this view tests.
    permission_classes = (AsyncOnlyStaff,)  # type: ignore[assignment]


class SyncView(AsyncAPIView):
    authentication_classes = (JWTAuthentication,)

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class PassThrough(BaseAuthentication):
    """Only a sync authenticate: BaseAuthentication derives aauthenticate with a thread hop."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        return None


def run(view: Any, **headers: str) -> Any:
    request = RequestFactory().get("/", headers=headers)
    response = view(request)
    if asyncio.iscoroutine(response):
        response = asyncio.run(response)
    response.render()
    return response


def test_async_handler_awaits_jwt_authentication(user: User) -> None:
    token = AccessToken.for_user(user)
    response = run(AsyncView.as_view(), Authorization=f"Bearer {token}")
    assert response.status_code == 200
    assert response.data == {"user": "alice", "authenticator": "JWTAuthentication"}


def test_authenticator_without_async_twin_runs_in_a_thread(user: User) -> None:
    response = run(AsyncView.as_view(), X_User="alice")
    assert response.data == {"user": "alice", "authenticator": "HeaderUser"}


def test_anonymous_request_gets_the_challenge() -> None:
    response = run(AsyncView.as_view())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_failing_authenticator_leaves_the_request_anonymous() -> None:
    response = run(AsyncView.as_view(), X_User="reject")
    assert response.status_code == 401
    assert response.data["detail"] == "rejected"


def test_async_permissions_are_awaited(user: User) -> None:
    token = AccessToken.for_user(user)
    refused = run(StaffView.as_view(), Authorization=f"Bearer {token}")
    assert refused.status_code == 403
    assert refused.data["detail"] == "Staff only."
    User.objects.filter(pk=user.pk).update(is_staff=True)
    assert run(StaffView.as_view(), Authorization=f"Bearer {token}").status_code == 200


def test_sync_handlers_use_drf_dispatch(user: User) -> None:
    view = SyncView.as_view()
    assert not asyncio.iscoroutinefunction(view)
    token = AccessToken.for_user(user)
    assert run(view, Authorization=f"Bearer {token}").data == {"user": "alice"}


def test_unknown_method_is_405_in_async_views() -> None:
    request = RequestFactory().generic("BREW", "/")
    # Django's stubs type a view as returning a response; an async view returns a coroutine.
    pending = AsyncView.as_view(permission_classes=())(request)
    assert asyncio.iscoroutine(pending)
    response = asyncio.run(pending)
    response.render()
    assert response.status_code == 405


def test_base_authentication_derives_the_async_twin() -> None:
    request = Request(RequestFactory().get("/"))
    assert asyncio.run(PassThrough().aauthenticate(request)) is None
