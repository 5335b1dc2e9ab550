"""The session endpoints: ``logout-all/``, ``sessions/`` and ``sessions/<sid>/``.

Each needs an access token (``JWTAuthentication``) and runs one policy of :mod:`jwtflow.flows`
with the async driver, like the token endpoints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from jwtflow import flows
from jwtflow.claims import SID_CLAIM, SID_PATTERN
from jwtflow.drf.authentication import JWTAuthentication
from jwtflow.drf.endpoints import EveryDatabase
from jwtflow.drf.exceptions import endpoint_failure
from jwtflow.drf.views import AsyncAPIView
from jwtflow.drivers import run_async
from jwtflow.errors import JWTFlowError
from jwtflow.records import Session
from jwtflow.runtime import current


class SessionEndpointView(AsyncAPIView):
    """Base of the session endpoints: an authenticated user; jwtflow errors as their statuses."""

    authentication_classes = (JWTAuthentication,)
    permission_classes = (IsAuthenticated,)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """The view function, exempt from ``ATOMIC_REQUESTS`` on every database.

        Django refuses ``ATOMIC_REQUESTS`` around async views; each store call is atomic alone.
        """
        view = super().as_view(**initkwargs)
        view._non_atomic_requests = EveryDatabase()  # type: ignore[attr-defined]
        return view

    def handle_exception(self, exc: Exception) -> Response:
        """Turn jwtflow errors (501 without a store, 503 when it is down) into responses."""
        if isinstance(exc, JWTFlowError):
            exc = endpoint_failure(exc, None)
        return super().handle_exception(exc)


class LogoutAllView(SessionEndpointView):
    """``POST logout-all/`` -> 204: every session and token of the user issued until now ends."""

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Set the user's logout-all time."""
        runtime = current()
        await run_async(flows.logout_all(runtime, request.user), runtime.ports)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionListView(SessionEndpointView):
    """``GET sessions/`` -> the user's live sessions, newest first; ``current`` marks this one."""

    async def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the live sessions of the authenticated user."""
        runtime = current()
        found = await run_async(flows.list_sessions(runtime, request.user), runtime.ports)
        this = getattr(request.auth, "payload", {}).get(SID_CLAIM)
        return Response([describe(session, this) for session in found])


class SessionView(SessionEndpointView):
    """``DELETE sessions/<sid>/`` -> 204; 404 for a sid that is not a live session of the user."""

    async def delete(self, request: Request, sid: str, *args: Any, **kwargs: Any) -> Response:
        """End one session of the authenticated user.

        Raises:
            NotFound: ``sid`` is unknown, ended, or another user's (indistinguishable on purpose).
        """
        if not SID_PATTERN.fullmatch(sid):
            raise NotFound()
        runtime = current()
        if not await run_async(flows.end_session(runtime, request.user, sid), runtime.ports):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


def describe(session: Session, current_sid: str | None) -> dict[str, Any]:
    """The JSON of one session in ``GET sessions/`` (times in ISO 8601, UTC)."""
    return {
        "sid": session.sid,
        "created": _iso(session.created),
        "last_refreshed": _iso(session.last_refreshed),
        "expires": _iso(session.expires),
        "user_agent": session.user_agent,
        "current": session.sid == current_sid,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
