"""The queries of the model store: live sessions, the per-request check, row <-> record.

Split from :mod:`jwtflow.django.model_store`, which holds the operations. Every query goes to
the primary (``router.db_for_write``): a revocation must be seen at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jwtflow.records import Session, TokenCheck

if TYPE_CHECKING:
    from jwtflow.django.models import TokenSession


def live_sessions(user_key: str, now: datetime) -> QuerySet[TokenSession]:
    """The sessions of ``user_key`` alive at ``now``: not revoked, not expired, not logged out."""
    from jwtflow.django.models import LogoutAll, TokenSession

    database = primary()
    logged_out = LogoutAll.objects.using(database).filter(
        user_key=user_key, keep_until__gt=to_db(now), not_before__gt=OuterRef("created")
    )
    return (
        TokenSession.objects.using(database)
        .filter(user_key=user_key, revoked=False, expires__gt=to_db(now))
        .exclude(Exists(logged_out))
    )


def alive_sql(check: TokenCheck) -> tuple[str, tuple[Any, ...]]:
    """The boolean SQL expression that answers ``check`` and its parameters, for the user query
    to carry as a column.

    Raw SQL because it rides on every authenticated request, where composing and compiling the
    equivalent querysets (:func:`live_sessions`) cost several times more than running the query.
    """
    from jwtflow.django.models import LogoutAll, TokenSession

    connection = connections[primary()]
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    now = adapt(to_db(check.now))
    logout = quote(LogoutAll._meta.db_table)
    # Only the models' own table names, quoted, are interpolated; every value is a parameter.
    cut_off = f"SELECT 1 FROM {logout} l WHERE l.user_key = %s AND l.keep_until > %s"  # noqa: S608
    if check.sid is None:
        issued_at = adapt(to_db(datetime.fromtimestamp(check.issued_at, tz=UTC)))
        sql = f"NOT EXISTS ({cut_off} AND l.not_before > %s)"
        return sql, (check.user_key, now, issued_at)
    session = quote(TokenSession._meta.db_table)
    generation = "" if check.generation is None else " AND s.generation = %s"
    sql = (
        f"EXISTS (SELECT 1 FROM {session} s WHERE s.sid = %s AND s.user_key = %s"  # noqa: S608
        f" AND NOT s.revoked AND s.expires > %s{generation}"
        f" AND NOT EXISTS ({cut_off} AND l.not_before > s.created))"
    )
    params: tuple[Any, ...] = (check.sid, check.user_key, now)
    params += () if check.generation is None else (check.generation,)
    return sql, (*params, check.user_key, now)


def to_record(row: TokenSession) -> Session:
    """The :class:`~jwtflow.records.Session` of a row, times in aware UTC."""
    return Session(
        sid=row.sid,
        user_key=row.user_key,
        created=from_db(row.created),
        last_refreshed=from_db(row.last_refreshed),
        expires=from_db(row.expires),
        generation=row.generation,
        rotated_at=None if row.rotated_at is None else from_db(row.rotated_at),
        revoked=row.revoked,
        user_agent=row.user_agent,
    )


def to_db(value: datetime) -> datetime:
    """An aware datetime as the database takes it (naive local time when ``USE_TZ`` is off)."""
    return value if settings.USE_TZ else timezone.make_naive(value)


def from_db(value: datetime) -> datetime:
    """A datetime read from the database as an aware UTC one."""
    aware = value if timezone.is_aware(value) else timezone.make_aware(value)
    return aware.astimezone(UTC)


def primary() -> str:
    """The alias of the database the model store reads and writes (the primary)."""
    from jwtflow.django.models import TokenSession

    # The primary, not a replica: a revocation must be seen at once.
    return router.db_for_write(TokenSession)
