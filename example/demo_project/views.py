"""Views of the demo: who am I, once async and once sync, both behind JWTAuthentication."""

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jwtflow import AsyncAPIView


def describe(user: Any) -> dict[str, Any]:
    """Return the public part of a user: id and username."""
    return {"id": user.pk, "username": user.get_username()}


class MeView(AsyncAPIView):
    """The authenticated user, served by an async handler (authentication is awaited)."""

    async def get(self, request: Request) -> Response:
        """Return the id and username of the token's user."""
        return Response(describe(request.user))


class MeSyncView(APIView):
    """The authenticated user, served by a plain sync DRF view."""

    def get(self, request: Request) -> Response:
        """Return the id and username of the token's user."""
        return Response(describe(request.user))
