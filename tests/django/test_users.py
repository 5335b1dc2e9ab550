"""``jwtflow.django.users.DjangoUserStore``: lookups by id field, credentials, user attributes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import django
import pytest
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.http import HttpRequest
from django.test import RequestFactory

from jwtflow.django.users import DjangoUserStore
from jwtflow.errors import StoreUnavailable
from tests.forge import PASSWORD
from tests.testapp.models import SlugUser, UUIDUser

Call = Callable[..., Any]
transactional = pytest.mark.django_db(transaction=True)


class RequestHeaderBackend:
    """Authenticates ``username`` only when the request carries ``X-Let-In: yes``."""

    def authenticate(self, request: HttpRequest | None, username: str = "", **kwargs: Any) -> Any:
        if request is None or request.headers.get("X-Let-In") != "yes":
            return None
        return User.objects.filter(username=username).first()

    def get_user(self, user_id: int) -> Any:
        return User.objects.filter(pk=user_id).first()


class TestGet:
    @transactional
    @pytest.mark.parametrize("field", ["id", "pk"])
    def test_finds_the_user_by_integer_primary_key(
        self, call: Call, user: User, field: str
    ) -> None:
        store = DjangoUserStore(field)

        assert call(store, "get", user.pk) == user

    @transactional
    def test_finds_the_user_by_another_field(self, call: Call, user: User) -> None:
        assert call(DjangoUserStore("username"), "get", "alice") == user

    @transactional
    def test_ids_the_orm_would_coerce_name_nobody(self, call: Call, user: User) -> None:
        store = DjangoUserStore("id")
        for coerced in (str(user.pk), float(user.pk), user.pk == 1):
            assert call(store, "get", coerced) is None, coerced

    @transactional
    def test_unknown_id_is_none(self, call: Call, user: User) -> None:
        assert call(DjangoUserStore("id"), "get", user.pk + 1000) is None

    @transactional
    @pytest.mark.parametrize(
        "user_id",
        ["abc", "", 2**70, -(2**70), {"id": 1}, [1], None],
        ids=["letters", "empty", "huge", "huge-negative", "dict", "list", "none"],
    )
    def test_id_that_does_not_fit_an_integer_key_is_none(
        self, call: Call, user: User, user_id: object
    ) -> None:
        assert call(DjangoUserStore("id"), "get", user_id) is None

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("field", "user_id"),
        [("id", 2**70), ("id", "abc"), ("username", "al\x00ice")],
        ids=["huge", "letters", "nul-byte"],
    )
    def test_ill_fitting_id_leaves_a_surrounding_transaction_usable(
        self, user: User, field: str, user_id: object
    ) -> None:
        # Under ATOMIC_REQUESTS a failed query would abort the request's transaction (PostgreSQL).
        assert DjangoUserStore(field).get(user_id) is None

        assert User.objects.get(pk=user.pk) == user

    @transactional
    def test_uuid_primary_key(self, call: Call, settings: Any) -> None:
        settings.AUTH_USER_MODEL = "testapp.UUIDUser"
        uuid_user = UUIDUser.objects.create(username="uuid-alice")
        store = DjangoUserStore("id")

        assert call(store, "get", str(uuid_user.id)) == uuid_user
        # Only the canonical form jwtflow mints names the user; the ORM would coerce the hex form.
        assert call(store, "get", uuid_user.id.hex) is None
        assert call(store, "get", str(uuid.uuid4())) is None

    @transactional
    @pytest.mark.parametrize("user_id", ["not-a-uuid", "", {"id": 1}, 1.5])
    def test_id_that_does_not_fit_a_uuid_key_is_none(
        self, call: Call, settings: Any, user_id: object
    ) -> None:
        settings.AUTH_USER_MODEL = "testapp.UUIDUser"
        UUIDUser.objects.create(username="uuid-alice")

        assert call(DjangoUserStore("id"), "get", user_id) is None

    @transactional
    def test_string_primary_key(self, call: Call, settings: Any) -> None:
        settings.AUTH_USER_MODEL = "testapp.SlugUser"
        slug_user = SlugUser.objects.create(username="slug-alice")

        for field in ("pk", "username"):
            store = DjangoUserStore(field)
            assert call(store, "get", "slug-alice") == slug_user
            assert call(store, "get", "slug-bob") is None
            assert store.user_id(slug_user) == "slug-alice"

    @pytest.mark.django_db
    @pytest.mark.parametrize("error", [OperationalError, InterfaceError])
    def test_unreachable_database_is_store_unavailable(
        self, call: Call, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
    ) -> None:
        def fail(*args: Any, **kwargs: Any) -> None:
            raise error("connection refused")

        # Below both the hand-assembled query and the ORM's.
        monkeypatch.setattr(CursorWrapper, "execute", fail)
        monkeypatch.setattr(CursorDebugWrapper, "execute", fail)

        with pytest.raises(StoreUnavailable) as caught:
            call(DjangoUserStore("id"), "get", 1)
        assert caught.value.code == "store_unavailable"
        assert caught.value.status_code == 503


class TestUserId:
    def test_integer_key_stays_an_integer(self) -> None:
        value = DjangoUserStore("id").user_id(User(id=7))

        assert value == 7
        assert type(value) is int

    def test_uuid_key_becomes_a_string(self, settings: Any) -> None:
        settings.AUTH_USER_MODEL = "testapp.UUIDUser"
        uuid_user = UUIDUser(username="uuid-alice")

        assert DjangoUserStore("id").user_id(uuid_user) == str(uuid_user.id)

    def test_string_key_stays_a_string(self) -> None:
        assert DjangoUserStore("username").user_id(User(username="alice")) == "alice"

    def test_boolean_is_not_taken_for_an_integer(self) -> None:
        class Flagged:
            flag = True

        assert DjangoUserStore("flag").user_id(Flagged()) == "True"


class TestAttributes:
    def test_is_active_follows_the_user(self) -> None:
        store = DjangoUserStore("id")

        assert store.is_active(User(is_active=True)) is True
        assert store.is_active(User(is_active=False)) is False
        assert store.is_active(object()) is True

    def test_password_hash_changes_with_the_password(self) -> None:
        store = DjangoUserStore("id")
        alice = User(username="alice")
        alice.set_password("first")
        first = store.password_hash(alice)
        alice.set_password("second")

        assert first.startswith("md5$")
        assert store.password_hash(alice) == alice.password
        assert store.password_hash(alice) != first
        assert store.password_hash(object()) == ""


class TestCheckCredentials:
    @transactional
    def test_right_password_gives_the_user(self, call: Call, user: User) -> None:
        credentials = {"username": "alice", "password": PASSWORD}

        assert call(DjangoUserStore("id"), "check_credentials", None, credentials) == user

    @transactional
    @pytest.mark.parametrize(
        "credentials",
        [
            {"username": "alice", "password": "wrong"},
            {"username": "bob", "password": PASSWORD},
            {"username": "alice", "password": ""},
        ],
        ids=["wrong-password", "unknown-user", "empty-password"],
    )
    def test_wrong_credentials_give_none(
        self, call: Call, user: User, credentials: dict[str, str]
    ) -> None:
        assert call(DjangoUserStore("id"), "check_credentials", None, credentials) is None

    @transactional
    def test_inactive_user_gives_none(self, call: Call, user: User) -> None:
        User.objects.filter(pk=user.pk).update(is_active=False)
        credentials = {"username": "alice", "password": PASSWORD}

        assert call(DjangoUserStore("id"), "check_credentials", None, credentials) is None

    @transactional
    def test_backends_see_the_http_request(self, call: Call, user: User, settings: Any) -> None:
        settings.AUTHENTICATION_BACKENDS = [f"{__name__}.RequestHeaderBackend"]
        store = DjangoUserStore("id")
        credentials = {"username": "alice"}
        let_in = RequestFactory().post("/auth/token/", headers={"X-Let-In": "yes"})

        assert call(store, "check_credentials", let_in, credentials) == user
        assert call(store, "check_credentials", RequestFactory().post("/"), credentials) is None
        # Anything that is not an HttpRequest reaches the backends as None.
        assert call(store, "check_credentials", object(), credentials) is None

    @transactional
    def test_django_4_falls_back_to_the_sync_backends(
        self, user: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import asyncio

        monkeypatch.setattr(django, "VERSION", (4, 2, 0, "final", 0))
        store = DjangoUserStore("id")

        right = {"username": "alice", "password": PASSWORD}
        wrong = {"username": "alice", "password": "wrong"}
        assert asyncio.run(store.acheck_credentials(None, right)) == user
        assert asyncio.run(store.acheck_credentials(None, wrong)) is None


class TestCheckCredentialsOutage:
    @pytest.mark.parametrize("error", [OperationalError, InterfaceError])
    def test_unreachable_database_is_store_unavailable(
        self, call: Call, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
    ) -> None:
        # Guards 5963004: check_credentials mapped no error, so POST token/ answered 500.
        def fail(*args: Any, **lookup: Any) -> None:
            raise error("connection refused")

        # Below the backends: ModelBackend.authenticate and .aauthenticate both end here.
        monkeypatch.setattr(QuerySet, "get", fail)
        credentials = {"username": "alice", "password": PASSWORD}

        with pytest.raises(StoreUnavailable) as caught:
            call(DjangoUserStore("id"), "check_credentials", None, credentials)
        assert caught.value.code == "store_unavailable"
        assert caught.value.message == "The user database is unavailable; try again later."
