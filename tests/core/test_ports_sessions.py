"""The session half of BlacklistBackend: defaults that refuse, twins derived by a thread hop."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import Any

import pytest

from jwtflow.memory import MemoryBlacklistBackend, MemoryUser, MemoryUserStore
from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, Session, TokenCheck
from jwtflow.runtime import Ports
from tests.session_cases import ALICE, SessionCases, session, start


class SyncOnlySessions(BlacklistBackend):
    """Sync methods only (over a memory store), so every ``a`` twin is the derived thread hop."""

    def __init__(self) -> None:
        self.inner = MemoryBlacklistBackend()
        self.threads: set[int] = set()

    def _record(self) -> MemoryBlacklistBackend:
        self.threads.add(threading.get_ident())
        return self.inner

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        return self._record().blacklist(jti, expires_at=expires_at)

    def is_blacklisted(self, jti: str) -> bool:
        return self._record().is_blacklisted(jti)

    def create_session(self, session: Session) -> None:
        self._record().create_session(session)

    def rotate_session(self, sid: str, user_key: str, generation: int, **options: Any) -> Rotation:
        return self._record().rotate_session(sid, user_key, generation, **options)

    def check_token(self, check: TokenCheck) -> bool:
        return self._record().check_token(check)

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        return self._record().end_session(sid, user_key, now=now)

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        self._record().end_all_sessions(user_key, now=now, keep_until=keep_until)

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        return self._record().list_sessions(user_key, now=now)


class TestDerivedTwins(SessionCases):
    """The contract holds through the derived twins."""

    @pytest.fixture
    def store(self) -> SyncOnlySessions:
        return SyncOnlySessions()


def test_derived_twins_run_off_the_event_loop_thread() -> None:
    store = SyncOnlySessions()

    async def scenario() -> int:
        record = session()
        await store.acreate_session(record)
        await store.alist_sessions(ALICE, now=start())
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert store.threads
    assert loop_thread not in store.threads


class JtiOnly(BlacklistBackend):
    """A backend written for jwtflow 0.1: no session operations."""

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        return True

    def is_blacklisted(self, jti: str) -> bool:
        return False


@pytest.mark.parametrize("method", BlacklistBackend.SESSION_METHODS)
def test_a_backend_without_sessions_says_so(method: str) -> None:
    now = start()
    arguments: dict[str, tuple[Any, ...]] = {
        "create_session": (session(),),
        "check_token": (TokenCheck(ALICE, None, 0, now),),
    }
    options: dict[str, dict[str, Any]] = {
        "rotate_session": {"now": now, "grace_seconds": 0, "expires": now},
        "end_all_sessions": {"now": now, "keep_until": now},
    }
    args = arguments.get(method, ("sid", ALICE, 0) if method == "rotate_session" else (ALICE,))
    if method == "end_session":
        args = ("sid", ALICE)
    kwargs = options.get(method, {"now": now} if method in {"end_session", "list_sessions"} else {})
    with pytest.raises(NotImplementedError, match="JtiOnly does not store sessions"):
        getattr(JtiOnly(), method)(*args, **kwargs)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_load_user_asks_the_user_store_then_the_session(mode: str) -> None:
    alice = MemoryUser(id=1, username="alice", password="pw")
    ports = Ports(SyncOnlySessions(), MemoryUserStore([alice]))
    record = session()
    ports.blacklist.create_session(record)
    live = TokenCheck(ALICE, record.sid, record.created.timestamp(), record.created)
    dead = TokenCheck(ALICE, "x" * 24, record.created.timestamp(), record.created)

    def load(user_id: object, check: TokenCheck) -> Any:
        if mode == "sync":
            return ports.accounts.load(user_id, check)
        return asyncio.run(ports.accounts.aload(user_id, check))

    assert load(1, live) == (alice, True)
    assert load(1, dead) == (alice, False)
    assert load(2, live) == (None, False)
