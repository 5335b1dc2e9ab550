"""The user cache over HTTP (WSGI and ASGI) on the test Redis: what changes a user is seen at once.

A change that sends no model signal (``QuerySet.update()``) is what proves a request was served
from the cache; :func:`forget_users` is how such a change is reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import transaction

from jwtflow import AccessToken
from jwtflow.django.usercache import aforget_users, forget_users
from jwtflow.runtime import current
from jwtflow.usercache import CachedUserStore
from tests.forge import PASSWORD, Http, Response, assert_rejected

pytestmark = pytest.mark.django_db(transaction=True)
JWTSettings = Callable[..., None]
REDIS = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def users_cache(settings: Any, redis_url: str) -> Iterator[str]:
    """A cache alias ``users`` on a Redis database of its own, emptied before and after.

    Not the shared ``redis`` alias: other tests flush that database, which would empty the user
    cache under a test that relies on an entry being there.
    """
    parts = urlsplit(redis_url)
    location = urlunsplit((parts.scheme, parts.netloc, "/7", "", ""))
    settings.CACHES = {**settings.CACHES, "users": {"BACKEND": REDIS, "LOCATION": location}}
    caches["users"].clear()
    yield "users"
    caches["users"].clear()


@pytest.fixture
def cached(jwt_settings: JWTSettings, users_cache: str) -> CachedUserStore:
    """USER_CACHE_SECONDS on the test Redis, with the per-request revocation check on."""
    jwt_settings(USER_CACHE_SECONDS=60, USER_CACHE_ALIAS=users_cache, CHECK_REVOKE_TOKEN=True)
    store = current().ports.users
    assert isinstance(store, CachedUserStore)
    return store


def me(http: Http, access: str) -> Response:
    return http("GET", "/api/me/", token=access)


def login(http: Http) -> dict[str, str]:
    response = http("POST", "/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def deactivate_silently(user: User) -> None:
    """Deactivate without a model signal: only the database knows."""
    User.objects.filter(pk=user.pk).update(is_active=False)


def test_a_cached_user_is_served_without_the_user_row(
    http: Http, user: User, cached: CachedUserStore
) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    deactivate_silently(user)
    assert me(http, access).status_code == 200  # from the cache: update() sends no signal
    forget_users(user.pk)
    assert_rejected(me(http, access), "user_inactive")


def test_aforget_users_forgets(http: Http, user: User, cached: CachedUserStore) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    deactivate_silently(user)
    asyncio.run(aforget_users(user.pk))
    assert_rejected(me(http, access), "user_inactive")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda user: setattr(user, "is_active", False), "user_inactive"),
        (lambda user: user.set_password("a brand new password"), "password_changed"),
    ],
)
def test_a_saved_change_is_seen_by_the_next_request(
    http: Http, user: User, cached: CachedUserStore, change: Any, code: str
) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    change(user)
    user.save()
    assert_rejected(me(http, access), code)


def test_a_deleted_user_is_seen_by_the_next_request(
    http: Http, user: User, cached: CachedUserStore
) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    user.delete()
    assert_rejected(me(http, access), "user_not_found")


@pytest.mark.parametrize(
    "revoke",
    [
        lambda http, pair: http("POST", "/auth/token/blacklist/", {"refresh": pair["refresh"]}),
        lambda http, pair: http("POST", "/auth/logout-all/", token=pair["access"]),
        lambda http, pair: http(
            "DELETE",
            f"/auth/sessions/{AccessToken.verify(pair['access']).payload['sid']}/",
            token=pair["access"],
        ),
    ],
    ids=["logout", "logout-all", "end-session"],
)
def test_revocation_never_rides_on_a_cached_user(
    http: Http, user: User, cached: CachedUserStore, revoke: Any
) -> None:
    pair = login(http)
    assert me(http, pair["access"]).status_code == 200
    assert me(http, pair["access"]).status_code == 200
    assert revoke(http, pair).status_code == 204
    assert_rejected(me(http, pair["access"]), "token_blacklisted")


def test_a_last_login_save_keeps_the_entry(http: Http, user: User, cached: CachedUserStore) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    deactivate_silently(user)
    user.save(update_fields=["last_login"])
    assert me(http, access).status_code == 200
    user.refresh_from_db()
    user.save(update_fields=["last_login", "is_active"])
    assert_rejected(me(http, access), "user_inactive")


def test_a_renamed_user_forgets_the_old_id(
    http: Http, user: User, jwt_settings: JWTSettings, users_cache: str
) -> None:
    jwt_settings(USER_CACHE_SECONDS=60, USER_CACHE_ALIAS=users_cache, USER_ID_FIELD="username")
    old = login(http)["access"]
    assert me(http, old).status_code == 200
    user.username = "alicia"
    user.save()
    assert_rejected(me(http, old), "user_not_found")


def test_the_commit_forgets_again(http: Http, user: User, cached: CachedUserStore) -> None:
    access = login(http)["access"]
    assert me(http, access).status_code == 200
    stale = User.objects.get(pk=user.pk)
    key = cached.key(user.pk)
    assert key is not None
    with transaction.atomic():
        user.is_active = False
        user.save()
        # As if the transaction outlived the tombstone and a request cached the old row.
        caches["users"].set(key, (stale,), 60)
    assert_rejected(me(http, access), "user_inactive")


def test_other_models_and_other_user_models_are_ignored(
    http: Http, user: User, cached: CachedUserStore
) -> None:
    from django.contrib.auth.models import Group

    access = login(http)["access"]
    assert me(http, access).status_code == 200
    deactivate_silently(user)
    Group.objects.create(name="staff").delete()
    assert me(http, access).status_code == 200
