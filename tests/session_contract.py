"""The session operations every ``BlacklistBackend`` implements, as one behaviour suite.

A store's test module subclasses :class:`SessionStoreContract` and provides two fixtures:
``backend`` (the store, empty) and ``bcall`` (``bcall(backend, "name", ...)`` calls the sync
method or awaits its ``a`` twin, by the ``mode`` parameter). Times are real (``now()``), since
stores keep TTLs relative to them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck

Call = Callable[..., Any]
USER = "i:42"
OTHER = "i:43"


def now() -> datetime:
    """The current time."""
    return datetime.now(UTC)


def session(sid: str = "sid-1", user_key: str = USER, **changes: Any) -> Session:
    """A fresh session of an hour, with ``changes``."""
    start = now()
    base = Session(sid, user_key, start, start, start + timedelta(hours=1), user_agent="curl/8")
    return replace(base, **changes)


def check(sid: str | None = "sid-1", **changes: Any) -> TokenCheck:
    """The check of a token of ``sid`` (None: sessionless) issued now, with ``changes``."""
    return replace(TokenCheck(USER, sid, now().timestamp(), now()), **changes)


def rotate(call: Call, backend: BlacklistBackend, generation: int, **changes: Any) -> Any:
    """``rotate_session`` of ``sid-1`` with no grace and a two-hour expiry, with ``changes``."""
    arguments = {"now": now(), "grace_seconds": 0.0, "expires": now() + timedelta(hours=2)}
    arguments.update(changes)
    return call(backend, "rotate_session", "sid-1", USER, generation, **arguments)


class SessionStoreContract:
    def test_created_session_is_alive_for_its_user_only(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        bcall(backend, "create_session", session())

        assert bcall(backend, "check_token", check()) is True
        assert bcall(backend, "check_token", check(generation=0)) is True
        assert bcall(backend, "check_token", check(generation=1)) is False
        assert bcall(backend, "check_token", check(sid="sid-2")) is False
        assert bcall(backend, "check_token", check(user_key=OTHER)) is False

    def test_a_session_stored_revoked_is_not_alive(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        bcall(backend, "create_session", session(revoked=True))

        assert bcall(backend, "check_token", check()) is False
        assert bcall(backend, "end_session", "sid-1", USER, now=now()) is False
        assert bcall(backend, "list_sessions", USER, now=now()) == []

    def test_session_expires_with_its_ttl(self, backend: BlacklistBackend, bcall: Call) -> None:
        bcall(backend, "create_session", session(expires=now() + timedelta(seconds=30)))

        late = check(now=now() + timedelta(seconds=31))

        assert bcall(backend, "check_token", late) is False

    def test_rotation_advances_once(self, backend: BlacklistBackend, bcall: Call) -> None:
        bcall(backend, "create_session", session())

        first = rotate(bcall, backend, 0)
        again = rotate(bcall, backend, 1)

        assert first == Rotation(RotationOutcome.ROTATED, 1)
        assert again == Rotation(RotationOutcome.ROTATED, 2)
        assert bcall(backend, "check_token", check(generation=2)) is True

    def test_just_rotated_token_within_grace(self, backend: BlacklistBackend, bcall: Call) -> None:
        bcall(backend, "create_session", session())
        rotate(bcall, backend, 0)

        grace = rotate(bcall, backend, 0, grace_seconds=30.0)

        assert grace == Rotation(RotationOutcome.GRACE, 1)
        assert bcall(backend, "check_token", check(generation=1)) is True

    def test_without_grace_a_racer_from_before_the_rotation_is_reuse(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        start = now()
        bcall(backend, "create_session", session(created=start - timedelta(seconds=5)))
        rotate(bcall, backend, 0, now=start)

        # It read the clock a moment before the winner did, and reached the store after it.
        loser = rotate(bcall, backend, 0, now=start - timedelta(milliseconds=1))

        assert loser == Rotation(RotationOutcome.REUSED, 0)

    @pytest.mark.parametrize(("presented", "grace"), [(0, 0.0), (0, 30.0)], ids=["late", "older"])
    def test_reuse_ends_the_session(
        self, backend: BlacklistBackend, bcall: Call, presented: int, grace: float
    ) -> None:
        bcall(backend, "create_session", session())
        rotate(bcall, backend, 0)
        if grace:
            rotate(bcall, backend, 1)  # generation 0 is now two behind: never grace

        reused = rotate(bcall, backend, presented, grace_seconds=grace)

        assert reused == Rotation(RotationOutcome.REUSED, 0)
        assert bcall(backend, "check_token", check()) is False
        assert rotate(bcall, backend, 2 if grace else 1).outcome is RotationOutcome.ENDED

    def test_unknown_or_foreign_session_is_ended(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        bcall(backend, "create_session", session(user_key=OTHER))

        assert rotate(bcall, backend, 0) == Rotation(RotationOutcome.ENDED, 0)
        assert bcall(backend, "check_token", check(user_key=OTHER)) is True

    def test_racing_rotations_have_one_winner(self, backend: BlacklistBackend) -> None:
        backend.create_session(session())
        barrier = threading.Barrier(8)

        def consume(_: int) -> RotationOutcome:
            barrier.wait()
            rotation: Rotation = rotate(
                lambda store, name, *args, **kwargs: getattr(store, name)(*args, **kwargs),
                backend,
                0,
            )
            return rotation.outcome

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(consume, range(8)))

        assert outcomes.count(RotationOutcome.ROTATED) == 1
        # A loser presents the generation just rotated away, with no grace: reuse, which ends the
        # session; a loser that looks after that finds it ended.
        assert RotationOutcome.REUSED in outcomes
        assert set(outcomes) <= {
            RotationOutcome.ROTATED,
            RotationOutcome.REUSED,
            RotationOutcome.ENDED,
        }
        assert backend.check_token(check()) is False

    def test_end_session_once(self, backend: BlacklistBackend, bcall: Call) -> None:
        bcall(backend, "create_session", session())

        assert bcall(backend, "end_session", "sid-1", OTHER, now=now()) is False
        assert bcall(backend, "end_session", "sid-1", USER, now=now()) is True
        assert bcall(backend, "end_session", "sid-1", USER, now=now()) is False
        assert bcall(backend, "end_session", "nope", USER, now=now()) is False
        assert bcall(backend, "check_token", check()) is False

    def test_end_all_sessions_cuts_off_what_came_before(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        before = now()
        bcall(backend, "create_session", session(created=before - timedelta(seconds=5)))
        cut = before
        keep = cut + timedelta(hours=1)

        bcall(backend, "end_all_sessions", USER, now=cut, keep_until=keep)
        bcall(backend, "create_session", session("sid-2", created=cut + timedelta(seconds=1)))

        assert bcall(backend, "check_token", check()) is False
        assert bcall(backend, "check_token", check(sid="sid-2")) is True
        old = check(sid=None, issued_at=cut.timestamp() - 1)
        new = check(sid=None, issued_at=cut.timestamp() + 1)
        assert bcall(backend, "check_token", old) is False
        assert bcall(backend, "check_token", new) is True
        assert bcall(backend, "check_token", check(sid=None, user_key=OTHER)) is True

    def test_end_all_never_moves_back(self, backend: BlacklistBackend, bcall: Call) -> None:
        cut = now()
        bcall(backend, "end_all_sessions", USER, now=cut, keep_until=cut + timedelta(hours=1))

        earlier = cut - timedelta(minutes=1)
        bcall(backend, "end_all_sessions", USER, now=earlier, keep_until=cut + timedelta(minutes=1))

        between = check(sid=None, issued_at=cut.timestamp() - 30)
        assert bcall(backend, "check_token", between) is False

    def test_list_sessions_newest_first_and_live_only(
        self, backend: BlacklistBackend, bcall: Call
    ) -> None:
        start = now()
        for index in range(4):
            bcall(
                backend,
                "create_session",
                session(f"sid-{index}", created=start + timedelta(seconds=index)),
            )
        bcall(backend, "end_session", "sid-2", USER, now=start)
        bcall(backend, "create_session", session("sid-x", user_key=OTHER))
        rotate(bcall, backend, 0, now=start + timedelta(seconds=10))

        listed = bcall(backend, "list_sessions", USER, now=start)

        assert [item.sid for item in listed] == ["sid-3", "sid-1", "sid-0"]
        first = listed[-1]
        assert (first.user_key, first.user_agent, first.revoked) == (USER, "curl/8", False)
        assert first.created == start
        assert bcall(backend, "list_sessions", USER, now=start + timedelta(hours=3)) == []
