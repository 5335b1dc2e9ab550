"""``ModelBlacklistBackend``: sessions, logout-all times and the ``jti`` blacklist in the database.

Every write that decides something is one conditional statement (an ``UPDATE ... WHERE`` whose
row count is the answer, or an insert guarded by a unique column), so concurrent requests and
processes agree without locks held across statements. Every read and write goes to the primary
(``router.db_for_write``): a revocation must be seen at once. The models are imported inside
the methods so that settings may name this class before apps are loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest

from jwtflow.django.session_queries import (
    alive_sql,
    live_sessions,
    primary,
    to_db,
    to_record,
)
from jwtflow.errors import StoreUnavailable
from jwtflow.ports import BlacklistBackend, UserStore
from jwtflow.records import Rotation, RotationOutcome, Session, TokenCheck


class ModelBlacklistBackend(BlacklistBackend):
    """Durable, cross-process store in the ``jwtflow_*`` tables (the default).

    With :class:`~jwtflow.django.users.DjangoUserStore` the per-request check rides on the user
    query as an ``EXISTS`` column: one query per authenticated request.
    """

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Insert ``jti``; False if it is already there (the unique column decides).

        Raises:
            StoreUnavailable: the database failed.
        """
        from jwtflow.django.models import BlacklistedToken

        try:
            # The savepoint keeps a duplicate from breaking a surrounding transaction
            # (ATOMIC_REQUESTS on PostgreSQL).
            with transaction.atomic(using=primary()):
                BlacklistedToken.objects.create(jti=jti, expires_at=to_db(expires_at))
        except IntegrityError:
            return False
        except DatabaseError as error:
            raise StoreUnavailable() from error
        return True

    def is_blacklisted(self, jti: str) -> bool:
        """Return whether a row for ``jti`` exists.

        Raises:
            StoreUnavailable: the database failed.
        """
        from jwtflow.django.models import BlacklistedToken

        with _unavailable():
            return BlacklistedToken.objects.using(primary()).filter(jti=jti).exists()

    def create_session(self, session: Session) -> None:
        """Insert the session row.

        Raises:
            StoreUnavailable: the database failed.
        """
        from jwtflow.django.models import TokenSession

        with _unavailable():
            TokenSession.objects.using(primary()).create(
                sid=session.sid,
                user_key=session.user_key,
                created=to_db(session.created),
                last_refreshed=to_db(session.last_refreshed),
                expires=to_db(session.expires),
                generation=session.generation,
                rotated_at=None if session.rotated_at is None else to_db(session.rotated_at),
                revoked=session.revoked,
                user_agent=session.user_agent,
            )

    def rotate_session(
        self,
        sid: str,
        user_key: str,
        generation: int,
        *,
        now: datetime,
        grace_seconds: float,
        expires: datetime,
    ) -> Rotation:
        """Advance, accept within grace, or revoke: each a conditional UPDATE on the live row.

        The first UPDATE (``generation = presented``) has exactly one winner; a loser falls
        through to the grace UPDATE and then to the revoking one, whose row count tells reuse
        (a live row) from an ended session (none).

        Raises:
            StoreUnavailable: the database failed; nothing was consumed.
        """
        with _unavailable():
            live = live_sessions(user_key, now).filter(sid=sid)
            stamp = to_db(now)
            advanced = live.filter(generation=generation).update(
                generation=F("generation") + 1,
                rotated_at=stamp,
                last_refreshed=stamp,
                expires=to_db(expires),
            )
            if advanced:
                return Rotation(RotationOutcome.ROTATED, generation + 1)
            # No grace at all when it is 0: a racer that read the clock before the winner did
            # would otherwise see the rotation "in the future" and pass.
            in_grace = grace_seconds > 0 and live.filter(
                generation=generation + 1,
                rotated_at__gt=to_db(now - timedelta(seconds=grace_seconds)),
            ).update(last_refreshed=stamp)
            if in_grace:
                return Rotation(RotationOutcome.GRACE, generation + 1)
            if live.update(revoked=True):
                return Rotation(RotationOutcome.REUSED)
            return Rotation(RotationOutcome.ENDED)

    def check_token(self, check: TokenCheck) -> bool:
        """Answer ``check`` with one query: the same ``EXISTS`` the user query carries.

        Raises:
            StoreUnavailable: the database failed.
        """
        connection = connections[primary()]
        sql, params = alive_sql(check)
        # Raw, like the user query's column: compiling the equivalent querysets per request
        # cost several times what running them does (the user cache makes this the hot path).
        with _unavailable(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql}{connection.features.bare_select_suffix}", params)
            row = cursor.fetchone()
        return bool(row[0])

    def end_session(self, sid: str, user_key: str, *, now: datetime) -> bool:
        """Revoke the live session ``sid`` of ``user_key``: one conditional UPDATE.

        Raises:
            StoreUnavailable: the database failed.
        """
        with _unavailable():
            return live_sessions(user_key, now).filter(sid=sid).update(revoked=True) == 1

    def end_all_sessions(self, user_key: str, *, now: datetime, keep_until: datetime) -> None:
        """Move the user's logout-all row forward (one UPDATE, or one INSERT the first time).

        Raises:
            StoreUnavailable: the database failed.
        """
        with _unavailable():
            for _ in range(2):  # a concurrent first insert makes ours fail: then update theirs
                if _raise_logout_all(user_key, to_db(now), to_db(keep_until)):
                    return
            raise StoreUnavailable()

    def list_sessions(self, user_key: str, *, now: datetime) -> list[Session]:
        """The live sessions of ``user_key``, newest first (one query).

        Raises:
            StoreUnavailable: the database failed.
        """
        with _unavailable():
            rows = list(live_sessions(user_key, now).order_by("-created", "-id"))
        return [to_record(row) for row in rows]

    def load_user(
        self, users: UserStore, user_id: object, check: TokenCheck
    ) -> tuple[Any | None, bool]:
        """Load the user with the session check as an extra column: one query.

        Another user store, or users kept in another database than the sessions, get the
        default (the user lookup, then :meth:`check_token`).

        Raises:
            StoreUnavailable: the database failed.
        """
        from jwtflow.django.users import DjangoUserStore

        database = primary()
        if not isinstance(users, DjangoUserStore) or users.write_database() != database:
            # Users in another database than the sessions: one query there, one here.
            return super().load_user(users, user_id, check)
        with _unavailable():
            user, alive = users.get_with_column(user_id, alive_sql(check), using=database)
        return user, user is not None and bool(alive)

    async def aload_user(
        self, users: UserStore, user_id: object, check: TokenCheck
    ) -> tuple[Any | None, bool]:
        """Async twin of :meth:`load_user`: one thread hop for the one query."""
        return await sync_to_async(self.load_user)(users, user_id, check)


def _raise_logout_all(user_key: str, now: datetime, keep_until: datetime) -> bool:
    from jwtflow.django.models import LogoutAll

    database = primary()
    moved = (
        LogoutAll.objects.using(database)
        .filter(user_key=user_key)
        .update(
            not_before=Greatest(F("not_before"), Value(now, output_field=DateTimeField())),
            keep_until=Greatest(F("keep_until"), Value(keep_until, output_field=DateTimeField())),
        )
    )
    if moved:
        return True
    try:
        with transaction.atomic(using=database):
            LogoutAll.objects.using(database).create(
                user_key=user_key, not_before=now, keep_until=keep_until
            )
    except IntegrityError:
        return False
    return True


@contextmanager
def _unavailable() -> Iterator[None]:
    """Fail closed: any database error is a 503, never a pass and never a 500."""
    try:
        yield
    except DatabaseError as error:
        raise StoreUnavailable() from error
