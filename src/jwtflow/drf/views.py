"""``AsyncAPIView``: a DRF ``APIView`` whose async handlers await authentication."""

from __future__ import annotations

import inspect
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.views import APIView


class AsyncAPIView(APIView):
    """A DRF ``APIView`` whose async handlers run with awaited authentication.

    With ``async def`` handlers, authenticators' ``aauthenticate`` is awaited (an authenticator
    without one runs in a thread), and a permission's ``has_permission`` is awaited when it is
    a coroutine function. Sync permissions and throttles run inline, so keep them free of
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
        await self.acheck_permissions(request)
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

    async def acheck_permissions(self, request: Request) -> None:
        """``APIView.check_permissions``, awaiting async ``has_permission`` methods.

        DRF's own loop would take the coroutine an async permission returns for a yes.
        """
        for permission in self.get_permissions():
            allowed = permission.has_permission(request, self)
            if inspect.isawaitable(allowed):
                allowed = await allowed
            if not allowed:
                self.permission_denied(
                    request,
                    message=getattr(permission, "message", None),
                    code=getattr(permission, "code", None),
                )

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
