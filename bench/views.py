"""The protected endpoints every library serves, built over its authentication class.

``drf``: a sync DRF ``APIView``; ``adrf``: an adrf ``APIView`` with an async handler; ``async``:
the library's own async view class; ``async-open``: that class without authentication (what
``async`` is compared with). ``noauth`` and ``plain`` are the references.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def protected_sync(authentication: type) -> Any:
    """A sync DRF view that answers the authenticated user's id."""

    class Protected(APIView):
        """Authenticated users only; answers their id."""

        authentication_classes = (authentication,)
        permission_classes = (IsAuthenticated,)

        def get(self, request: Request) -> Response:
            """The user's id."""
            return Response({"id": request.user.pk})

    return Protected.as_view()


def protected_async(base: type, authentication: type) -> Any:
    """An async view of ``base`` (a DRF view class with async handlers) over ``authentication``."""

    class Protected(base):  # type: ignore[misc]
        """Authenticated users only; answers their id from an async handler."""

        authentication_classes = (authentication,)
        permission_classes = (IsAuthenticated,)

        async def get(self, request: Request) -> Response:
            """The user's id."""
            return Response({"id": request.user.pk})

    return Protected.as_view()


def open_async(base: type) -> Any:
    """An async view of ``base`` with no authentication at all: the protected one's baseline."""

    class Open(base):  # type: ignore[misc]
        """Anyone; answers no id from an async handler."""

        authentication_classes = ()
        permission_classes = (AllowAny,)

        async def get(self, request: Request) -> Response:
            """No user, no id."""
            return Response({"id": None})

    return Open.as_view()


def protected_adrf(authentication: type) -> Any:
    """An adrf view (sync authentication in a thread, async handler)."""
    from adrf.views import APIView as AdrfAPIView

    return protected_async(AdrfAPIView, authentication)


class NoAuth(APIView):
    """Reference: the same DRF view without authentication."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        """No user, no id."""
        return Response({"id": None})


async def plain(request: HttpRequest) -> JsonResponse:
    """Reference: a plain async Django view, no DRF, no authentication."""
    return JsonResponse({"id": None})
