"""JWTAuthentication over HTTP, through the sync APIView (WSGI) and the AsyncAPIView (ASGI)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from jwtflow import AccessToken, JWTAuthentication, RefreshToken
from tests.forge import DROP, Http, assert_rejected, b64, hs_token
from tests.forge import claims_for as claims_at
from tests.pem import key_pair

pytestmark = pytest.mark.django_db(transaction=True)


def claims_for(user: User, **overrides: Any) -> dict[str, Any]:
    """A valid access-token payload for ``user`` now; ``name=DROP`` removes a claim."""
    return claims_at(time.time(), **{"user_id": user.pk, **overrides})


def forge(
    payload: dict[str, Any],
    header: dict[str, Any] | None = None,
    secret: bytes | None = None,
    alg: str = "HS256",
) -> str:
    """Sign ``payload`` by hand, with the test settings' key unless ``secret`` is given."""
    key = settings.TEST_SIGNING_KEY.encode() if secret is None else secret
    return hs_token(payload, key, header, alg)


def test_valid_token_authenticates(http: Http, user: User) -> None:
    response = http("GET", "/api/me/", token=str(AccessToken.for_user(user)))
    assert response.status_code == 200
    assert response.json() == {"id": str(user.pk), "username": "alice"}


def test_adrf_view_runs_sync_authenticate_in_a_thread(user: User) -> None:
    response = asyncio.run(_adrf_get(str(AccessToken.for_user(user))))
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


async def _adrf_get(token: str) -> Any:
    from django.test import AsyncClient

    return await AsyncClient().get("/api/me-adrf/", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, {"Authorization": "Token abc"}],
    ids=["no-header", "basic", "other-scheme"],
)
def test_no_bearer_token_is_anonymous(http: Http, headers: dict[str, str]) -> None:
    response = http("GET", "/api/me/", headers=headers)
    # Anonymous: IsAuthenticated refuses with DRF's own 401, still with our challenge.
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "code" not in response.json()


