"""The floor: compact JWS signed and verified by hand, with keys prepared once.

HS256 is hmac + 3 base64url decodes + 2 ``json.loads``; the asymmetric ones call
``cryptography`` directly. Only the checks every library makes (alg, signature, exp) are here:
this is what a token costs at the least, not a library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)


class Invalid(Exception):
    """The token is refused."""


def b64decode(segment: str) -> bytes:
    """base64url without padding -> bytes."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64encode(data: bytes) -> str:
    """bytes -> base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Jws:
    """Sign and verify one algorithm with a key parsed once."""

    def __init__(self, algorithm: str, signing_key: str, verifying_key: str | None) -> None:
        self.algorithm = algorithm
        self.header = b64encode(json.dumps({"alg": algorithm, "typ": "JWT"}).encode())
        if algorithm == "HS256":
            self.secret = signing_key.encode()
            return
        self.private: Any = serialization.load_pem_private_key(signing_key.encode(), None)
        self.public: Any = serialization.load_pem_public_key((verifying_key or "").encode())

    def sign(self, claims: dict[str, Any]) -> str:
        """Return the compact JWS of ``claims``."""
        body = b64encode(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self.header}.{body}".encode()
        return f"{self.header}.{body}.{b64encode(self._signature(signing_input))}"

    def verify(self, raw: str) -> dict[str, Any]:
        """Return the claims of ``raw``.

        Raises:
            Invalid: wrong algorithm, bad signature or expired.
        """
        header_segment, payload_segment, signature_segment = raw.split(".")
        header = json.loads(b64decode(header_segment))
        if header.get("alg") != self.algorithm:
            raise Invalid("algorithm")
        signing_input = f"{header_segment}.{payload_segment}".encode()
        self._check(signing_input, b64decode(signature_segment))
        claims: dict[str, Any] = json.loads(b64decode(payload_segment))
        if claims["exp"] <= time.time():
            raise Invalid("expired")
        return claims

    def _signature(self, signing_input: bytes) -> bytes:
        if self.algorithm == "HS256":
            return hmac.new(self.secret, signing_input, hashlib.sha256).digest()
        if self.algorithm == "RS256":
            return bytes(self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))
        if self.algorithm == "ES256":
            r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return bytes(self.private.sign(signing_input))

    def _check(self, signing_input: bytes, signature: bytes) -> None:
        if self.algorithm == "HS256":
            expected = hmac.new(self.secret, signing_input, hashlib.sha256).digest()
            if not hmac.compare_digest(signature, expected):
                raise Invalid("signature")
            return
        try:
            if self.algorithm == "RS256":
                self.public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            elif self.algorithm == "ES256":
                der = encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                )
                self.public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            else:
                self.public.verify(signature, signing_input)
        except Exception as error:
            raise Invalid("signature") from error
