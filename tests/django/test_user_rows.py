"""The hand-assembled user query: the same user as the ORM's, and the ORM's query where it must."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User, UserManager
from django.db import connection
from django.db.models import Manager, QuerySet, Value
from django.test.utils import CaptureQueriesContext

from jwtflow.django.model_store import ModelBlacklistBackend
from jwtflow.django.user_rows import UserRowQuery, is_plain
from jwtflow.django.users import DjangoUserStore
from jwtflow.records import TokenCheck
from tests.testapp.models import ChildUser, SlugUser, UUIDUser

pytestmark = pytest.mark.django_db


def values(instance: Any) -> dict[str, Any]:
    """Every concrete field's value, and the instance state the ORM sets."""
    found = {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}
    return {**found, "_db": instance._state.db, "_adding": instance._state.adding}


class ActiveOnly(UserManager[User]):
    """A default manager that hides inactive users."""

    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().filter(is_active=True)


@pytest.fixture
def hiding_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ActiveOnly the user model's default manager."""
    manager = ActiveOnly()
    manager.model = User
    monkeypatch.setattr(User._meta, "default_manager", manager)


@pytest.mark.parametrize("use_tz", [True, False])
def test_the_user_is_the_one_the_orm_loads(settings: Any, use_tz: bool) -> None:
    settings.USE_TZ = use_tz
    user = User.objects.create_user("alice", "alice@example.com", "pw", is_staff=True)
    login = datetime(2026, 5, 1, 12, 30, 15, 123456, UTC)
    User.objects.filter(pk=user.pk).update(
        last_login=login if use_tz else login.replace(tzinfo=None)
    )
    store = DjangoUserStore("id")
    assert store._rows is not None
    fast = store.get(user.pk)
    assert fast is not None
    assert values(fast) == values(User.objects.get(pk=user.pk))
    assert type(fast) is User
    assert fast.last_login is not None
    assert (fast.last_login.tzinfo is not None) is use_tz


def test_other_key_types_load_like_the_orm() -> None:
    uuid_user = UUIDUser.objects.create(username="uuid-alice")
    slug_user = SlugUser.objects.create(username="slug-alice")
    rows = UserRowQuery(UUIDUser, "id")
    found, _ = rows.fetch("default", str(uuid_user.id))
    assert values(found) == values(UUIDUser.objects.get(pk=uuid_user.pk))
    found, _ = UserRowQuery(SlugUser, "pk").fetch("default", "slug-alice")
    assert values(found) == values(slug_user)


def test_the_extra_column_is_read_from_the_same_row() -> None:
    user = User.objects.create_user("alice", password="pw")
    rows = UserRowQuery(User, "username")
    with CaptureQueriesContext(connection) as queries:
        found, value = rows.fetch("default", "alice", ("%s + 1", [41]))
    assert (found.pk if found else None, value) == (user.pk, 42)
    assert len(queries) == 1


@pytest.mark.parametrize("user_id", ["abc", 2**70, "", None, 1.5j])
def test_an_id_that_does_not_fit_finds_nobody(user_id: object) -> None:
    User.objects.create_user("alice", password="pw")
    assert UserRowQuery(User, "id").fetch("default", user_id) == (None, None)


def test_an_id_that_is_not_unique_finds_nobody() -> None:
    User.objects.create_user("alice", "same@example.com", "pw")
    User.objects.create_user("bob", "same@example.com", "pw")
    assert UserRowQuery(User, "email").fetch("default", "same@example.com") == (None, None)
    assert DjangoUserStore("email").get("same@example.com") is None


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: User.objects.filter(is_active=True),
        lambda: Permission.objects.select_related("content_type"),
        lambda: User.objects.defer("email"),
        lambda: User.objects.annotate(n=Value(1)),
        lambda: User.objects.extra(select={"n": "1"}),
        lambda: User.objects.prefetch_related("groups"),
    ],
    ids=["filter", "select_related", "defer", "annotate", "extra", "prefetch"],
)
def test_a_manager_that_changes_the_query_is_not_plain(queryset: Any) -> None:
    class Changed(Manager[User]):
        def get_queryset(self) -> QuerySet[User]:
            return queryset()  # type: ignore[no-any-return]

    manager = Changed()
    manager.model = User
    assert is_plain(User.objects)
    assert is_plain(Permission.objects)
    assert not is_plain(manager)


def test_a_custom_queryset_class_is_not_plain() -> None:
    class Mine(QuerySet[User]):
        pass

    manager = Manager.from_queryset(Mine)()
    manager.model = User
    assert not is_plain(manager)


@pytest.mark.usefixtures("hiding_manager")
def test_a_manager_that_hides_users_keeps_the_orm_query() -> None:
    active = User.objects.create_user("alice", password="pw")
    hidden = User.objects.create_user("bob", password="pw", is_active=False)
    store = DjangoUserStore("id")
    assert store._rows is None
    assert store.get(hidden.pk) is None
    assert store.get(active.pk) == active
    assert store.get("abc") is None
    user, value = store.get_with_column(active.pk, ("%s = %s", [1, 1]))
    assert user == active
    assert bool(value)


@pytest.mark.usefixtures("hiding_manager")
def test_the_model_store_check_rides_on_the_orm_query_too() -> None:
    active = User.objects.create_user("alice", password="pw")
    now = datetime.now(UTC)
    check = TokenCheck(user_key=str(active.pk), sid=None, issued_at=now.timestamp(), now=now)
    with CaptureQueriesContext(connection) as queries:
        user, alive = ModelBlacklistBackend().load_user(DjangoUserStore("id"), active.pk, check)
    assert (user, alive) == (active, True)
    assert len(queries) == 1


def test_users_in_another_database_are_checked_in_two_queries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = User.objects.create_user("alice", password="pw")
    store = DjangoUserStore("id")
    monkeypatch.setattr(store, "write_database", lambda: "users")
    now = datetime.now(UTC)
    check = TokenCheck(user_key=str(user.pk), sid=None, issued_at=now.timestamp(), now=now)
    with CaptureQueriesContext(connection) as queries:
        found, alive = ModelBlacklistBackend().load_user(store, user.pk, check)
    assert (found, alive) == (user, True)
    assert len(queries) == 2


@pytest.mark.django_db(transaction=True)
def test_a_multi_table_child_user_keeps_the_orm_query(settings: Any, call: Any) -> None:
    settings.AUTH_USER_MODEL = "testapp.ChildUser"
    child = ChildUser.objects.create_user("carol", password="pw", nickname="c")
    assert not is_plain(ChildUser._default_manager)
    store = DjangoUserStore("id")
    assert store._rows is None
    found = call(store, "get", child.pk)
    assert found == child
    assert (found.username, found.nickname) == ("carol", "c")
