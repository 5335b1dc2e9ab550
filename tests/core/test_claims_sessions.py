"""The session claims ``sid``, ``auth_time`` and ``gen``: minted, capped, and checked strictly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jwtflow import claims
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken
from tests.forge import DROP, claims_for, hs_token

from .helpers import SECRET

SID = "A" * 24


def config(**settings: Any) -> Config:
    return Config.from_mapping({"SIGNING_KEY": SECRET, **settings})


def session_claims(now: float, kind: str = "access", **overrides: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {"sid": SID, "auth_time": int(now) - 60, "token_type": kind}
    if kind == "refresh":
        extra["gen"] = 3
    return claims_for(now, **{**extra, **overrides})


def decode(runtime: Runtime, payload: dict[str, Any], kind: str = "access") -> Any:
    cls = RefreshToken if kind == "refresh" else AccessToken
    return cls.decode(runtime, hs_token(payload, SECRET))


def test_new_sids_are_random_url_safe_and_valid() -> None:
    sids = {claims.new_sid() for _ in range(100)}
    assert len(sids) == 100
    assert all(claims.SID_PATTERN.fullmatch(sid) and len(sid) == 24 for sid in sids)


@pytest.mark.parametrize("token_type", ["access", "refresh"])
def test_valid_session_claims_pass(runtime: Runtime, token_type: str) -> None:
    payload = session_claims(runtime.clock.now(), token_type)
    assert decode(runtime, payload, token_type).payload["sid"] == SID


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sid": 7}, "Token has no valid 'sid' claim."),
        ({"sid": ["x" * 24]}, "Token has no valid 'sid' claim."),
        ({"sid": "short"}, "Token has no valid 'sid' claim."),
        ({"sid": "x" * 65}, "Token has no valid 'sid' claim."),
        ({"sid": "a" * 23 + "/"}, "Token has no valid 'sid' claim."),
        ({"sid": "a" * 23 + "\x00"}, "Token has no valid 'sid' claim."),
        ({"auth_time": DROP}, "Token has no 'auth_time' claim."),
        ({"auth_time": "yesterday"}, "Token claim 'auth_time' is not a valid NumericDate."),
        ({"auth_time": True}, "Token claim 'auth_time' is not a valid NumericDate."),
        ({"auth_time": 10**13}, "Token claim 'auth_time' is not a valid NumericDate."),
    ],
)
def test_malformed_session_claims_are_token_invalid(
    runtime: Runtime, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(TokenError) as caught:
        decode(runtime, session_claims(runtime.clock.now(), **overrides))
    assert type(caught.value) is TokenError
    assert caught.value.message == message


def test_a_login_after_the_token_was_issued_is_refused(runtime: Runtime) -> None:
    now = runtime.clock.now()
    with pytest.raises(TokenError, match="'auth_time' is later than 'iat'"):
        decode(runtime, session_claims(now, auth_time=int(now) + 1))


@pytest.mark.parametrize("generation", [DROP, -1, 1.0, True, "1", 2**53, None])
def test_a_session_refresh_token_needs_an_integer_generation(
    runtime: Runtime, generation: object
) -> None:
    payload = session_claims(runtime.clock.now(), "refresh", gen=generation)
    with pytest.raises(TokenError, match="no valid 'gen' claim"):
        decode(runtime, payload, "refresh")


def test_mint_caps_exp_at_the_end_of_the_session() -> None:
    now = 1_700_000_000.0
    capped = config(SESSION_MAX_LIFETIME=3600, REFRESH_TOKEN_LIFETIME=86400)
    user = {"user_id": 1, "auth_time": int(now) - 3000}
    payload = claims.mint("refresh", timedelta(days=1), now, capped, user)
    assert payload["exp"] == int(now) + 600
    uncapped = config(SESSION_MAX_LIFETIME=None)
    assert claims.mint("refresh", timedelta(days=1), now, uncapped, user)["exp"] == now + 86400
    sessionless = claims.mint("refresh", timedelta(days=1), now, capped, {"user_id": 1})
    assert sessionless["exp"] == int(now) + 86400


def test_session_expiry_slides_by_the_refresh_lifetime_up_to_the_max_lifetime() -> None:
    settings = config(SESSION_MAX_LIFETIME=timedelta(days=2), REFRESH_TOKEN_LIFETIME=86400)
    assert claims.session_expiry(settings, 1000, 1000.7) == 1000 + 86400
    assert claims.session_expiry(settings, 1000, 1000 + 86400 * 1.5) == 1000 + 2 * 86400


def test_tokens_derived_from_a_session_token_carry_its_session() -> None:
    payload = {"user_id": 1, "sid": SID, "auth_time": 5, "gen": 2, "scope": "x"}
    assert claims.carried_claims(config(), payload) == {"user_id": 1, "sid": SID, "auth_time": 5}
