"""DRF authentication: ``JWTAuthentication`` and ``JWTStatelessAuthentication``, sync and async."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from asgiref.sync import sync_to_async
from rest_framework import authentication
from rest_framework.request import Request

from jwtflow import flows, remotekeys, stateless
from jwtflow.bearer import token_from_header
from jwtflow.drf.exceptions import authentication_failure, www_authenticate
from jwtflow.drivers import run_async, run_sync
from jwtflow.effects import Effect
from jwtflow.errors import JWTFlowError
from jwtflow.runtime import Runtime, current

# Where a rejection is remembered so authenticate_header() can describe it (RFC 6750 section 3).
_REJECTION = "_jwtflow_rejection"


class BaseAuthentication(authentication.BaseAuthentication):
    """DRF's base class plus ``aauthenticate``, which by default runs the sync one in a thread."""

    async def aauthenticate(self, request: Request) -> tuple[Any, Any] | None:
        """Async twin of ``authenticate``; override it with a native implementation."""
        return await sync_to_async(self.authenticate)(request)


class JWTAuthentication(BaseAuthentication):
    """Bearer-token authentication with JSON Web Tokens, sync and async."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """Return ``(user, access_token)`` for the bearer token, or None when none is supplied.

        Raises:
            AuthenticationFailed: the header, token or user is refused (401 with a ``code``).
            APIException: the revocation store is down (503).
        """
        runtime = current()
        try:
            raw = _bearer_token(runtime, request)
            if raw is None:
                return None
            return run_sync(self._policy(runtime, raw), runtime.ports)
        except JWTFlowError as error:
            raise _rejected(request, error) from error

    async def aauthenticate(self, request: Request) -> tuple[Any, Any] | None:
        """Async twin of :meth:`authenticate`: same policy, stores awaited natively."""
        runtime = current()
        try:
            raw = _bearer_token(runtime, request)
            if raw is None:
                return None
            return await run_async(self._policy(runtime, raw), runtime.ports)
        except JWTFlowError as error:
            raise _rejected(request, error) from error

    def authenticate_header(self, request: Request) -> str:
        """Return the ``WWW-Authenticate`` value, describing the rejection if there was one."""
        return www_authenticate(current().config, getattr(request, _REJECTION, None))

    def flow(self, runtime: Runtime, raw: str) -> Generator[Effect, Any, tuple[Any, Any]]:
        """The policy that authenticates ``raw``: verify it and load its user."""
        return flows.authenticate(runtime, raw)

    def _policy(self, runtime: Runtime, raw: str) -> Generator[Effect, Any, tuple[Any, Any]]:
        # With JWKS_URL, the issuer's keys are fetched (when needed) before the policy runs;
        # without a remote set there is nothing to fetch, and no wrapping generator to pay for.
        flow = self.flow(runtime, raw)
        if runtime.keys.remote is None:
            return flow
        return remotekeys.with_keys(runtime.keys, raw, runtime.clock.now(), flow)


class JWTStatelessAuthentication(JWTAuthentication):
    """Bearer-token authentication without a user table: ``request.user`` is a ``TokenUser``.

    The user is built from the token's claims; nothing is loaded. See ``jwtflow.stateless`` for
    what this cannot know without a store.
    """

    def flow(self, runtime: Runtime, raw: str) -> Generator[Effect, Any, tuple[Any, Any]]:
        """Verify ``raw`` and build its ``TokenUser``."""
        return stateless.authenticate(runtime, raw)


def _bearer_token(runtime: Runtime, request: Request) -> str | None:
    return token_from_header(
        request.META.get("HTTP_AUTHORIZATION"), runtime.config.auth_header_types
    )


def _rejected(request: Request, error: JWTFlowError) -> Exception:
    # A try/except in each method rather than a shared context manager: entering one costs
    # more than the rest of the DRF glue on every successful request.
    setattr(request, _REJECTION, error)
    return authentication_failure(error)
