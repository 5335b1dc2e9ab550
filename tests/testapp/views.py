"""Protected views: one per way a project can call the authenticator."""

from __future__ import annotations

from typing import Any

from adrf.views import APIView as AdrfAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jwtflow import AsyncAPIView


def _me(request: Request) -> dict[str, Any]:
    return {"id": str(request.user.pk), "username": request.user.get_username()}


class MeAsync(AsyncAPIView):
    """Async handler: ``aauthenticate`` is awaited."""

    async def get(self, request: Request) -> Response:
        """Return the authenticated user."""
        return Response(_me(request))


class MeSync(APIView):
    """Plain DRF view: ``authenticate`` runs."""

    def get(self, request: Request) -> Response:
        """Return the authenticated user."""
        return Response(_me(request))


# adrf ships no type information (no py.typed), so its APIView is Any to mypy.
class MeAdrf(AdrfAPIView):  # type: ignore[misc]
    """adrf async view: adrf runs the sync ``authenticate`` in a worker thread."""

    async def get(self, request: Request) -> Response:
        """Return the authenticated user."""
        return Response(_me(request))
