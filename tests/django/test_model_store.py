"""ModelBlacklistBackend's sessions: the scenarios on SQLite and PostgreSQL, one query per check.

Transactional tests: the races and the async path use other threads, hence other connections.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import OperationalError, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.test.signals import update_connections_time_zone
from django.utils import timezone

from jwtflow.django.model_store import ModelBlacklistBackend
from jwtflow.django.models import TokenSession
from jwtflow.django.users import DjangoUserStore
from jwtflow.errors import StoreUnavailable
from jwtflow.memory import MemoryUser, MemoryUserStore
from jwtflow.records import TokenCheck, user_key
from tests.session_cases import ALICE, HOUR, Call, SessionCases, session, start

pytestmark = pytest.mark.django_db(transaction=True)


class TestModelSessions(SessionCases):
    """The scenarios on the model store."""

    @pytest.fixture
    def store(self) -> ModelBlacklistBackend:
        return ModelBlacklistBackend()

    def leave_thread(self) -> None:
        connections.close_all()


def check_for(record: Any, generation: int | None = None) -> TokenCheck:
    return TokenCheck(record.user_key, record.sid, record.created.timestamp(), start(), generation)


@pytest.mark.parametrize("session_token", [True, False], ids=["session", "sessionless"])
def test_load_user_checks_the_token_in_the_user_query(
    django_assert_num_queries: Any, mode: str, session_token: bool
) -> None:
    user = User.objects.create_user("alice", password="pw")
    backend, users = ModelBlacklistBackend(), DjangoUserStore("id")
    record = session(user_key(user.id))
    backend.create_session(record)
    check = (
        check_for(record, None)
        if session_token
        else TokenCheck(record.user_key, None, start().timestamp(), start())
    )

    def load(user_id: object) -> Any:
        if mode == "sync":
            with django_assert_num_queries(1):
                return backend.load_user(users, user_id, check)
        return asyncio.run(backend.aload_user(users, user_id, check))

    loaded, alive = load(user.id)
    assert (loaded, alive) == (user, True)
    assert not hasattr(loaded, "_jwtflow_token_alive")
    if session_token:
        backend.end_session(record.sid, record.user_key, now=start())
    else:
        backend.end_all_sessions(record.user_key, now=start() + HOUR, keep_until=start() + HOUR * 2)
    assert load(user.id) == (user, False)
    assert load(user.id + 1) == (None, False)


def test_load_user_with_another_user_store_asks_it_then_checks() -> None:
    alice = MemoryUser(id=1, username="alice", password="pw")
    backend = ModelBlacklistBackend()
    record = session()
    backend.create_session(record)
    loaded = backend.load_user(MemoryUserStore([alice]), 1, check_for(record))
    assert loaded == (alice, True)


def test_works_without_time_zone_support(call: Call, settings: Any) -> None:
    settings.USE_TZ = False
    # Django resets the connections' time zone on this change in this thread only; do it in
    # the thread the async path hops to as well.
    asyncio.run(sync_to_async(update_connections_time_zone)(setting="USE_TZ"))
    backend, record = ModelBlacklistBackend(), session()
    call(backend, "create_session", record)
    assert TokenSession.objects.get().created == timezone.make_naive(record.created)
    (listed,) = call(backend, "list_sessions", ALICE, now=record.created)
    assert listed.created == record.created
    now = record.created + timedelta(seconds=1)
    rotation = call(
        backend,
        "rotate_session",
        record.sid,
        ALICE,
        0,
        now=now,
        grace_seconds=0,
        expires=now + HOUR,
    )
    assert rotation.generation == 1
    assert call(backend, "check_token", check_for(record, 1)) is True
    call(backend, "end_all_sessions", ALICE, now=now, keep_until=now + HOUR)
    assert call(backend, "check_token", check_for(record, 1)) is False


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("create_session", lambda: ((session(),), {})),
        (
            "rotate_session",
            lambda: (
                ("s" * 24, ALICE, 0),
                {"now": start(), "grace_seconds": 0, "expires": start()},
            ),
        ),
        ("check_token", lambda: ((TokenCheck(ALICE, "s" * 24, 0, start()),), {})),
        ("check_token", lambda: ((TokenCheck(ALICE, None, 0, start()),), {})),
        ("end_session", lambda: (("s" * 24, ALICE), {"now": start()})),
        ("end_all_sessions", lambda: ((ALICE,), {"now": start(), "keep_until": start()})),
        ("list_sessions", lambda: ((ALICE,), {"now": start()})),
    ],
)
def test_a_database_error_fails_closed(
    call: Call, monkeypatch: pytest.MonkeyPatch, method: str, arguments: Any
) -> None:
    for name in ("update", "exists", "create", "_fetch_all"):
        monkeypatch.setattr(QuerySet, name, _broken)
    monkeypatch.setattr(CursorWrapper, "execute", _broken)  # the raw check_token query
    monkeypatch.setattr(CursorDebugWrapper, "execute", _broken)
    args, kwargs = arguments()
    with pytest.raises(StoreUnavailable) as caught:
        call(ModelBlacklistBackend(), method, *args, **kwargs)
    assert caught.value.status_code == 503


def test_a_database_error_in_the_user_query_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    user = User.objects.create_user("alice", password="pw")
    monkeypatch.setattr(CursorWrapper, "execute", _broken)
    monkeypatch.setattr(CursorDebugWrapper, "execute", _broken)
    with pytest.raises(StoreUnavailable):
        ModelBlacklistBackend().load_user(
            DjangoUserStore("id"), user.id, TokenCheck(ALICE, None, 0, start())
        )


def test_a_concurrent_first_logout_all_updates_the_row_that_won(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jwtflow.django import model_store

    real = model_store._raise_logout_all
    attempts: list[bool] = []

    def lose_the_first_insert(key: str, now: Any, keep_until: Any) -> bool:
        if not attempts:
            attempts.append(real(key, now - HOUR, keep_until))  # the other request's insert
            attempts.append(False)
            return False
        return real(key, now, keep_until)

    monkeypatch.setattr(model_store, "_raise_logout_all", lose_the_first_insert)
    now = start()
    ModelBlacklistBackend().end_all_sessions(ALICE, now=now, keep_until=now + HOUR)
    backend = ModelBlacklistBackend()
    assert backend.check_token(TokenCheck(ALICE, None, now.timestamp() - 1, now)) is False


def test_a_logout_all_that_keeps_losing_is_store_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jwtflow.django import model_store

    monkeypatch.setattr(model_store, "_raise_logout_all", lambda *args: False)
    now = start()
    with pytest.raises(StoreUnavailable):
        ModelBlacklistBackend().end_all_sessions(ALICE, now=now, keep_until=now + HOUR)


def test_load_user_works_without_time_zone_support(settings: Any) -> None:
    settings.USE_TZ = False
    user = User.objects.create_user("alice", password="pw")
    backend, users = ModelBlacklistBackend(), DjangoUserStore("id")
    record = session(user_key(user.id))
    backend.create_session(record)
    assert backend.load_user(users, user.id, check_for(record, 0)) == (user, True)
    later = start() + HOUR
    backend.end_all_sessions(record.user_key, now=later, keep_until=later + HOUR)
    assert backend.load_user(users, user.id, check_for(record, 0)) == (user, False)
    sessionless = TokenCheck(record.user_key, None, start().timestamp(), start())
    assert backend.load_user(users, user.id, sessionless) == (user, False)
