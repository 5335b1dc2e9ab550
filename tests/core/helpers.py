"""Hand-made tokens and small fakes for the core tests.

Tokens are assembled by hand (base64url + HMAC) so a test can put anything in the header or
payload, including what PyJWT refuses to produce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any

from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.runtime import Ports, Runtime

#: A 48-byte HMAC secret: long enough for HS256 and HS384, too short for HS512.
SECRET = "jwtflow-tests-" + "x" * 34
#: A 64-byte HMAC secret, long enough for every HS algorithm.
LONG_SECRET = "jwtflow-tests-" + "y" * 50
#: The key (a ``pem`` fixture name) each asymmetric algorithm signs with by default.
ASYMMETRIC_KEYS = {
    "RS256": "rsa",
    "RS384": "rsa",
    "RS512": "rsa",
    "PS256": "rsa",
    "PS384": "rsa",
    "PS512": "rsa",
    "ES256": "p256",
    "ES384": "p384",
    "ES512": "p521",
    "EdDSA": "ed25519",
}
#: Every algorithm with the ``pem`` key it uses (None: an HMAC secret); EdDSA twice, both curves.
ALGORITHM_CASES = [
    ("HS256", None),
    ("HS384", None),
    ("HS512", None),
    *ASYMMETRIC_KEYS.items(),
    ("EdDSA", "ed448"),
]


#: ``make_runtime(rule=..., ports=..., **settings)`` from the fixture of that name.
MakeRuntime = Callable[..., Runtime]
#: ``drive(flow, ports)`` from the fixture of that name.
Drive = Callable[[Generator[Any, Any, Any], Ports], Any]

#: Removes a claim in :func:`claims_for`.
DROP = object()
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(part: dict[str, Any] | str | bytes) -> str:
    """Encode a header or payload: a dict as compact JSON, text or bytes exactly as given."""
    if isinstance(part, dict):
        part = json.dumps(part, separators=(",", ":"))
    if isinstance(part, str):
        part = part.encode()
    return b64(part)


def hs_token(
    payload: dict[str, Any] | str | bytes,
    secret: str | bytes,
    header: dict[str, Any] | str | None = None,
    alg: str = "HS256",
) -> str:
    """A compact JWS whose signature is a correct HMAC of whatever header and payload are given."""
    secret = secret.encode() if isinstance(secret, str) else secret
    signing_input = f"{segment(header or {'alg': alg, 'typ': 'JWT'})}.{segment(payload)}"
    digest = hmac.new(secret, signing_input.encode(), _HASHES[alg]).digest()
    return f"{signing_input}.{b64(digest)}"


def claims_for(now: float, **overrides: Any) -> dict[str, Any]:
    """A valid access-token payload at ``now``; ``name=DROP`` removes a claim."""
    payload: dict[str, Any] = {
        "token_type": "access",
        "exp": int(now) + 300,
        "iat": int(now),
        "jti": uuid.uuid4().hex,
        "user_id": 1,
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not DROP}


class RecordingBlacklist(MemoryBlacklistBackend):
    """A memory blacklist that also remembers each entry's ``expires_at``."""

    def __init__(self) -> None:
        super().__init__()
        self.expiries: dict[str, datetime] = {}

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Record ``expires_at`` of a new entry, then add it."""
        added = super().blacklist(jti, expires_at=expires_at)
        if added:
            self.expiries[jti] = expires_at
        return added
