"""The token endpoints over HTTP, through WSGI (sync client) and ASGI (async client)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.db.models import QuerySet
from django.db.utils import OperationalError
from django.test import AsyncClient, Client

from jwtflow import AccessToken, RefreshToken
from jwtflow.django.models import BlacklistedToken
from jwtflow.runtime import current
from tests import forge
from tests.forge import PASSWORD, Http, Response, assert_rejected
from tests.pem import key_pair

pytestmark = pytest.mark.django_db(transaction=True)
Settings = Callable[..., None]


def obtain(http: Http, username: str = "alice", password: str = PASSWORD) -> Response:
    return http("POST", "/auth/token/", {"username": username, "password": password})


class AllowMagicBackend:
    """A custom authentication backend: any user may sign in with the password 'magic'."""

    def authenticate(self, request: Any, username: str = "", password: str = "") -> User | None:
        return User.objects.filter(username=username).first() if password == "magic" else None

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id).first()


def refuse_everyone(user: Any) -> bool:
    return False


# --- obtain ---------------------------------------------------------------------------------


def test_obtain_returns_a_working_pair(http: Http, user: User) -> None:
    response = obtain(http)
    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert AccessToken.verify(pair["access"]).payload["user_id"] == user.pk
    assert RefreshToken.verify(pair["refresh"]).token_type == "refresh"
    assert http("GET", "/api/me/", token=pair["access"]).status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong"), ("nobody", PASSWORD)], ids=["password", "user"]
)
def test_obtain_bad_credentials(http: Http, user: User, username: str, password: str) -> None:
    response = obtain(http, username, password)
    assert_rejected(response, "no_active_account", described=False)


def test_obtain_inactive_user(http: Http, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_rejected(obtain(http), "no_active_account", described=False)


def test_obtain_honours_custom_backends(http: Http, user: User, settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.AllowMagicBackend"]
    assert obtain(http, "alice", "magic").status_code == 200
    assert_rejected(obtain(http), "no_active_account", described=False)


def test_obtain_rule_refusal(http: Http, user: User, jwt_settings: Settings) -> None:
    jwt_settings(USER_AUTHENTICATION_RULE=f"{__name__}.refuse_everyone")
    assert_rejected(obtain(http), "no_active_account", described=False)


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "alice"}, {"password": PASSWORD}, {"username": ["a"], "password": "x"}],
    ids=["empty", "no-password", "no-username", "list-username"],
)
def test_obtain_bad_body_is_400(http: Http, user: User, body: dict[str, Any]) -> None:
    response = http("POST", "/auth/token/", body)
    assert response.status_code == 400
    assert set(response.json()) <= {"username", "password"}


def test_endpoints_refuse_get(http: Http) -> None:
    assert http("GET", "/auth/token/").status_code == 405


def test_endpoints_work_under_atomic_requests(
    http: Http, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django refuses ATOMIC_REQUESTS around async views; the endpoints opt out of it.
    monkeypatch.setitem(connections.settings["default"], "ATOMIC_REQUESTS", True)
    pair = obtain(http).json()
    assert http("POST", "/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code == 200


# --- refresh ---------------------------------------------------------------------------------


def test_refresh_rotates(http: Http, user: User) -> None:
    old = obtain(http).json()["refresh"]
    response = http("POST", "/auth/token/refresh/", {"refresh": old})
    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert pair["refresh"] != old
    assert http("GET", "/api/me/", token=pair["access"]).status_code == 200
    assert http("POST", "/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code == 200
    # The spent token again is reuse (tests/drf/test_sessions.py: what that ends).
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": old}), "token_reused")


def test_refresh_without_rotation(http: Http, user: User, jwt_settings: Settings) -> None:
    jwt_settings(ROTATE_REFRESH_TOKENS=False)
    refresh = obtain(http).json()["refresh"]
    for _ in range(2):
        response = http("POST", "/auth/token/refresh/", {"refresh": refresh})
        assert response.status_code == 200
        assert set(response.json()) == {"access"}
    RefreshToken.verify(refresh).blacklist()
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": refresh}), "token_blacklisted")


def test_refresh_with_blacklist_disabled(http: Http, user: User, jwt_settings: Settings) -> None:
    jwt_settings(BLACKLIST_ENABLED=False)
    refresh = obtain(http).json()["refresh"]
    assert http("POST", "/auth/token/refresh/", {"refresh": refresh}).status_code == 200
    assert BlacklistedToken.objects.count() == 0


def test_refresh_rejects_access_token(http: Http, user: User) -> None:
    access = obtain(http).json()["access"]
    response = http("POST", "/auth/token/refresh/", {"refresh": access})
    assert_rejected(response, "token_type_invalid")


@pytest.mark.parametrize("body", [{}, {"refresh": {"a": 1}}, {"token": "x"}])
def test_refresh_bad_body_is_400(http: Http, body: dict[str, Any]) -> None:
    response = http("POST", "/auth/token/refresh/", body)
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_refresh_garbage_is_401(http: Http) -> None:
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": "garbage"}), "token_invalid")


def test_refresh_rechecks_the_user(http: Http, user: User, jwt_settings: Settings) -> None:
    def fresh() -> str:
        return str(RefreshToken.for_user(user))

    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": fresh()}), "user_inactive")
    User.objects.filter(pk=user.pk).update(is_active=True)
    jwt_settings(USER_AUTHENTICATION_RULE=refuse_everyone)
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": fresh()}), "no_active_account")
    jwt_settings()
    token = fresh()
    user.delete()
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": token}), "user_not_found")


def test_refresh_after_password_change(http: Http, user: User, jwt_settings: Settings) -> None:
    jwt_settings(CHECK_REVOKE_TOKEN=True)
    refresh = obtain(http).json()["refresh"]
    user.set_password("changed")
    user.save()
    assert_rejected(http("POST", "/auth/token/refresh/", {"refresh": refresh}), "password_changed")


def test_refreshed_access_has_the_same_claims(
    http: Http, user: User, jwt_settings: Settings
) -> None:
    jwt_settings(CHECK_REVOKE_TOKEN=True, ISSUER="https://issuer.example", AUDIENCE="api")
    direct = AccessToken.for_user(user).payload
    refresh = obtain(http).json()["refresh"]
    refreshed = http("POST", "/auth/token/refresh/", {"refresh": refresh}).json()["access"]
    payload = AccessToken.verify(refreshed).payload
    assert set(payload) == set(direct) | {"sid", "auth_time"}  # AccessToken.for_user: sessionless
    for claim in ("user_id", "hash_password", "iss", "aud", "token_type"):
        assert payload[claim] == direct[claim]


# --- concurrent refresh: exactly one winner ----------------------------------------------------


def _race_threads(refresh: str, racers: int) -> list[Response]:
    barrier = threading.Barrier(racers)
    results: list[Response] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/auth/token/refresh/", {"refresh": refresh}, content_type="application/json"
            )
            with lock:
                results.append(response)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


async def _race_tasks(refresh: str, racers: int) -> list[Response]:
    return list(
        await asyncio.gather(
            *(
                AsyncClient().post(
                    "/auth/token/refresh/", {"refresh": refresh}, content_type="application/json"
                )
                for _ in range(racers)
            )
        )
    )


@pytest.fixture(params=["model", "redis-cache"])
def store(request: pytest.FixtureRequest, jwt_settings: Settings) -> str:
    """Run with the model store (the test database) and with the cache store on Redis."""
    if request.param == "redis-cache":
        request.getfixturevalue("redis_url")
        jwt_settings(
            BLACKLIST_BACKEND="jwtflow.django.stores.CacheBlacklistBackend",
            BLACKLIST_CACHE_ALIAS="redis",
        )
    return str(request.param)


def test_parallel_refreshes_have_one_winner(mode: str, store: str, user: User) -> None:
    refresh = str(RefreshToken.for_user(user))
    if mode == "sync":
        responses = _race_threads(refresh, 8)
    else:
        responses = asyncio.run(_race_tasks(refresh, 8))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * 7
    for response in responses:
        if response.status_code == 401:
            # A loser presents a spent generation (reuse), or finds the session already ended.
            assert response.json()["code"] in {"token_reused", "token_blacklisted"}


# --- verify ----------------------------------------------------------------------------------


def test_verify(http: Http, user: User) -> None:
    pair = obtain(http).json()
    for token in pair.values():
        response = http("POST", "/auth/token/verify/", {"token": token})
        assert response.status_code == 200
        assert response.json() == {}
    assert_rejected(http("POST", "/auth/token/verify/", {"token": "a.b.c"}), "token_invalid")
    assert http("POST", "/auth/token/verify/", {}).status_code == 400


def test_verify_blacklisted_refresh(http: Http, user: User) -> None:
    refresh = obtain(http).json()["refresh"]
    assert http("POST", "/auth/token/blacklist/", {"refresh": refresh}).status_code == 204
    response = http("POST", "/auth/token/verify/", {"token": refresh})
    assert_rejected(response, "token_blacklisted")


# --- blacklist -------------------------------------------------------------------------------


def test_blacklist(http: Http, user: User) -> None:
    pair = obtain(http).json()
    response = http("POST", "/auth/token/blacklist/", {"refresh": pair["refresh"]})
    assert response.status_code == 204
    assert response.content == b""
    again = http("POST", "/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert_rejected(again, "token_blacklisted")
    twice = http("POST", "/auth/token/blacklist/", {"refresh": pair["refresh"]})
    assert_rejected(twice, "token_blacklisted")


def test_a_sessionless_tokens_blacklist_entry_outlives_leeway(
    http: Http, user: User, jwt_settings: Settings
) -> None:
    jwt_settings(LEEWAY=30)
    refresh = RefreshToken.mint(current(), {"user_id": user.pk})  # as jwtflow 0.1 issued them
    http("POST", "/auth/token/blacklist/", {"refresh": str(refresh)})
    row = BlacklistedToken.objects.get(jti=refresh.jti)
    assert row.expires_at.timestamp() == refresh.exp + 30


def test_blacklist_rejects_access_token(http: Http, user: User) -> None:
    access = obtain(http).json()["access"]
    response = http("POST", "/auth/token/blacklist/", {"refresh": access})
    assert_rejected(response, "token_type_invalid")


def test_blacklist_disabled_is_501(http: Http, user: User, jwt_settings: Settings) -> None:
    jwt_settings(BLACKLIST_ENABLED=False)
    refresh = str(RefreshToken.for_user(user))
    response = http("POST", "/auth/token/blacklist/", {"refresh": refresh})
    assert response.status_code == 501
    assert response.json()["code"] == "blacklist_disabled"


# --- a broken store fails closed --------------------------------------------------------------


def test_unreachable_cache_store_is_503(
    http: Http, user: User, settings: Any, jwt_settings: Settings
) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }
    refresh = str(RefreshToken.for_user(user))  # a session in the model store, before the switch
    jwt_settings(
        BLACKLIST_BACKEND="jwtflow.django.stores.CacheBlacklistBackend",
        BLACKLIST_CACHE_ALIAS="down",
    )
    for path, body in (
        ("/auth/token/refresh/", {"refresh": refresh}),
        ("/auth/token/verify/", {"token": refresh}),
        ("/auth/token/blacklist/", {"refresh": refresh}),
    ):
        response = http("POST", path, body)
        assert response.status_code == 503, path
        assert response.json()["code"] == "store_unavailable"
        assert "WWW-Authenticate" not in response.headers


# --- user models with non-integer primary keys --------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field"),
    [("testapp.UUIDUser", "id"), ("testapp.SlugUser", "username"), ("testapp.SlugUser", "pk")],
)
def test_non_integer_primary_keys_work_end_to_end(
    http: Http, settings: Any, jwt_settings: Settings, model: str, field: str
) -> None:
    from django.contrib.auth import get_user_model

    from jwtflow.django.checks import check_settings

    settings.AUTH_USER_MODEL = model
    jwt_settings(USER_ID_FIELD=field)
    assert check_settings() == []
    user_model = get_user_model()
    created = user_model.objects.create(username="carol")
    created.set_password(PASSWORD)
    created.save()
    pair = obtain(http, "carol").json()
    assert AccessToken.verify(pair["access"]).payload["user_id"] == str(created.pk)
    response = http("GET", "/api/me/", token=pair["access"])
    assert response.status_code == 200
    assert response.json() == {"id": str(created.pk), "username": "carol"}
    refreshed = http("POST", "/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert refreshed.status_code == 200


# --- hostile tokens, bodies and outages (issue 5) -----------------------------------------------

TOKEN_FIELDS = {"refresh": "refresh", "verify": "token", "blacklist": "refresh"}


def forged_refresh(user: User, **overrides: Any) -> str:
    """A refresh token for ``user`` signed with the test key, with ``overrides`` in its claims."""
    claims = forge.claims_for(time.time(), **{"token_type": "refresh", "user_id": user.pk})
    return forge.hs_token({**claims, **overrides}, settings.TEST_SIGNING_KEY)


def post_token(http: Http, endpoint: str, raw: str) -> Response:
    return http("POST", f"/auth/token/{endpoint}/", {TOKEN_FIELDS[endpoint]: raw})


@pytest.mark.parametrize("endpoint", sorted(TOKEN_FIELDS))
@pytest.mark.parametrize("token_type", [["refresh"], {"refresh": 1}], ids=["list", "object"])
def test_token_type_of_another_json_type_is_401(
    http: Http, user: User, endpoint: str, token_type: Any
) -> None:
    # Guards 1d843d2: an unhashable token_type was a TypeError in the type check (500).
    raw = forged_refresh(user, token_type=token_type)
    assert_rejected(post_token(http, endpoint, raw), "token_invalid")


@pytest.mark.parametrize("endpoint", sorted(TOKEN_FIELDS))
@pytest.mark.parametrize("jti", ["a\udfffb", "a\x00b"], ids=["lone-surrogate", "nul"])
def test_jti_no_store_can_hold_is_401_on_every_store(
    http: Http, user: User, store: str, endpoint: str, jti: str
) -> None:
    # Guards 1d843d2 (lone surrogates: a 500 from the model store, a 503 from the cache store)
    # and the NUL check (a 503 from PostgreSQL, which cannot store NUL in text).
    assert_rejected(post_token(http, endpoint, forged_refresh(user, jti=jti)), "token_invalid")
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize("endpoint", sorted(TOKEN_FIELDS))
def test_revoke_claim_with_a_lone_surrogate_is_401(
    http: Http, user: User, store: str, jwt_settings: Settings, endpoint: str
) -> None:
    # Guards 1d843d2: UnicodeEncodeError in the revoke-claim comparison (500 at refresh).
    jwt_settings(CHECK_REVOKE_TOKEN=True)
    raw = forged_refresh(user, hash_password="x\udbff")
    assert_rejected(post_token(http, endpoint, raw), "token_invalid")


def post_raw(mode: str, path: str, body: bytes, content_type: str = "application/json") -> Response:
    """POST ``body`` as it is (the ``http`` fixture would encode it as JSON)."""
    if mode == "sync":
        response: Response = Client().generic("POST", path, body, content_type)
        return response

    async def send() -> Response:
        sent: Response = await AsyncClient().generic("POST", path, body, content_type)
        return sent

    return asyncio.run(send())


#: Deeper than any Python's JSON parser goes (3.11 gives up near 1,000 levels, 3.13 near 10,000).
DEEP = 100_000


ENDPOINT_PATHS = ["/auth/token/", *(f"/auth/token/{name}/" for name in sorted(TOKEN_FIELDS))]


@pytest.mark.parametrize("path", ENDPOINT_PATHS)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"refresh": "x", "token": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    ],
    ids=["array", "in-a-field"],
)
def test_deeply_nested_body_is_400_on_every_endpoint(mode: str, path: str, body: bytes) -> None:
    # Guards 5963004: DRF's JSON parser maps only ValueError; RecursionError was a 500.
    response = post_raw(mode, path, body)
    assert response.status_code == 400, response.content
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"refresh": 1e400}', "application/json", 401),
        (b'{"refresh": NaN}', "application/json", 400),
        (b'{"refresh": "\\ud800"}', "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (b"refresh=abc", "application/x-www-form-urlencoded", 401),
        (b"--x\r\n", "multipart/form-data; boundary=x", 400),
        (b'{"refresh": "abc"}', "text/plain", 415),
    ],
    ids=["overflow", "nan", "surrogate", "not-utf8", "form", "bad-multipart", "text"],
)
def test_malformed_bodies_are_4xx(mode: str, body: bytes, content_type: str, status: int) -> None:
    response = post_raw(mode, "/auth/token/refresh/", body, content_type)
    assert response.status_code == status, response.content


@pytest.mark.parametrize("path", ENDPOINT_PATHS)
@pytest.mark.parametrize("charset", ["zlib", "bz2", "rot13", "base64", "no-such-charset"])
def test_a_charset_that_is_not_a_text_encoding_is_400(mode: str, path: str, charset: str) -> None:
    # DRF before 3.18 hands the charset to codecs: zlib.error and friends were a 500.
    response = post_raw(mode, path, b'{"refresh": "x"}', f"application/json; charset={charset}")
    assert response.status_code == 400, response.content
    assert charset in response.json()["detail"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "latin-1"])
def test_a_text_charset_is_parsed(mode: str, charset: str) -> None:
    response = post_raw(
        mode, "/auth/token/verify/", b'{"token": "x"}', f"application/json; charset={charset}"
    )
    assert_rejected(response, "token_invalid")


def test_obtain_with_the_user_database_down_is_503(
    http: Http, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards 5963004: check_credentials mapped no database error, so token/ answered 500.
    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(QuerySet, "get", unreachable)
    response = obtain(http)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The user database is unavailable; try again later.",
        "code": "store_unavailable",
    }
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("algorithm", ["HS256", "RS256"])
def test_a_verify_only_service_verifies_and_refuses_to_issue(
    http: Http, user: User, settings: Any, algorithm: str
) -> None:
    if algorithm == "HS256":
        signing, verifying = settings.TEST_SIGNING_KEY, settings.TEST_SIGNING_KEY
    else:
        pair = key_pair("rsa")
        signing, verifying = pair.private, pair.public
    settings.JWTFLOW = {"ALGORITHM": algorithm, "SIGNING_KEY": signing}
    access, refresh = str(AccessToken.for_user(user)), str(RefreshToken.for_user(user))
    settings.JWTFLOW = {"ALGORITHM": algorithm, "VERIFYING_KEY": verifying}

    assert http("POST", "/auth/token/verify/", {"token": access}).status_code == 200
    assert http("POST", "/auth/token/verify/", {"token": refresh}).status_code == 200
    assert http("GET", "/api/me/", token=access).status_code == 200
    for response in (obtain(http), http("POST", "/auth/token/refresh/", {"refresh": refresh})):
        assert response.status_code == 501
        assert response.json() == {
            "detail": "This server only verifies tokens; it does not issue them.",
            "code": "issuing_disabled",
        }
    assert not BlacklistedToken.objects.exists()  # the refused refresh spent nothing
