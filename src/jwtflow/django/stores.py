"""Blacklist backends over Django's ORM and Django's cache framework.

``CacheBlacklistBackend`` lives in :mod:`jwtflow.django.cache_store`; it is importable from here
too, the dotted path the settings have always used.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils import timezone

from jwtflow.django.cache_store import CacheBlacklistBackend
from jwtflow.errors import StoreUnavailable
from jwtflow.ports import BlacklistBackend


class ModelBlacklistBackend(BlacklistBackend):
    """Durable, cross-process blacklist in the ``jwtflow_blacklistedtoken`` table (the default).

    Atomicity comes from the unique ``jti`` column: of concurrent inserts, one wins. The model is
    imported inside the methods so that settings may name this class before apps are loaded.
    """

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Insert ``jti``; False if it is already there.

        Raises:
            StoreUnavailable: the database failed.
        """
        from jwtflow.django.models import BlacklistedToken

        try:
            # The savepoint keeps a duplicate from breaking a surrounding transaction
            # (ATOMIC_REQUESTS on PostgreSQL).
            with transaction.atomic(using=router.db_for_write(BlacklistedToken)):
                BlacklistedToken.objects.create(jti=jti, expires_at=_db_datetime(expires_at))
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

        try:
            # The primary, not a replica: a revocation must be seen at once.
            database = router.db_for_write(BlacklistedToken)
            return BlacklistedToken.objects.using(database).filter(jti=jti).exists()
        except DatabaseError as error:
            raise StoreUnavailable() from error


__all__ = ["CacheBlacklistBackend", "ModelBlacklistBackend"]


def _db_datetime(value: datetime) -> datetime:
    return value if settings.USE_TZ else timezone.make_naive(value)
