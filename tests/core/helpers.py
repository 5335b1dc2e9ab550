"""Constants, small fakes and the ``fails`` assertion for the core tests.

Hand-made tokens are in ``tests.forge``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any

import pytest

from jwtflow.errors import JWTFlowError
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


def refuse_everyone(user: Any) -> bool:
    """A ``USER_AUTHENTICATION_RULE`` that refuses every user."""
    return False


def accept_everyone(user: Any) -> bool:
    """A ``USER_AUTHENTICATION_RULE`` that accepts every user, inactive ones too."""
    return True


def fails(drive: Drive, flow: Any, ports: Ports, error: type[JWTFlowError]) -> JWTFlowError:
    """Drive ``flow`` and assert it raises exactly ``error`` (not a subclass); return it."""
    with pytest.raises(JWTFlowError) as caught:
        drive(flow, ports)
    assert type(caught.value) is error
    return caught.value
