"""The token endpoints: obtain, refresh, verify and blacklist (``include("jwtflow.urls")``)."""

from __future__ import annotations

import abc
from collections.abc import Generator
from typing import Any

from django.utils.http import parse_header_parameters
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from jwtflow import flows, tokens
from jwtflow.drf import _serializers as serializers
from jwtflow.drf.exceptions import endpoint_failure, www_authenticate
from jwtflow.drf.views import AsyncAPIView
from jwtflow.drivers import run_async
from jwtflow.effects import Effect
from jwtflow.errors import JWTFlowError
from jwtflow.runtime import Runtime, current
from jwtflow.tokens import TokenPair


class EveryDatabase(frozenset[str]):
    """Contains every database alias (the ``_non_atomic_requests`` Django consults)."""

    def __contains__(self, alias: object) -> bool:
        return True


class TokenEndpointView(AsyncAPIView, metaclass=abc.ABCMeta):
    """Base of the token endpoints: validate the body, run the flow, answer or map the error."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = ()
    permission_classes = (AllowAny,)
    serializer_class: type[Serializer[Any]]
    success_status: int = status.HTTP_200_OK
    #: Whether the body carries a token: then a 401 names it ``invalid_token`` (RFC 6750).
    takes_token = True

    @abc.abstractmethod
    def flow(
        self, runtime: Runtime, request: Request, data: dict[str, Any]
    ) -> Generator[Effect, Any, Any]:
        """Return the flow that serves this endpoint."""

    def payload(self, result: Any) -> dict[str, str] | None:
        """The body for the flow's result: a token pair, nothing (204), or ``{}``."""
        if isinstance(result, TokenPair):
            return result.as_dict()
        return None if result is None else {}

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """The view function, exempt from ``ATOMIC_REQUESTS`` on every database.

        Django refuses ``ATOMIC_REQUESTS`` around an async view, and the endpoints do not need
        it: each blacklist write is its own atomic statement.
        """
        view = super().as_view(**initkwargs)
        view._non_atomic_requests = EveryDatabase()  # type: ignore[attr-defined]
        return view

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Validate the body, then run the endpoint's flow."""
        serializer = self.serializer_class(data=_body(request))
        serializer.is_valid(raise_exception=True)
        runtime = current()
        result = await run_async(
            self.flow(runtime, request, serializer.validated_data), runtime.ports
        )
        return Response(self.payload(result), status=self.success_status)

    def handle_exception(self, exc: Exception) -> Response:
        """Turn jwtflow errors into ``{"detail", "code"}`` responses with their status."""
        if isinstance(exc, JWTFlowError):
            rejected = exc if self.takes_token else None
            exc = endpoint_failure(exc, www_authenticate(current().config, rejected))
        return super().handle_exception(exc)


class TokenObtainView(TokenEndpointView):
    """``POST {<USERNAME_FIELD>, password}`` -> ``{"access", "refresh"}``."""

    serializer_class = serializers.TokenObtainSerializer
    takes_token = False

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        user_agent = str(request.META.get("HTTP_USER_AGENT", ""))
        return flows.obtain(runtime, request._request, data, user_agent)


class TokenRefreshView(TokenEndpointView):
    """``POST {refresh}`` -> ``{"access", "refresh"}`` (or ``{"access"}`` without rotation)."""

    serializer_class = serializers.TokenRefreshSerializer

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.refresh(runtime, data["refresh"])


class TokenVerifyView(TokenEndpointView):
    """``POST {token}`` -> ``{}`` when the access or refresh token is valid."""

    serializer_class = serializers.TokenVerifySerializer

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return tokens.verify(runtime, data["token"])


class TokenBlacklistView(TokenEndpointView):
    """``POST {refresh}`` -> 204; the refresh token no longer refreshes."""

    serializer_class = serializers.TokenBlacklistSerializer
    success_status = status.HTTP_204_NO_CONTENT

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.blacklist(runtime, data["refresh"])


def _body(request: Request) -> Any:
    """``request.data``, with bodies DRF's parsers crash on answered 400, not 500.

    Raises:
        ParseError: the body cannot be parsed: nested too deeply for the parser (DRF's parsers
            only map ``ValueError``), or declared in a charset that is not a text encoding
            (``charset=zlib`` reaches a bytes codec in DRF before 3.18).
    """
    _, params = parse_header_parameters(request.content_type or "")
    charset = params.get("charset")
    if charset is not None:
        try:
            "".encode(charset)  # LookupError for unknown and for bytes-to-bytes codecs
        except LookupError:
            raise ParseError(f"Malformed request body: unknown text charset {charset!r}.") from None
    try:
        return request.data
    except RecursionError:
        raise ParseError("Malformed request body: nested too deeply.") from None
