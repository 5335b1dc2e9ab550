"""Claims: what a new token carries and what an incoming one must satisfy.

Rejections run end to end: a hand-signed token through ``AccessToken.decode`` (codec + claims),
so only the claim under test is wrong.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jwtflow import claims
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.errors import TokenError, TokenExpired, TokenTypeInvalid
from jwtflow.runtime import Runtime
from jwtflow.tokens import AccessToken, RefreshToken
from tests.forge import DROP, claims_for, hs_token

from .helpers import SECRET, MakeRuntime

NOW = 1_700_000_000.0


def config(**settings: Any) -> Config:
    return Config.from_mapping({"SIGNING_KEY": SECRET, **settings})


def decode(runtime: Runtime, payload: dict[str, Any] | str, cls: Any = AccessToken) -> Any:
    return cls.decode(runtime, hs_token(payload, SECRET))


def rejected(
    runtime: Runtime, payload: dict[str, Any] | str, message: str, error: type = TokenError
) -> None:
    raw = hs_token(payload, SECRET)
    with pytest.raises(TokenError) as caught:
        AccessToken.decode(runtime, raw)
    assert type(caught.value) is error
    assert caught.value.message == message
    assert raw not in str(caught.value)


# -- minting ---------------------------------------------------------------------------------


def test_mint_sets_type_times_and_a_fresh_jti() -> None:
    payload = claims.mint("access", timedelta(minutes=5), NOW + 0.9, config(), {"user_id": 7})
    assert payload["token_type"] == "access"
    assert payload["iat"] == int(NOW)
    assert payload["exp"] == int(NOW) + 300
    assert payload["user_id"] == 7
    assert len(payload["jti"]) == 32
    assert int(payload["jti"], 16) >= 0
    assert "iss" not in payload
    assert "aud" not in payload
    again = claims.mint("access", timedelta(minutes=5), NOW, config(), {"user_id": 7})
    assert again["jti"] != payload["jti"]


def test_new_jtis_are_random_uuid4_in_hex() -> None:
    jtis = {claims.new_jti() for _ in range(200)}
    assert len(jtis) == 200
    for jti in jtis:
        parsed = uuid.UUID(hex=jti)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, jti)


def test_mint_does_not_mutate_the_given_claims() -> None:
    given = {"user_id": 7}
    claims.mint("refresh", timedelta(days=1), NOW, config(), given)
    assert given == {"user_id": 7}


def test_mint_overrides_registered_claims_in_the_given_claims() -> None:
    given = {"user_id": 7, "exp": 1, "jti": "mine", "token_type": "refresh"}
    payload = claims.mint("access", timedelta(seconds=60), NOW, config(), given)
    assert (payload["exp"], payload["token_type"]) == (int(NOW) + 60, "access")
    assert payload["jti"] != "mine"


@pytest.mark.parametrize(
    ("audience", "expected"),
    [("api", "api"), (["api"], "api"), (["api", "admin"], ["api", "admin"])],
)
def test_mint_adds_issuer_and_audience_when_configured(audience: Any, expected: Any) -> None:
    settings = config(ISSUER="https://issuer.example", AUDIENCE=audience)
    payload = claims.mint("access", timedelta(minutes=5), NOW, settings, {"user_id": 1})
    assert payload["iss"] == "https://issuer.example"
    assert payload["aud"] == expected


def test_minted_payload_passes_the_check() -> None:
    settings = config(ISSUER="https://issuer.example", AUDIENCE=["api", "admin"])
    payload = claims.mint("refresh", timedelta(days=1), NOW, settings, {"user_id": "u-1"})
    claims.check(payload, "refresh", NOW, settings)
    claims.check(payload, None, NOW, settings)


# -- times -----------------------------------------------------------------------------------


def test_valid_token_is_accepted(runtime: Runtime) -> None:
    now = runtime.clock.now()
    token = decode(runtime, claims_for(now, nbf=int(now)))
    assert token.payload["user_id"] == 1


@pytest.mark.parametrize(("leeway", "offset"), [(0, 0), (0, -5), (10, -10), (10, -11)])
def test_expired_at_and_after_exp_plus_leeway(
    make_runtime: MakeRuntime, leeway: int, offset: int
) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    payload = claims_for(now, exp=int(now) + offset, iat=int(now) - 100)
    rejected(runtime, payload, "Token has expired.", TokenExpired)


@pytest.mark.parametrize(("leeway", "offset"), [(0, 1), (10, -9), (10, 1), (300, -299)])
def test_not_expired_before_exp_plus_leeway(
    make_runtime: MakeRuntime, leeway: int, offset: int
) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    decode(runtime, claims_for(now, exp=int(now) + offset, iat=int(now) - 400))


def test_expiry_follows_the_clock(runtime: Runtime, clock: FrozenClock) -> None:
    raw = hs_token(claims_for(clock.now(), exp=int(clock.now()) + 60), SECRET)
    clock.advance(59)
    AccessToken.decode(runtime, raw)
    clock.advance(1)
    with pytest.raises(TokenExpired):
        AccessToken.decode(runtime, raw)


@pytest.mark.parametrize(("leeway", "offset"), [(0, 1), (0, 3600), (10, 11)])
def test_iat_in_the_future_beyond_leeway_is_rejected(
    make_runtime: MakeRuntime, leeway: int, offset: int
) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    rejected(runtime, claims_for(now, iat=int(now) + offset), "Token was issued in the future.")


@pytest.mark.parametrize(("leeway", "offset"), [(0, 0), (10, 10), (10, 5)])
def test_iat_in_the_future_within_leeway_is_accepted(
    make_runtime: MakeRuntime, leeway: int, offset: int
) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    decode(runtime, claims_for(now, iat=int(now) + offset))


@pytest.mark.parametrize(("leeway", "offset"), [(0, 1), (0, 60), (5, 6)])
def test_nbf_in_the_future_is_rejected(make_runtime: MakeRuntime, leeway: int, offset: int) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    rejected(runtime, claims_for(now, nbf=int(now) + offset), "Token is not valid yet.")


@pytest.mark.parametrize(("leeway", "offset"), [(0, 0), (0, -60), (5, 5)])
def test_nbf_now_or_past_is_accepted(make_runtime: MakeRuntime, leeway: int, offset: int) -> None:
    runtime = make_runtime(LEEWAY=leeway)
    now = runtime.clock.now()
    decode(runtime, claims_for(now, nbf=int(now) + offset))


def test_times_may_be_fractional(runtime: Runtime) -> None:
    now = runtime.clock.now()
    decode(runtime, claims_for(now, iat=now - 0.5, exp=now + 0.5, nbf=now - 0.25))


NOT_NUMERIC_DATES = ["1700000000", "soon", True, False, None, [1], {"t": 1}, -1, -0.5]


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", NOT_NUMERIC_DATES)
def test_times_must_be_numeric_dates(runtime: Runtime, name: str, value: Any) -> None:
    rejected(
        runtime,
        claims_for(runtime.clock.now(), **{name: value}),
        f"Token claim {name!r} is not a valid NumericDate.",
    )


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "literal", ["253402300800", "1e308", "-1e308", "99999999999999999999", "9" * 400]
)
def test_times_past_year_9999_or_infinite_are_rejected(
    runtime: Runtime, name: str, literal: str
) -> None:
    # Written as JSON text, as json.dumps would not (1e400 is the codec's to refuse). An
    # integer too large for a float is refused like any other (it was an OverflowError).
    payload = claims_for(runtime.clock.now(), **{name: 0})
    text = hs_payload_text(payload, name, literal)
    rejected(runtime, text, f"Token claim {name!r} is not a valid NumericDate.")


def hs_payload_text(payload: dict[str, Any], name: str, literal: str) -> str:
    return json.dumps(payload, separators=(",", ":")).replace(f'"{name}":0', f'"{name}":{literal}')


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_times_are_rejected(name: str, value: float) -> None:
    payload = claims_for(NOW, **{name: value})
    with pytest.raises(TokenError, match=f"{name!r} is not a valid NumericDate"):
        claims.check(payload, "access", NOW, config())


def test_exp_of_year_9999_is_accepted(runtime: Runtime) -> None:
    now = runtime.clock.now()
    decode(runtime, claims_for(now, exp=claims.MAX_NUMERIC_DATE))


def test_iat_of_zero_is_accepted(runtime: Runtime) -> None:
    decode(runtime, claims_for(runtime.clock.now(), iat=0, nbf=0))


@pytest.mark.parametrize("name", ["exp", "iat"])
def test_missing_time_claims_are_rejected(runtime: Runtime, name: str) -> None:
    rejected(
        runtime, claims_for(runtime.clock.now(), **{name: DROP}), f"Token has no {name!r} claim."
    )


# -- identity --------------------------------------------------------------------------------


@pytest.mark.parametrize("jti", [DROP, "", 5, None, ["a"], "x" * (claims.MAX_JTI_LENGTH + 1)])
def test_jti_must_be_a_short_non_empty_string(runtime: Runtime, jti: Any) -> None:
    payload = claims_for(runtime.clock.now(), jti=jti)
    rejected(runtime, payload, "Token has no valid 'jti' claim.")


def test_jti_of_the_maximum_length_is_accepted(runtime: Runtime) -> None:
    decode(runtime, claims_for(runtime.clock.now(), jti="x" * claims.MAX_JTI_LENGTH))


@pytest.mark.parametrize("token_type", [DROP, "", "id", "ACCESS", None, 1])
def test_token_type_must_be_a_jwtflow_type(runtime: Runtime, token_type: Any) -> None:
    payload = claims_for(runtime.clock.now(), token_type=token_type)
    rejected(runtime, payload, "Token has no valid 'token_type' claim.")


def test_wrong_token_type_is_token_type_invalid(runtime: Runtime) -> None:
    payload = claims_for(runtime.clock.now(), token_type="refresh")
    rejected(runtime, payload, "Token has the wrong type.", TokenTypeInvalid)
    assert decode(runtime, payload, RefreshToken).token_type == "refresh"


@pytest.mark.parametrize("token_type", ["access", "refresh"])
def test_no_expected_type_accepts_either(token_type: str) -> None:
    claims.check(claims_for(NOW, token_type=token_type), None, NOW, config())


@pytest.mark.parametrize("user_id", [DROP, None, True, 1.5, [1], {"id": 1}])
def test_user_claim_must_be_a_string_or_an_integer(runtime: Runtime, user_id: Any) -> None:
    payload = claims_for(runtime.clock.now(), user_id=user_id)
    rejected(runtime, payload, "Token has no valid user claim.")


@pytest.mark.parametrize("user_id", [0, 42, "42", "7c9e6679-7425-40de-944b-e07fc1f90ae7"])
def test_user_claim_may_be_a_string_or_an_integer(runtime: Runtime, user_id: Any) -> None:
    assert decode(runtime, claims_for(runtime.clock.now(), user_id=user_id)).payload["user_id"] == (
        user_id
    )


def test_user_claim_follows_the_setting(make_runtime: MakeRuntime) -> None:
    runtime = make_runtime(USER_ID_CLAIM="uid")
    now = runtime.clock.now()
    rejected(runtime, claims_for(now), "Token has no valid user claim.")
    decode(runtime, claims_for(now, user_id=DROP, uid=3))


# -- issuer and audience ---------------------------------------------------------------------

ISSUER = "https://issuer.example"


@pytest.mark.parametrize("iss", [DROP, "https://other.example", "https://issuer.example/"])
def test_wrong_or_missing_issuer_is_rejected(make_runtime: MakeRuntime, iss: Any) -> None:
    runtime = make_runtime(ISSUER=ISSUER)
    payload = claims_for(runtime.clock.now(), iss=iss)
    rejected(runtime, payload, "Token issuer is not accepted.")


def test_configured_issuer_is_accepted(make_runtime: MakeRuntime) -> None:
    runtime = make_runtime(ISSUER=ISSUER)
    decode(runtime, claims_for(runtime.clock.now(), iss=ISSUER))


@pytest.mark.parametrize("iss", [DROP, "https://anyone.example"])
def test_issuer_is_not_checked_when_not_configured(runtime: Runtime, iss: Any) -> None:
    decode(runtime, claims_for(runtime.clock.now(), iss=iss))


@pytest.mark.parametrize(
    ("configured", "aud"),
    [
        ("api", "api"),
        ("api", ["api"]),
        ("api", ["other", "api"]),
        (["api", "admin"], "admin"),
        (["api", "admin"], ["admin", "other"]),
    ],
)
def test_audience_accepted_when_one_matches(
    make_runtime: MakeRuntime, configured: Any, aud: Any
) -> None:
    runtime = make_runtime(AUDIENCE=configured)
    decode(runtime, claims_for(runtime.clock.now(), aud=aud))


@pytest.mark.parametrize("aud", [DROP, "other", ["other"], [], "API"])
def test_audience_rejected_when_none_matches(make_runtime: MakeRuntime, aud: Any) -> None:
    runtime = make_runtime(AUDIENCE="api")
    rejected(runtime, claims_for(runtime.clock.now(), aud=aud), "Token audience is not accepted.")


@pytest.mark.parametrize("aud", ["api", ["api"], []])
def test_token_with_audience_is_rejected_when_none_is_configured(
    runtime: Runtime, aud: Any
) -> None:
    # RFC 7519 section 4.1.3: a token addressed to someone is refused by everyone else.
    rejected(runtime, claims_for(runtime.clock.now(), aud=aud), "Token audience is not accepted.")


WRONG_JSON_TYPES = [None, 5, 1.5, True, ["x"], {"x": 1}]


@pytest.mark.parametrize("configured", [None, ISSUER])
@pytest.mark.parametrize("name", claims.STRING_CLAIMS)
@pytest.mark.parametrize("value", WRONG_JSON_TYPES)
def test_string_claims_of_another_json_type_are_rejected(
    make_runtime: MakeRuntime, configured: Any, name: str, value: Any
) -> None:
    runtime = make_runtime(ISSUER=configured)
    payload = claims_for(runtime.clock.now(), **{name: value})
    rejected(runtime, payload, f"Token claim {name!r} must be a string.")


@pytest.mark.parametrize("configured", [None, "api"])
@pytest.mark.parametrize(
    "aud", [None, 5, True, {"api": 1}, [5], ["api", 5], ["api", None], [["api"]], ["api", {}]]
)
def test_audience_must_be_a_string_or_an_array_of_strings(
    make_runtime: MakeRuntime, configured: Any, aud: Any
) -> None:
    runtime = make_runtime(AUDIENCE=configured)
    rejected(
        runtime,
        claims_for(runtime.clock.now(), aud=aud),
        "Token claim 'aud' must be a string or an array of strings.",
    )


@pytest.mark.parametrize("value", [["access"], {"access": 1}, [], {}, None, 1, True, "ACCESS"])
def test_token_type_of_another_json_type_is_rejected(runtime: Runtime, value: Any) -> None:
    payload = claims_for(runtime.clock.now(), token_type=value)
    rejected(runtime, payload, "Token has no valid 'token_type' claim.")


@pytest.mark.parametrize(
    "value",
    [None, True, False, 1.0, 1.5, [1], {"id": 1}, "", "x" * 256, 2**63, -(2**63), 10**30],
)
def test_user_claim_must_be_a_short_string_or_a_64_bit_integer(
    runtime: Runtime, value: Any
) -> None:
    payload = claims_for(runtime.clock.now(), user_id=value)
    rejected(runtime, payload, "Token has no valid user claim.")


@pytest.mark.parametrize("value", ["x" * 255, 2**63 - 1, -(2**63 - 1), 0, "é"])
def test_user_claim_at_the_bounds_is_accepted(runtime: Runtime, value: Any) -> None:
    assert (
        decode(runtime, claims_for(runtime.clock.now(), user_id=value)).payload["user_id"] == value
    )


def test_checks_run_times_first(runtime: Runtime) -> None:
    now = runtime.clock.now()
    payload = claims_for(now, exp=int(now) - 1, jti=DROP, token_type="refresh", aud="x")
    rejected(runtime, payload, "Token has expired.", TokenExpired)


# -- user and revocation claims ---------------------------------------------------------------


def test_user_claims_follow_the_claim_names() -> None:
    settings = config(USER_ID_CLAIM="uid", CHECK_REVOKE_TOKEN=True, REVOKE_TOKEN_CLAIM="pwd")
    made = claims.user_claims(settings, b"secret", 1, "hash")
    assert made == {"uid": 1, "pwd": claims.revoke_claim(b"secret", "hash")}
    assert claims.user_claims(config(), b"secret", "u-1", "hash") == {"user_id": "u-1"}


def test_carried_claims_keep_only_user_claims_present() -> None:
    payload = {"user_id": 1, "hash_password": "h", "jti": "j", "scope": "x"}
    assert claims.carried_claims(config(), payload) == {"user_id": 1, "hash_password": "h"}
    assert claims.carried_claims(config(), {"user_id": 1}) == {"user_id": 1}


def test_revoke_claim_is_a_keyed_hash_of_the_password_hash() -> None:
    claim = claims.revoke_claim(b"secret", "pbkdf2_sha256$1$salt$hash")
    assert claim == claims.revoke_claim(b"secret", "pbkdf2_sha256$1$salt$hash")
    assert claim != claims.revoke_claim(b"secret", "pbkdf2_sha256$1$salt$other")
    assert len(claim) == 43
    assert "=" not in claim
    assert len(base64.urlsafe_b64decode(claim + "=")) == 32
    assert "pbkdf2" not in claim
    assert claims.revoke_claim(b"other secret", "pbkdf2_sha256$1$salt$hash") != claim


@pytest.mark.parametrize(
    ("presented", "expected"),
    [
        (claims.revoke_claim(b"secret", "hash"), True),
        (claims.revoke_claim(b"secret", "other"), False),
        (claims.revoke_claim(b"other", "hash"), False),
        ("", False),
        ("\u00e9" * 43, False),
        ("\ud800", False),
        (["x"], False),
        ({"x": 1}, False),
        (None, False),
        (5, False),
        (True, False),
    ],
)
def test_revoke_claim_matches_only_the_claim_minted_for_the_hash(
    presented: Any, expected: bool
) -> None:
    payload = {"hash_password": presented}
    assert claims.revoke_claim_matches(payload, config(), b"secret", "hash") is expected
    assert claims.revoke_claim_matches({}, config(), b"secret", "hash") is False


@pytest.mark.parametrize("leeway", [0, 30])
def test_blacklisted_until_is_exp_plus_leeway(leeway: int) -> None:
    until = claims.blacklisted_until(int(NOW), leeway)
    assert until == datetime.fromtimestamp(int(NOW) + leeway, tz=UTC)
    assert until.tzinfo is UTC


def test_blacklisted_until_never_passes_year_9999() -> None:
    until = claims.blacklisted_until(claims.MAX_NUMERIC_DATE, 300)
    assert until == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


# -- text a database column cannot hold ------------------------------------------------------


@pytest.mark.parametrize("jti", ["\x00", "a\x00b", "x" * 10 + "\x00"])
def test_jti_with_a_nul_character_is_rejected(runtime: Runtime, jti: str) -> None:
    # PostgreSQL text cannot hold NUL: the blacklist lookup failed as a database error, so a
    # bad refresh token answered 503 store_unavailable at refresh, verify and blacklist.
    rejected(runtime, claims_for(runtime.clock.now(), jti=jti), "Token has no valid 'jti' claim.")


@pytest.mark.parametrize("user_id", ["\x00", "alice\x00"])
def test_user_id_with_a_nul_character_is_rejected(runtime: Runtime, user_id: str) -> None:
    payload = claims_for(runtime.clock.now(), user_id=user_id)
    rejected(runtime, payload, "Token has no valid user claim.")
    assert claims.is_user_id(user_id) is False


@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("literal", ["1e400", "-1e400"])
def test_infinite_times_are_refused_by_the_codec(runtime: Runtime, name: str, literal: str) -> None:
    # 1e400 parses to infinity: the codec refuses it in any member, so no claim sees it.
    payload = claims_for(runtime.clock.now(), **{name: 0})
    text = hs_payload_text(payload, name, literal)
    rejected(runtime, text, "Token payload is not valid base64url-encoded JSON.")


@pytest.mark.parametrize("auth_time", [None, "1700000000", [1], {}, True, -1])
def test_auth_time_of_a_sessionless_token_must_be_a_numeric_date(
    runtime: Runtime, auth_time: Any
) -> None:
    # Found by the property tests: a sessionless refresh token with "auth_time": null passed
    # verify and made RefreshToken.access_token raise TypeError while minting.
    payload = claims_for(runtime.clock.now(), token_type="refresh", auth_time=auth_time)
    with pytest.raises(TokenError) as caught:
        RefreshToken.decode(runtime, hs_token(payload, SECRET))
    assert caught.value.message == "Token claim 'auth_time' is not a valid NumericDate."


def test_auth_time_of_a_sessionless_token_may_not_follow_iat(runtime: Runtime) -> None:
    now = runtime.clock.now()
    payload = claims_for(now, token_type="refresh", auth_time=int(now) + 1)
    with pytest.raises(TokenError, match="'auth_time' is later than 'iat'"):
        RefreshToken.decode(runtime, hs_token(payload, SECRET))
    carried = claims_for(now, token_type="refresh", auth_time=int(now) - 60)
    refresh = RefreshToken.decode(runtime, hs_token(carried, SECRET))
    assert refresh.access_token.payload["auth_time"] == int(now) - 60
