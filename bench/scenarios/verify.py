"""Verify an access token: signature and claims, no database, one row per algorithm."""

from __future__ import annotations

from bench.libs.base import Adapter
from bench.scenarios import Scenario, Setup
from bench.timing import Job, expect

ALGORITHMS = {"hs256": "HS256", "rs256": "RS256", "es256": "ES256", "eddsa": "EdDSA"}


def _verify(adapter: Adapter, setup: Setup) -> Job:
    raw = setup.access

    def check(claims: object) -> None:
        expect(str(claims["user_id"]) == str(setup.user.pk), f"claims {claims!r}")  # type: ignore[index]

    return Job(call=lambda: adapter.verify(raw), check=check)


SCENARIOS = [
    Scenario(f"verify.{profile}", f"verify access token, {alg}", profile, _verify)
    for profile, alg in ALGORITHMS.items()
]