def test_scheme_is_case_insensitive(http: Http, user: User) -> None:
    token = str(AccessToken.for_user(user))
    response = http("GET", "/api/me/", headers={"Authorization": f"bEaReR {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "value",
    ["Bearer", "Bearer ", "Bearer a.b.c extra", "Bearer a.b c", "Bearer \u00e9t\u00e9.a.b"],
    ids=["no-token", "blank-token", "extra-part", "space-in-token", "non-ascii"],
)
def test_malformed_bearer_header(http: Http, value: str) -> None:
    response = http("GET", "/api/me/", headers={"Authorization": value})
    assert_rejected(response, "invalid_authorization_header")


def test_non_utf8_header_bytes_are_rejected(http: Http) -> None:
    # Raw bytes as a server hands them over: latin-1 decoded by Django under WSGI and ASGI.
    raw = b"Bearer \xff\xfe\x80.abc.def".decode("latin-1")
    response = http("GET", "/api/me/", headers={"Authorization": raw})
    assert_rejected(response, "invalid_authorization_header")


def _signed_with_rsa_public_key_as_hmac_secret(user: User, public_pem: bytes) -> str:
    return forge(claims_for(user), secret=public_pem)


def _rejections(user: User) -> dict[str, tuple[str, str]]:
    now = int(time.time())
    good = claims_for(user)
    none_header = {"alg": "none", "typ": "JWT"}
    cases: dict[str, tuple[str, str]] = {
        "oversized": ("x" * 9000, "token_invalid"),
        "two-segments": ("abc.def", "token_invalid"),
        "four-segments": ("a.b.c.d", "token_invalid"),
        "bad-signature": (
            forge(good, secret=b"another-secret-of-thirty-two-bytes!!"),
            "token_invalid",
        ),
        "expired": (forge(claims_for(user, exp=now - 1, iat=now - 301)), "token_expired"),
        "nbf-future": (forge(claims_for(user, nbf=now + 60)), "token_invalid"),
        "iat-future": (forge(claims_for(user, iat=now + 60)), "token_invalid"),
        "exp-string": (forge(claims_for(user, exp=str(now + 300))), "token_invalid"),
        "exp-bool": (forge(claims_for(user, exp=True)), "token_invalid"),
        "exp-past-9999": (forge(claims_for(user, exp=253402300800)), "token_invalid"),
        "iat-string": (forge(claims_for(user, iat=str(now))), "token_invalid"),
        "nbf-bool": (forge(claims_for(user, nbf=False)), "token_invalid"),
        "no-exp": (forge(claims_for(user, exp=DROP)), "token_invalid"),
        "no-iat": (forge(claims_for(user, iat=DROP)), "token_invalid"),
        "no-jti": (forge(claims_for(user, jti=DROP)), "token_invalid"),
        "no-token-type": (forge(claims_for(user, token_type=DROP)), "token_invalid"),
        "no-user": (forge(claims_for(user, user_id=DROP)), "token_invalid"),
        "refresh-type": (forge(claims_for(user, token_type="refresh")), "token_type_invalid"),
        "hs384-header": (
            forge(good, header={"alg": "HS384", "typ": "JWT"}, alg="HS384"),
            "token_invalid",
        ),
        "string-user-id": (forge(claims_for(user, user_id="alice")), "user_not_found"),
        "unknown-user": (forge(claims_for(user, user_id=user.pk + 1000)), "user_not_found"),
    }
    body = b64(json.dumps(good).encode())
    for alg in ("none", "None", "NONE", "nOnE"):
        head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        cases[f"alg-{alg}"] = (f"{head}.{body}.{b64(b'sig')}", "token_invalid")
        cases[f"alg-{alg}-empty-signature"] = (f"{head}.{body}.", "token_invalid")
    cases["alg-none-forged"] = (forge(good, header=none_header), "token_invalid")
    for name in ("jku", "x5u", "jwk", "x5c", "crit"):
        value: Any = ["exp"] if name == "crit" else "https://attacker.example/keys"
        header = {"alg": "HS256", "typ": "JWT", name: value}
        cases[f"header-{name}"] = (forge(good, header=header), "token_invalid")
    return cases


REJECTION_IDS = list(_rejections(User(pk=1)))


@pytest.mark.parametrize("case", REJECTION_IDS)
def test_rejected_token(http: Http, user: User, case: str) -> None:
    token, code = _rejections(user)[case]
    response = http("GET", "/api/me/", token=token)
    assert_rejected(response, code)
    assert token not in response.content.decode()


@pytest.fixture
def rsa_settings(jwt_settings: Callable[..., None]) -> bytes:
    """Switch to RS256 and return the public key PEM."""
    pair = key_pair("rsa")
    jwt_settings(ALGORITHM="RS256", SIGNING_KEY=pair.private.decode())
    return pair.public


def test_rs256_round_trip(http: Http, user: User, rsa_settings: bytes) -> None:
    response = http("GET", "/api/me/", token=str(AccessToken.for_user(user)))
    assert response.status_code == 200


def test_hs256_token_signed_with_the_rsa_public_key_is_refused(
    http: Http, user: User, rsa_settings: bytes
) -> None:
    token = _signed_with_rsa_public_key_as_hmac_secret(user, rsa_settings)
    assert_rejected(http("GET", "/api/me/", token=token), "token_invalid")


@pytest.mark.parametrize(
    ("setting", "claim"),
    [
        ({"ISSUER": "https://issuer.example"}, {"iss": "https://other.example"}),
        ({"ISSUER": "https://issuer.example"}, {}),
        ({"AUDIENCE": "api"}, {"aud": "other"}),
        ({"AUDIENCE": "api"}, {}),
        ({}, {"aud": "api"}),
    ],
    ids=["wrong-iss", "missing-iss", "wrong-aud", "missing-aud", "unexpected-aud"],
)
def test_issuer_and_audience(
    http: Http, user: User, jwt_settings: Callable[..., None], setting: Any, claim: Any
) -> None:
    jwt_settings(**setting)
    token = forge(claims_for(user, **claim))
    assert_rejected(http("GET", "/api/me/", token=token), "token_invalid")


def test_issuer_and_audience_accepted(
    http: Http, user: User, jwt_settings: Callable[..., None]
) -> None:
    jwt_settings(ISSUER="https://issuer.example", AUDIENCE=["api", "admin"])
    assert http("GET", "/api/me/", token=str(AccessToken.for_user(user))).status_code == 200


def test_inactive_user(http: Http, user: User, jwt_settings: Callable[..., None]) -> None:
    token = str(AccessToken.for_user(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_rejected(http("GET", "/api/me/", token=token), "user_inactive")
    jwt_settings(CHECK_USER_IS_ACTIVE=False)
    assert http("GET", "/api/me/", token=token).status_code == 200


def test_deleted_user(http: Http, user: User) -> None:
    token = str(AccessToken.for_user(user))
    user.delete()
    assert_rejected(http("GET", "/api/me/", token=token), "user_not_found")


def test_password_change_revokes(http: Http, user: User, jwt_settings: Callable[..., None]) -> None:
    jwt_settings(CHECK_REVOKE_TOKEN=True)
    token = AccessToken.for_user(user)
    assert token.payload["hash_password"] != user.password
    assert http("GET", "/api/me/", token=str(token)).status_code == 200
    user.set_password("a new password")
    user.save()
    assert_rejected(http("GET", "/api/me/", token=str(token)), "password_changed")


def test_token_without_revoke_claim_is_refused_when_checking(
    http: Http, user: User, jwt_settings: Callable[..., None]
) -> None:
    token = str(AccessToken.for_user(user))
    jwt_settings(CHECK_REVOKE_TOKEN=True)
    assert_rejected(http("GET", "/api/me/", token=token), "password_changed")


def test_refresh_token_is_not_an_access_token(http: Http, user: User) -> None:
    token = str(RefreshToken.for_user(user))
    assert_rejected(http("GET", "/api/me/", token=token), "token_type_invalid")


def test_custom_header_types(http: Http, user: User, jwt_settings: Callable[..., None]) -> None:
    jwt_settings(AUTH_HEADER_TYPES=("JWT", "Bearer"))
    token = str(AccessToken.for_user(user))
    response = http("GET", "/api/me/", headers={"Authorization": f"JWT {token}"})
    assert response.status_code == 200
    anonymous = http("GET", "/api/me/")
    assert anonymous.headers["WWW-Authenticate"] == 'JWT realm="api"'


def test_authenticate_returns_user_and_token(call: Callable[..., Any], user: User) -> None:
    token = AccessToken.for_user(user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    found, validated = call(JWTAuthentication(), "authenticate", request)
    assert found == user
    assert validated == token
    assert isinstance(validated, AccessToken)


def test_authenticate_without_header_returns_none(call: Callable[..., Any]) -> None:
    request = APIRequestFactory().get("/")
    assert call(JWTAuthentication(), "authenticate", request) is None
    assert JWTAuthentication().authenticate_header(request) == 'Bearer realm="api"'


# --- header values and claims of an unexpected type (issue 5) ----------------------------------


@pytest.mark.parametrize("shape", [bytes, bytearray])
def test_bytes_authorization_header_authenticates(
    call: Callable[..., Any], user: User, shape: type[bytes | bytearray]
) -> None:
    # Guards 1d843d2: DRF's own get_authorization_header takes bytes (test clients and
    # middleware leave them); authenticate and aauthenticate raised TypeError (a 500).
    token = AccessToken.for_user(user)
    value = shape(f"Bearer {token}".encode())
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=value)
    found, validated = call(JWTAuthentication(), "authenticate", request)
    assert found == user
    assert validated == token


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (b"Bearer not-a-token", "token_invalid"),
        (b"Bearer \xff\xfe", "invalid_authorization_header"),
        (b"Bearer a b", "invalid_authorization_header"),
        (b"Bearer", "invalid_authorization_header"),
        (7, "invalid_authorization_header"),
        (["Bearer", "x"], "invalid_authorization_header"),
    ],
)
def test_garbage_authorization_header_of_any_type_is_401(
    call: Callable[..., Any], value: object, code: str
) -> None:
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=value)
    with pytest.raises(AuthenticationFailed) as caught:
        call(JWTAuthentication(), "authenticate", request)
    assert caught.value.status_code == 401
    assert caught.value.get_codes() == {"detail": code, "code": code}


@pytest.mark.parametrize("token_type", [["access"], {}, {"access": 1}])
def test_token_type_of_another_json_type_is_401(http: Http, user: User, token_type: Any) -> None:
    # Guards 1d843d2: TypeError (unhashable type) in the type check, a 500.
    response = http("GET", "/api/me/", token=forge(claims_for(user, token_type=token_type)))
    assert_rejected(response, "token_invalid")


@pytest.mark.parametrize("aud", [["api", 5], ["api", None], [["api"]], {"api": True}])
def test_audience_with_a_member_that_is_not_a_string_is_401(
    http: Http, user: User, jwt_settings: Callable[..., None], aud: Any
) -> None:
    # Guards 1d843d2: RFC 7519 section 4.1.3; ["api", 5] used to be accepted.
    jwt_settings(AUDIENCE="api")
    response = http("GET", "/api/me/", token=forge(claims_for(user, aud=aud)))
    assert_rejected(response, "token_invalid")
    assert response.json()["detail"] == "Token claim 'aud' must be a string or an array of strings."
