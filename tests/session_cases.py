"""Session storage scenarios every ``BlacklistBackend`` must pass (docs/sessions.md), as tests.

A companion of ``tests/session_contract.py``: scenarios across several operations (grace and
older generations, logout-all against the list, the races). A store's test module subclasses
:class:`SessionCases` and provides a ``store`` fixture (a fresh, empty store). Every test runs
under both paths through the ``call`` fixture of ``tests/conftest.py`` (``mode``: sync, then
async). Times are real (a store may set TTLs from them) and passed explicitly: nothing sleeps.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtflow.claims import new_sid
from jwtflow.ports import BlacklistBackend
from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck

Call = Callable[..., Any]
HOUR = timedelta(hours=1)
ALICE, BOB = "i:1", "i:2"
RACERS = 8


def start() -> datetime:
    """Now, to the second (and in UTC): the start of every scenario."""
    return datetime.now(UTC).replace(microsecond=0)


def session(
    user_key: str = ALICE, created: datetime | None = None, lifetime: timedelta = HOUR
) -> Session:
    """A fresh session of ``user_key`` created at ``created`` (default: now)."""
    created = created or start()
    return Session(
        sid=new_sid(),
        user_key=user_key,
        created=created,
        last_refreshed=created,
        expires=created + lifetime,
        user_agent="curl/8.5",
    )


def rotate(
    call: Call, store: BlacklistBackend, record: Session, generation: int, **options: Any
) -> Rotation:
    """Consume ``generation`` of ``record`` (defaults: now = created + 1 s, no grace)."""
    now = options.pop("now", record.created + timedelta(seconds=1))
    rotation: Rotation = call(
        store,
        "rotate_session",
        record.sid,
        options.pop("user_key", record.user_key),
        generation,
        now=now,
        grace_seconds=options.pop("grace_seconds", 0.0),
        expires=options.pop("expires", now + HOUR),
    )
    return rotation


def alive(
    call: Call, store: BlacklistBackend, record: Session, generation: int | None = None
) -> bool:
    """Whether a token of ``record`` at ``generation`` is alive a second after creation."""
    check = TokenCheck(
        record.user_key,
        record.sid,
        record.created.timestamp(),
        record.created + timedelta(seconds=1),
        generation,
    )
    return bool(call(store, "check_token", check))


class SessionCases:
    """The scenarios; subclasses provide the ``store`` fixture."""

    def leave_thread(self) -> None:
        """Release what a racing thread opened (a database connection); nothing by default."""

    def test_a_new_session_is_listed_and_alive(self, call: Call, store: BlacklistBackend) -> None:
        record = session()
        call(store, "create_session", record)
        listed = call(store, "list_sessions", ALICE, now=record.created)
        assert [(s.sid, s.user_key, s.generation, s.revoked) for s in listed] == [
            (record.sid, ALICE, 0, False)
        ]
        assert listed[0].created == record.created
        assert listed[0].expires == record.expires
        assert listed[0].user_agent == "curl/8.5"
        assert alive(call, store, record)
        assert alive(call, store, record, 0)

    def test_the_list_is_newest_first_and_holds_only_the_users_live_sessions(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        now = start()
        older, newer = session(created=now - timedelta(minutes=5)), session(created=now)
        ended, expired = session(created=now), session(created=now - HOUR - HOUR, lifetime=HOUR)
        for record in (older, newer, ended, expired, session(BOB)):
            call(store, "create_session", record)
        call(store, "end_session", ended.sid, ALICE, now=now)
        listed = call(store, "list_sessions", ALICE, now=now)
        assert [s.sid for s in listed] == [newer.sid, older.sid]

    def test_rotating_the_current_generation_advances_it(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        now = record.created + timedelta(seconds=30)
        rotation = rotate(call, store, record, 0, now=now, expires=now + 2 * HOUR)
        assert rotation == Rotation(RotationOutcome.ROTATED, 1)
        assert rotate(call, store, record, 1, now=now) == Rotation(RotationOutcome.ROTATED, 2)
        (listed,) = call(store, "list_sessions", ALICE, now=now)
        assert (listed.generation, listed.last_refreshed, listed.rotated_at) == (2, now, now)
        assert listed.expires == now + HOUR
        assert alive(call, store, record, 2)
        assert not alive(call, store, record, 1)

    def test_a_spent_generation_is_reuse_and_revokes_the_session(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        assert rotate(call, store, record, 0).outcome is RotationOutcome.ROTATED
        assert rotate(call, store, record, 0).outcome is RotationOutcome.REUSED
        assert not alive(call, store, record, 1)
        assert rotate(call, store, record, 1).outcome is RotationOutcome.ENDED
        assert call(store, "list_sessions", ALICE, now=record.created) == []

    def test_the_just_rotated_generation_within_the_grace_period_gets_the_current_one(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        rotated_at = record.created + timedelta(seconds=10)
        rotate(call, store, record, 0, now=rotated_at)
        within = rotated_at + timedelta(seconds=9)
        grace = rotate(call, store, record, 0, now=within, grace_seconds=10)
        assert grace == Rotation(RotationOutcome.GRACE, 1)
        assert alive(call, store, record, 1)
        late = rotated_at + timedelta(seconds=10)
        assert rotate(call, store, record, 0, now=late, grace_seconds=10).outcome is (
            RotationOutcome.REUSED
        )

    def test_without_a_grace_period_a_racer_whose_clock_read_earlier_is_reuse(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        winner_now = record.created + timedelta(seconds=10)
        rotate(call, store, record, 0, now=winner_now)
        earlier = winner_now - timedelta(seconds=1)  # read before the winner's, applied after
        assert rotate(call, store, record, 0, now=earlier).outcome is RotationOutcome.REUSED

    def test_older_generations_are_reuse_even_within_the_grace_period(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        rotate(call, store, record, 0)
        rotate(call, store, record, 1)
        assert rotate(call, store, record, 0, grace_seconds=60).outcome is RotationOutcome.REUSED

    def test_a_generation_never_issued_is_reuse(self, call: Call, store: BlacklistBackend) -> None:
        record = session()
        call(store, "create_session", record)
        assert rotate(call, store, record, 5).outcome is RotationOutcome.REUSED

    def test_unknown_foreign_and_expired_sessions_are_ended(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        unknown = session()
        assert rotate(call, store, unknown, 0).outcome is RotationOutcome.ENDED
        assert rotate(call, store, record, 0, user_key=BOB).outcome is RotationOutcome.ENDED
        late = record.expires
        assert rotate(call, store, record, 0, now=late).outcome is RotationOutcome.ENDED
        assert not alive(call, store, unknown)
        assert rotate(call, store, record, 0) == Rotation(RotationOutcome.ROTATED, 1)

    def test_check_token_refuses_other_users_and_expired_sessions(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        issued = record.created.timestamp()
        as_bob = TokenCheck(BOB, record.sid, issued, record.created)
        expired = TokenCheck(ALICE, record.sid, issued, record.expires)
        assert not call(store, "check_token", as_bob)
        assert not call(store, "check_token", expired)

    def test_end_session_ends_a_live_session_of_its_user_once(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        record = session()
        call(store, "create_session", record)
        now = record.created
        assert call(store, "end_session", record.sid, BOB, now=now) is False
        assert call(store, "end_session", new_sid(), ALICE, now=now) is False
        assert call(store, "end_session", record.sid, ALICE, now=now) is True
        assert call(store, "end_session", record.sid, ALICE, now=now) is False
        assert not alive(call, store, record)
        assert rotate(call, store, record, 0).outcome is RotationOutcome.ENDED

    def test_end_all_sessions_refuses_what_came_before_and_nothing_after(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        now = start()
        before, others = session(created=now - timedelta(seconds=1)), session(BOB, created=now)
        for record in (before, others):
            call(store, "create_session", record)
        call(store, "end_all_sessions", ALICE, now=now, keep_until=now + HOUR)
        after = session(created=now + timedelta(milliseconds=1))
        call(store, "create_session", after)
        assert not alive(call, store, before)
        assert rotate(call, store, before, 0).outcome is RotationOutcome.ENDED
        assert alive(call, store, after)
        assert alive(call, store, others)
        listed = call(store, "list_sessions", ALICE, now=now)
        assert [s.sid for s in listed] == [after.sid]
        stamp = now.timestamp()
        assert not call(store, "check_token", TokenCheck(ALICE, None, stamp - 1, now))
        assert call(store, "check_token", TokenCheck(ALICE, None, stamp, now))
        assert call(store, "check_token", TokenCheck(BOB, None, stamp - 1, now))

    def test_end_all_sessions_never_moves_the_time_back(
        self, call: Call, store: BlacklistBackend
    ) -> None:
        now = start()
        call(store, "end_all_sessions", ALICE, now=now, keep_until=now + HOUR)
        call(store, "end_all_sessions", ALICE, now=now - HOUR / 2, keep_until=now + HOUR)
        check = TokenCheck(ALICE, None, now.timestamp() - 1, now)
        assert not call(store, "check_token", check)

    def test_concurrent_rotations_of_one_generation_have_exactly_one_winner(
        self, mode: str, store: BlacklistBackend
    ) -> None:
        record = session()
        store.create_session(record)
        now = record.created + timedelta(seconds=1)
        options = {"now": now, "grace_seconds": 0.0, "expires": now + HOUR}
        outcomes = race(mode, store, record, options, self.leave_thread)
        assert len(outcomes) == RACERS
        assert outcomes.count(RotationOutcome.ROTATED) == 1
        assert set(outcomes) <= {
            RotationOutcome.ROTATED,
            RotationOutcome.REUSED,
            RotationOutcome.ENDED,
        }


def race(
    mode: str,
    store: BlacklistBackend,
    record: Session,
    options: dict[str, Any],
    leave_thread: Callable[[], None],
) -> list[RotationOutcome]:
    """Rotate generation 0 of ``record`` from 8 threads (sync) or 8 tasks (async) at once."""
    if mode == "async":

        async def all_at_once() -> list[Rotation]:
            return await asyncio.gather(
                *(
                    store.arotate_session(record.sid, record.user_key, 0, **options)
                    for _ in range(RACERS)
                )
            )

        return [rotation.outcome for rotation in asyncio.run(all_at_once())]
    barrier = threading.Barrier(RACERS)
    outcomes: list[RotationOutcome] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            rotation = store.rotate_session(record.sid, record.user_key, 0, **options)
        finally:
            leave_thread()
        with lock:
            outcomes.append(rotation.outcome)

    threads = [threading.Thread(target=attempt) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
