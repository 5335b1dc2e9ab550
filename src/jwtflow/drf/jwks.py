"""``GET .well-known/jwks.json``: the ring's public keys, for services that verify our tokens.

Only public keys are published (an HMAC secret never is). Caches may keep the document for
``JWKS_CACHE_SECONDS``, and an ``ETag`` lets them revalidate it with a 304.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpResponse
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from jwtflow.drf.views import AsyncAPIView
from jwtflow.runtime import current

#: The JWK Set media type is ``application/jwk-set+json`` (RFC 7517 section 8.5); plain JSON is
#: what every JWKS client accepts, and what the large issuers serve.
CONTENT_TYPE = "application/json"


class JWKSView(AsyncAPIView):
    """The JWK Set of the ring's public keys (``kid``, ``alg``, ``use``); 404 without any."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = ()
    permission_classes = (AllowAny,)

    async def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """Answer the JWK Set, or 304 when ``If-None-Match`` names its ``ETag``.

        Raises:
            NotFound: the ring has no public key (HMAC only, or verify-only from a JWKS_URL).
        """
        runtime = current()
        jwks = runtime.keys.public_jwks()
        if not jwks["keys"]:
            raise NotFound("This server publishes no public keys.")
        body = json.dumps(jwks, separators=(",", ":"), sort_keys=True).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        if _matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["ETag"] = etag
        max_age = int(runtime.config.jwks_cache_seconds)
        response["Cache-Control"] = f"public, max-age={max_age}"
        return response


def _matches(if_none_match: str, etag: str) -> bool:
    # RFC 9110 section 13.1.2: weak comparison, a list of tags, or "*".
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
