"""The user cache's start-up checks and its behaviour when the cache server is down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.request import Request

from jwtflow import AccessToken, JWTAuthentication
from jwtflow.django.checks import check_settings
from jwtflow.django.usercache import forget_users
from jwtflow.django.users import DjangoUserStore
from jwtflow.runtime import current
from jwtflow.usercache import CachedAccounts, CachedUserStore
from tests.servers import free_port

JWTSettings = Callable[..., None]
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"
REDIS = "django.core.cache.backends.redis.RedisCache"


def with_cache(settings: Any, jwt_settings: JWTSettings, **cache: Any) -> None:
    """A cache alias ``users`` described by ``cache``, named by USER_CACHE_ALIAS."""
    settings.CACHES = {**settings.CACHES, "users": cache}
    jwt_settings(USER_CACHE_SECONDS=30, USER_CACHE_ALIAS="users")


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_off_by_default_the_user_store_is_plain() -> None:
    runtime = current()
    assert type(runtime.ports.users) is DjangoUserStore
    assert type(runtime.ports.accounts) is not CachedAccounts


def test_on_the_runtime_wraps_the_user_store(settings: Any, jwt_settings: JWTSettings) -> None:
    with_cache(settings, jwt_settings, BACKEND=REDIS, LOCATION="redis://127.0.0.1:1")
    runtime = current()
    assert isinstance(runtime.ports.users, CachedUserStore)
    assert runtime.ports.users.seconds == 30
    assert isinstance(runtime.ports.accounts, CachedAccounts)
    assert check_settings() == []


def test_a_missing_alias_is_e006(jwt_settings: JWTSettings) -> None:
    jwt_settings(USER_CACHE_SECONDS=30, USER_CACHE_ALIAS="nowhere")
    messages = check_settings()
    assert ids(messages) == ["jwtflow.E006"]
    assert "USER_CACHE_ALIAS" in messages[0].msg
    assert "'nowhere'" in messages[0].msg


@pytest.mark.parametrize(
    ("cache", "words"),
    [
        ({"BACKEND": DUMMY}, "DummyCache"),
        (
            {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": {"IGNORE_EXCEPTIONS": True}},
            "ignores exceptions",
        ),
    ],
)
def test_a_cache_that_keeps_nothing_or_hides_errors_is_e006(
    settings: Any, jwt_settings: JWTSettings, cache: dict[str, Any], words: str
) -> None:
    with_cache(settings, jwt_settings, **cache)
    messages = check_settings()
    assert ids(messages) == ["jwtflow.E006"]
    assert words in messages[0].msg
    assert "USER_CACHE_SECONDS" in str(messages[0].hint)


def test_a_per_process_cache_is_w002(settings: Any, jwt_settings: JWTSettings) -> None:
    with_cache(settings, jwt_settings, BACKEND=LOCMEM)
    messages = check_settings()
    assert ids(messages) == ["jwtflow.W002"]
    assert not messages[0].is_serious()


def test_without_the_user_cache_its_alias_is_not_checked(jwt_settings: JWTSettings) -> None:
    jwt_settings(USER_CACHE_ALIAS="nowhere")
    assert check_settings() == []


@pytest.mark.django_db(transaction=True)  # the async path queries from another thread
def test_a_cache_server_that_is_down_falls_back_to_the_database(
    settings: Any, jwt_settings: JWTSettings, user: User, call: Any, caplog: Any
) -> None:
    with_cache(settings, jwt_settings, BACKEND=REDIS, LOCATION=f"redis://127.0.0.1:{free_port()}")
    jwt_settings(USER_CACHE_SECONDS=30, USER_CACHE_ALIAS="users", ACCESS_TOKEN_REVOCATION=False)
    token = str(AccessToken.for_user(user))
    request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}"))
    found = call(JWTAuthentication(), "authenticate", request)
    assert found is not None
    assert found[0].pk == user.pk
    assert "user cache read failed" in caplog.text


@pytest.mark.django_db
def test_a_change_that_cannot_be_forgotten_fails_loudly(
    settings: Any, jwt_settings: JWTSettings, user: User
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    with_cache(settings, jwt_settings, BACKEND=REDIS, LOCATION=f"redis://127.0.0.1:{free_port()}")
    with pytest.raises(RedisConnectionError):
        forget_users(user.pk)
    user.is_active = False
    with pytest.raises(RedisConnectionError):
        user.save()


def test_forget_users_without_the_cache_does_nothing(settings: Any) -> None:
    before = dict(caches["default"]._cache)  # type: ignore[attr-defined]
    forget_users(1, "2")
    assert dict(caches["default"]._cache) == before  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_bad_setting_does_not_break_saving_users(jwt_settings: JWTSettings) -> None:
    user = User.objects.create_user("alice", password="pw")
    jwt_settings(ALGORITHM="none")  # the runtime cannot be built; the checks report it
    user.first_name = "Alice"
    user.save()
    user.delete()
    assert not User.objects.filter(username="alice").exists()


@pytest.mark.django_db
def test_a_save_that_keeps_the_id_forgets_only_that_id(
    settings: Any, jwt_settings: JWTSettings
) -> None:
    with_cache(settings, jwt_settings, BACKEND=LOCMEM, LOCATION="keeps-the-id")
    jwt_settings(USER_CACHE_SECONDS=30, USER_CACHE_ALIAS="users", USER_ID_FIELD="username")
    user = User.objects.create_user("alice", password="pw")
    store = current().ports.users
    assert isinstance(store, CachedUserStore)
    caches["users"].clear()
    user.first_name = "Alice"
    user.save()
    forgotten = caches["users"]._cache  # type: ignore[attr-defined]
    assert [key.endswith(str(store.key("alice"))) for key in forgotten] == [True]
