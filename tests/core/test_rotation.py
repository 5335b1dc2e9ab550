"""Zero-downtime key rotation, walked step by step as docs/keys.md documents it.

At every step: tokens minted before it keep working (on the issuer and on a verifier that knows
only the published public keys), new tokens use the step's signing key, and once the old key is
retired its tokens are refused as ``token_invalid``, not merely expired. The revocation claim
(``CHECK_REVOKE_TOKEN``) survives the rotation because it is keyed by ``REVOKE_TOKEN_SECRET``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from jwtflow import flows
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.runtime import Ports, Runtime
from jwtflow.tokens import TokenPair
from tests.pem import KeyPair

from .helpers import LONG_SECRET, SECRET, Drive

ALICE = {"username": "alice", "password": "alice-password"}
HOUR = 3600
COMMON = {
    "ACCESS_TOKEN_LIFETIME": 2 * HOUR,
    "REFRESH_TOKEN_LIFETIME": 24 * HOUR,
    "CHECK_REVOKE_TOKEN": True,
    "REVOKE_TOKEN_SECRET": "revoke-" + "r" * 32,
}
Step = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def steps(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Step, str]]:
    """(name, (SIGNING_KEYS, VERIFYING_KEYS), kid that signs) for each documented step."""
    return [
        ("1. start", ([old], []), old["kid"]),
        ("2. add the new key, verify-only", ([old], [new]), old["kid"]),
        ("3. promote the new key", ([new], [old]), new["kid"]),
        ("4. retire the old key", ([new], []), new["kid"]),
    ]


def kid_of(raw: str) -> str:
    kid: str = json.loads(base64.urlsafe_b64decode(raw.split(".")[0] + "=="))["kid"]
    return kid


class Deployment:
    """An issuer and a verifier that only knows the issuer's published keys."""

    def __init__(self, ports: Ports, clock: FrozenClock, asymmetric: bool) -> None:
        self.ports, self.clock, self.asymmetric = ports, clock, asymmetric

    def deploy(self, signing: list[dict[str, Any]], verifying: list[dict[str, Any]]) -> None:
        settings = {**COMMON, "SIGNING_KEYS": signing}
        if verifying:
            settings["VERIFYING_KEYS"] = verifying
        self.issuer = self.build(settings)
        if self.asymmetric:
            # The verifier reads the JWKS the issuer publishes, never a private key.
            published = [
                {"alg": jwk["alg"], "key": jwk} for jwk in self.issuer.keys.public_jwks()["keys"]
            ]
            self.verifier = self.build({**COMMON, "VERIFYING_KEYS": published})
        else:
            self.verifier = self.build({**COMMON, "VERIFYING_KEYS": signing + verifying})

    def build(self, settings: dict[str, Any]) -> Runtime:
        return Runtime.build(Config.from_mapping(settings), self.ports, clock=self.clock)


@pytest.fixture(params=["hmac", "asymmetric"])
def rotation(
    request: pytest.FixtureRequest, ports: Ports, clock: FrozenClock, pem: Callable[[str], KeyPair]
) -> tuple[Deployment, dict[str, Any], dict[str, Any]]:
    old: dict[str, Any]
    new: dict[str, Any]
    if request.param == "hmac":
        old = {"alg": "HS256", "key": SECRET, "kid": "2026-01"}
        new = {"alg": "HS512", "key": LONG_SECRET, "kid": "2026-02"}
    else:
        old = {"alg": "RS256", "key": pem("rsa").private, "kid": "2026-01"}
        new = {"alg": "EdDSA", "key": pem("ed25519").private, "kid": "2026-02"}
    return Deployment(ports, clock, request.param == "asymmetric"), old, new


def test_rotation_walks_every_step_without_logging_anyone_out(
    rotation: tuple[Deployment, dict[str, Any], dict[str, Any]], drive: Drive, clock: FrozenClock
) -> None:
    deployment, old, new = rotation
    minted: list[TokenPair] = []
    for _name, (signing, verifying), signer in steps(old, new):
        deployment.deploy(signing, verifying)
        for pair in minted:
            if kid_of(str(pair.access)) == old["kid"] and signer == new["kid"] and not verifying:
                continue  # retired: checked below
            for runtime in (deployment.issuer, deployment.verifier):
                user, _ = drive(flows.authenticate(runtime, str(pair.access)), runtime.ports)
                assert user.username == "alice"
        pair = drive(flows.obtain(deployment.issuer, None, ALICE), deployment.ports)
        assert kid_of(str(pair.access)) == kid_of(str(pair.refresh)) == signer
        minted.append(pair)
        clock.advance(10 * 60)

    old_pairs = [pair for pair in minted if kid_of(str(pair.access)) == old["kid"]]
    assert len(old_pairs) == 2
    for pair in old_pairs:
        for runtime in (deployment.issuer, deployment.verifier):
            with pytest.raises(TokenError) as caught:
                drive(flows.authenticate(runtime, str(pair.access)), runtime.ports)
            assert caught.value.code == "token_invalid"
            assert caught.value.message == "Token key id is not known."


def test_a_refresh_token_of_the_old_key_refreshes_into_the_new_key(
    rotation: tuple[Deployment, dict[str, Any], dict[str, Any]], drive: Drive
) -> None:
    deployment, old, new = rotation
    deployment.deploy([old], [])
    pair = drive(flows.obtain(deployment.issuer, None, ALICE), deployment.ports)
    deployment.deploy([new], [old])
    refreshed = drive(flows.refresh(deployment.issuer, str(pair.refresh)), deployment.ports)
    assert kid_of(str(refreshed.access)) == new["kid"]
    deployment.deploy([new], [])
    user, _ = drive(
        flows.authenticate(deployment.verifier, str(refreshed.access)), deployment.ports
    )
    assert user.username == "alice"
