"""Hand-made tokens and response assertions shared by every test package.

Tokens are assembled by hand (base64url + HMAC) so a test can put anything in the header or
payload, including what PyJWT refuses to produce. Claims follow one convention everywhere:
``claims_for(now, **overrides)`` gives a valid access-token payload and ``name=DROP`` removes a
claim (so ``None`` stays available as a JSON ``null``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol

#: The password of the test users the fixtures create.
PASSWORD = "correct horse battery staple"
#: Removes a claim in :func:`claims_for`.
DROP: Any = object()
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


class Response(Protocol):
    """What the tests read of a response (Django's test clients or httpx)."""

    status_code: int

    @property
    def headers(self) -> Any:
        """The response headers, case-insensitive."""

    @property
    def content(self) -> bytes:
        """The raw body."""

    def json(self) -> Any:
        """The decoded JSON body."""


#: ``http(method, path, data=None, token=None, headers=None)``, the DRF tests' fixture.
Http = Callable[..., Response]


def b64(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(part: dict[str, Any] | str | bytes) -> str:
    """Encode a header or payload: a dict as compact JSON, text or bytes exactly as given."""
    if isinstance(part, dict):
        part = json.dumps(part, separators=(",", ":"))
    if isinstance(part, str):
        part = part.encode("utf-8", "surrogatepass")
    return b64(part)


def hs_token(
    payload: dict[str, Any] | str | bytes,
    secret: str | bytes,
    header: dict[str, Any] | str | None = None,
    alg: str = "HS256",
) -> str:
    """A compact JWS whose signature is a correct HMAC of whatever header and payload are given.

    ``alg`` picks the HMAC hash; the header says ``alg`` too unless ``header`` is given.
    """
    secret = secret.encode() if isinstance(secret, str) else secret
    signing_input = f"{segment(header or {'alg': alg, 'typ': 'JWT'})}.{segment(payload)}"
    digest = hmac.new(secret, signing_input.encode(), _HASHES[alg]).digest()
    return f"{signing_input}.{b64(digest)}"


def claims_for(now: float, **overrides: Any) -> dict[str, Any]:
    """A valid access-token payload at ``now`` for user 1; ``name=DROP`` removes a claim."""
    payload: dict[str, Any] = {
        "token_type": "access",
        "exp": int(now) + 300,
        "iat": int(now),
        "jti": uuid.uuid4().hex,
        "user_id": 1,
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not DROP}


def assert_rejected(response: Response, code: str, *, described: bool = True) -> None:
    """A 401 with the contract's ``{"detail", "code"}`` body and RFC 6750 header.

    ``described``: whether the header carries ``error="invalid_token"`` and the description.
    """
    assert response.status_code == 401, response.json()
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    header = response.headers["WWW-Authenticate"]
    assert header.startswith('Bearer realm="api"')
    assert ('error="invalid_token"' in header) is described
    if described:
        assert f'error_description="{body["detail"]}"' in header
