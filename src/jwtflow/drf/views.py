"""``AsyncAPIView`` and the token endpoints (obtain, refresh, verify, blacklist)."""

from __future__ import annotations

import inspect
from collections.abc import Generator
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from jwtflow import flows
from jwtflow.django.conf import get_runtime
from jwtflow.drf import serializers
from jwtflow.drf.exceptions import endpoint_failure, www_authenticate
from jwtflow.drivers import run_async
from jwtflow.effects import Effect
from jwtflow.errors import JWTFlowError
from jwtflow.runtime import Runtime
from jwtflow.tokens import TokenPair


class AsyncAPIView(APIView):
    """A DRF ``APIView`` whose async handlers run with awaited authentication.

    With ``async def`` handlers, authenticators' ``aauthenticate`` is awaited (an authenticator
    without one runs in a thread); permissions and throttles run inline, so keep them free of
    blocking I/O. With sync handlers it behaves exactly like ``APIView``.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """Dispatch sync handlers like DRF does; return a coroutine for async ones."""
        if not self.view_is_async:
            return super().dispatch(request, *args, **kwargs)
        return self.adispatch(request, *args, **kwargs)

    async def adispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """The request lifecycle of ``APIView.dispatch``, with the awaitable parts awaited."""
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            await self.ainitial(drf_request, *args, **kwargs)
            response = self._handler(drf_request)(drf_request, *args, **kwargs)
            if inspect.isawaitable(response):
                response = await response
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        return self.response

    async def ainitial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """``APIView.initial`` with authentication awaited."""
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(
            request
        )
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs
        )
        await self.aperform_authentication(request)
        self.check_permissions(request)
        self.check_throttles(request)

    async def aperform_authentication(self, request: Request) -> None:
        """Authenticate with each authenticator in turn, awaiting ``aauthenticate``.

        Leaves the request as ``Request._authenticate`` does (the same private attributes), so
        ``request.user`` and ``successful_authenticator`` never fall back to sync authentication.
        """
        for authenticator in request.authenticators or ():
            try:
                result = await _aauthenticate(authenticator, request)
            except Exception:
                request._not_authenticated()  # type: ignore[attr-defined]
                raise
            if result is not None:
                request._authenticator = authenticator  # type: ignore[attr-defined]
                request.user, request.auth = result
                return
        request._not_authenticated()  # type: ignore[attr-defined]

    def _handler(self, request: Request) -> Any:
        method = (request.method or "").lower()
        if method in self.http_method_names:
            return getattr(self, method, self.http_method_not_allowed)
        return self.http_method_not_allowed


async def _aauthenticate(authenticator: Any, request: Request) -> Any:
    native = getattr(authenticator, "aauthenticate", None)
    if native is not None:
        return await native(request)
    return await sync_to_async(authenticator.authenticate)(request)


class TokenEndpointView(AsyncAPIView):
    """Base of the token endpoints: validate the body, run the flow, answer or map the error."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = ()
    permission_classes = (AllowAny,)
    serializer_class: type[Serializer[Any]]
    success_status: int = status.HTTP_200_OK
    #: Whether the body carries a token: then a 401 names it ``invalid_token`` (RFC 6750).
    takes_token = True

    def flow(
        self, runtime: Runtime, request: Request, data: dict[str, Any]
    ) -> Generator[Effect, Any, Any]:
        """Return the flow that serves this endpoint."""
        raise NotImplementedError

    def payload(self, result: Any) -> dict[str, str] | None:
        """The response body for the flow's result."""
        return {}

    async def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Validate the body, then run the endpoint's flow."""
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        runtime = get_runtime()
        result = await run_async(
            self.flow(runtime, request, serializer.validated_data), runtime.ports
        )
        return Response(self.payload(result), status=self.success_status)

    def handle_exception(self, exc: Exception) -> Response:
        """Turn jwtflow errors into ``{"detail", "code"}`` responses with their status."""
        if isinstance(exc, JWTFlowError):
            rejected = exc if self.takes_token else None
            exc = endpoint_failure(exc, www_authenticate(get_runtime().config, rejected))
        return super().handle_exception(exc)


class TokenObtainView(TokenEndpointView):
    """``POST {<USERNAME_FIELD>, password}`` -> ``{"access", "refresh"}``."""

    serializer_class = serializers.TokenObtainSerializer
    takes_token = False

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.obtain(runtime, request._request, data)

    def payload(self, result: TokenPair) -> dict[str, str]:
        return result.as_dict()


class TokenRefreshView(TokenEndpointView):
    """``POST {refresh}`` -> ``{"access", "refresh"}`` (or ``{"access"}`` without rotation)."""

    serializer_class = serializers.TokenRefreshSerializer

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.refresh(runtime, data["refresh"])

    def payload(self, result: TokenPair) -> dict[str, str]:
        return result.as_dict()


class TokenVerifyView(TokenEndpointView):
    """``POST {token}`` -> ``{}`` when the access or refresh token is valid."""

    serializer_class = serializers.TokenVerifySerializer

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.verify(runtime, data["token"])


class TokenBlacklistView(TokenEndpointView):
    """``POST {refresh}`` -> 204; the refresh token no longer refreshes."""

    serializer_class = serializers.TokenBlacklistSerializer
    success_status = status.HTTP_204_NO_CONTENT

    def flow(self, runtime: Runtime, request: Request, data: dict[str, Any]) -> Any:
        return flows.logout(runtime, data["refresh"])

    def payload(self, result: None) -> None:
        return None
