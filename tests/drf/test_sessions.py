"""Sessions over HTTP (WSGI and ASGI): logout, reuse, logout-all and the session list.

The default store here is the model store (SQLite or PostgreSQL by ``JWTFLOW_TEST_DB``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from jwtflow import AccessToken
from tests.forge import PASSWORD, Http, Response, assert_rejected

pytestmark = pytest.mark.django_db(transaction=True)
Settings = Callable[..., None]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko/20100101 " * 30


def login(http: Http, user_agent: str = BROWSER, username: str = "alice") -> dict[str, str]:
    response = http(
        "POST",
        "/auth/token/",
        {"username": username, "password": PASSWORD},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def refresh(http: Http, token: str) -> Response:
    return http("POST", "/auth/token/refresh/", {"refresh": token})


def me(http: Http, access: str) -> Response:
    return http("GET", "/api/me/", token=access)


def test_logout_refuses_the_access_token_at_once(http: Http, user: User) -> None:
    pair = login(http)
    assert me(http, pair["access"]).status_code == 200
    assert http("POST", "/auth/token/blacklist/", {"refresh": pair["refresh"]}).status_code == 204
    assert_rejected(me(http, pair["access"]), "token_blacklisted")
    assert_rejected(refresh(http, pair["refresh"]), "token_blacklisted")
    assert_rejected(
        http("POST", "/auth/token/verify/", {"token": pair["access"]}), "token_blacklisted"
    )


def test_reuse_is_token_reused_and_ends_the_whole_session(http: Http, user: User) -> None:
    stolen = login(http)
    rotated = refresh(http, stolen["refresh"]).json()
    assert_rejected(refresh(http, stolen["refresh"]), "token_reused")
    assert_rejected(refresh(http, rotated["refresh"]), "token_blacklisted")
    for access in (stolen["access"], rotated["access"]):
        assert_rejected(me(http, access), "token_blacklisted")


def test_the_session_list_shows_live_sessions_newest_first_and_marks_the_current_one(
    http: Http, user: User
) -> None:
    first = login(http, "curl/8.5")
    second = login(http)
    ended = login(http, "ended/1.0")
    http("POST", "/auth/token/blacklist/", {"refresh": ended["refresh"]})

    response = http("GET", "/auth/sessions/", token=first["access"])

    assert response.status_code == 200
    listed = response.json()
    sids = [AccessToken.verify(pair["access"]).payload["sid"] for pair in (second, first)]
    assert [item["sid"] for item in listed] == sids
    assert [item["current"] for item in listed] == [False, True]
    assert listed[0]["user_agent"] == BROWSER[:256]
    assert listed[1]["user_agent"] == "curl/8.5"
    for item in listed:
        assert set(item) == {"sid", "created", "last_refreshed", "expires", "user_agent", "current"}
        created, expires = (datetime.fromisoformat(item[key]) for key in ("created", "expires"))
        assert created.tzinfo is not None
        assert item["created"].endswith("Z")
        assert expires > created


def test_a_user_ends_one_of_their_sessions_and_gets_404_for_anything_else(
    http: Http, user: User
) -> None:
    User.objects.create_user("bob", password=PASSWORD)
    mine, other, bobs = login(http), login(http), login(http, username="bob")
    sid = AccessToken.verify(other["access"]).payload["sid"]
    bob_sid = AccessToken.verify(bobs["access"]).payload["sid"]

    assert http("DELETE", f"/auth/sessions/{bob_sid}/", token=mine["access"]).status_code == 404
    assert http("DELETE", f"/auth/sessions/{sid}/", token=mine["access"]).status_code == 204
    assert http("DELETE", f"/auth/sessions/{sid}/", token=mine["access"]).status_code == 404
    for garbage in ("x" * 300, "short", "a%00" + "b" * 22, "%F0%9F%94%91" * 6):
        assert http("DELETE", f"/auth/sessions/{garbage}/", token=mine["access"]).status_code == 404
    assert_rejected(me(http, other["access"]), "token_blacklisted")
    assert me(http, mine["access"]).status_code == 200
    assert me(http, bobs["access"]).status_code == 200


def test_logout_all_ends_every_session_and_earlier_token_but_not_later_ones(
    http: Http, user: User
) -> None:
    first, second = login(http), login(http)
    sessionless = str(AccessToken.for_user(user))

    assert http("POST", "/auth/logout-all/", token=first["access"]).status_code == 204

    for pair in (first, second):
        assert_rejected(me(http, pair["access"]), "token_blacklisted")
        assert_rejected(refresh(http, pair["refresh"]), "token_blacklisted")
    assert_rejected(me(http, sessionless), "token_blacklisted")
    after = login(http)
    assert me(http, after["access"]).status_code == 200
    assert refresh(http, after["refresh"]).status_code == 200
    listed = http("GET", "/auth/sessions/", token=after["access"]).json()
    assert len(listed) == 1


def test_the_session_endpoints_need_an_access_token(http: Http, user: User) -> None:
    for method, path in (
        ("POST", "/auth/logout-all/"),
        ("GET", "/auth/sessions/"),
        ("DELETE", "/auth/sessions/" + "a" * 24 + "/"),
    ):
        assert http(method, path).status_code == 401
        assert_rejected(http(method, path, token="not.a.token"), "token_invalid")


def test_without_a_store_the_session_endpoints_are_501(
    http: Http, user: User, jwt_settings: Settings
) -> None:
    jwt_settings(BLACKLIST_ENABLED=False)
    access = login(http)["access"]
    for method, path in (("POST", "/auth/logout-all/"), ("GET", "/auth/sessions/")):
        response = http(method, path, token=access)
        assert response.status_code == 501
        assert response.json()["code"] == "blacklist_disabled"


def test_without_access_token_revocation_an_access_token_outlives_logout(
    http: Http, user: User, jwt_settings: Settings
) -> None:
    jwt_settings(ACCESS_TOKEN_REVOCATION=False)
    pair = login(http)
    http("POST", "/auth/token/blacklist/", {"refresh": pair["refresh"]})
    assert me(http, pair["access"]).status_code == 200
    assert_rejected(refresh(http, pair["refresh"]), "token_blacklisted")


def test_a_down_store_is_503_on_the_session_endpoints(
    http: Http, user: User, settings: Any, jwt_settings: Settings
) -> None:
    access = login(http)["access"]
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }
    jwt_settings(
        BLACKLIST_BACKEND="jwtflow.django.stores.CacheBlacklistBackend",
        BLACKLIST_CACHE_ALIAS="down",
        ACCESS_TOKEN_REVOCATION=False,  # authentication passes; the endpoint's own call fails
    )
    for method, path in (("POST", "/auth/logout-all/"), ("GET", "/auth/sessions/")):
        response = http(method, path, token=access)
        assert response.status_code == 503
        assert response.json()["code"] == "store_unavailable"


def test_an_authenticated_request_is_one_query_with_the_model_store(
    user: User, django_assert_num_queries: Any
) -> None:
    client = Client()
    pair = client.post(
        "/auth/token/", {"username": "alice", "password": PASSWORD}, content_type="application/json"
    ).json()
    with django_assert_num_queries(1):
        response = client.get(
            "/api/me-sync/", headers={"Authorization": f"Bearer {pair['access']}"}
        )
    assert response.status_code == 200


def test_the_session_endpoints_work_under_atomic_requests(
    http: Http, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django refuses ATOMIC_REQUESTS around async views; the session endpoints opt out of it.
    monkeypatch.setitem(connections.settings["default"], "ATOMIC_REQUESTS", True)
    pair = login(http)
    sid = AccessToken.verify(pair["access"]).payload["sid"]
    assert http("GET", "/auth/sessions/", token=pair["access"]).status_code == 200
    assert http("POST", "/auth/logout-all/", token=pair["access"]).status_code == 204
    again = login(http)
    assert http("DELETE", f"/auth/sessions/{sid}/", token=again["access"]).status_code == 404
