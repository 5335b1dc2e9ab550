"""The memory store keeps the session contract (tests/session_contract.py), sync and async."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.records import TokenCheck
from tests.session_cases import ALICE, HOUR, Call, SessionCases, session, start


class TestMemorySessions(SessionCases):
    """The contract on :class:`MemoryBlacklistBackend`."""

    @pytest.fixture
    def store(self) -> MemoryBlacklistBackend:
        return MemoryBlacklistBackend()


def test_a_logout_all_time_is_forgotten_after_keep_until(call: Call) -> None:
    store, now = MemoryBlacklistBackend(), start()
    call(store, "end_all_sessions", ALICE, now=now, keep_until=now + HOUR)
    old_token = now.timestamp() - 1
    assert not call(store, "check_token", TokenCheck(ALICE, None, old_token, now + HOUR / 2))
    assert call(store, "check_token", TokenCheck(ALICE, None, old_token, now + HOUR))


def test_expired_sessions_are_dropped_when_a_session_starts(call: Call) -> None:
    store = MemoryBlacklistBackend()
    old = session(created=start() - 2 * HOUR)
    call(store, "create_session", old)
    call(store, "create_session", session())
    assert old.sid not in store._sessions
    assert len(store._sessions) == 1
    assert (
        call(store, "end_session", old.sid, ALICE, now=old.created + timedelta(seconds=1)) is False
    )
