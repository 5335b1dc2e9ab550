"""Blacklist backends over Django's ORM and Django's cache framework."""

from __future__ import annotations

import hashlib
import math
import time
from datetime import datetime
from typing import Self

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils import timezone

from jwtflow.config import Config
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


class CacheBlacklistBackend(BlacklistBackend):
    """Blacklist in a Django cache (use a shared one, e.g. ``RedisCache``); entries expire by TTL.

    Atomicity comes from ``cache.add`` (``SET NX`` on Redis).
    """

    KEY_PREFIX = "jwtflow:blacklist:"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    @classmethod
    def from_config(cls, config: Config) -> Self:
        """Use the cache named by ``BLACKLIST_CACHE_ALIAS``."""
        return cls(config.blacklist_cache_alias)

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        """Add ``jti`` with a TTL that ends at ``expires_at``; False if it is already there.

        Raises:
            StoreUnavailable: the cache failed.
        """
        ttl = max(1, math.ceil(expires_at.timestamp() - time.time()))
        try:
            return bool(caches[self.alias].add(self.key(jti), 1, timeout=ttl))
        except Exception as error:
            # Each cache client raises its own errors (redis, pymemcache, ...): all mean "down".
            raise StoreUnavailable() from error

    def is_blacklisted(self, jti: str) -> bool:
        """Return whether ``jti`` is in the cache.

        Raises:
            StoreUnavailable: the cache failed.
        """
        try:
            return caches[self.alias].get(self.key(jti)) is not None
        except Exception as error:
            raise StoreUnavailable() from error

    def key(self, jti: str) -> str:
        """The cache key of ``jti``: hashed, so any ``jti`` makes a safe key for every backend."""
        return self.KEY_PREFIX + hashlib.sha256(jti.encode()).hexdigest()


def _db_datetime(value: datetime) -> datetime:
    return value if settings.USE_TZ else timezone.make_naive(value)
