"""The user cache over a Django cache alias, and the model signals that keep it true.

With ``USER_CACHE_SECONDS``, every save and delete of a user tombstones its entry
(:meth:`~jwtflow.usercache.CachedUserStore.forget`) at once and again when the transaction
commits, so a deactivated user, a new password or a deleted row is seen by the next request.
Changes that send no signal (``QuerySet.update()``, raw SQL, another application writing the
table) must call :func:`forget_users`. Saves that touch only ``last_login`` are ignored: no
authentication decision reads it, and every login would otherwise empty the cache.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from jwtflow.config import Config
from jwtflow.django.users import DjangoUserStore, claim_value
from jwtflow.errors import ConfigurationError
from jwtflow.runtime import current
from jwtflow.usercache import CachedUserStore

#: Saves limited to these fields leave the cached user as it was.
HARMLESS_FIELDS = frozenset({"last_login"})


class DjangoCache:
    """:class:`~jwtflow.usercache.KeyValueCache` over ``caches[alias]``.

    The alias is looked up on every call: Django hands each thread its own cache connection.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def get(self, key: str) -> Any:
        """``cache.get(key)``."""
        return caches[self.alias].get(key)

    def add(self, key: str, value: Any, timeout: float) -> bool:
        """``cache.add(key, value, timeout)``."""
        return bool(caches[self.alias].add(key, value, timeout))

    def set(self, key: str, value: Any, timeout: float) -> None:
        """``cache.set(key, value, timeout)``."""
        caches[self.alias].set(key, value, timeout)


def cached_users(config: Config, users: DjangoUserStore) -> CachedUserStore:
    """Wrap ``users`` in the user cache ``USER_CACHE_ALIAS`` / ``USER_CACHE_SECONDS`` describe."""
    namespace = f"{users.model._meta.label_lower}.{config.user_id_field}"
    cache = DjangoCache(config.user_cache_alias)
    return CachedUserStore(users, cache, config.user_cache_seconds, namespace)


def forget_users(*user_ids: object) -> None:
    """Drop users from the user cache by their id field's value (a no-op without the cache).

    Call it after changing users in a way that sends no model signal: ``QuerySet.update()``,
    ``bulk_update()``, raw SQL.

    Raises:
        Exception: whatever the cache raises when it cannot be written.
    """
    store = _cached_store(None)
    if store is not None:
        for user_id in user_ids:
            store.forget(claim_value(user_id))


async def aforget_users(*user_ids: object) -> None:
    """Async twin of :func:`forget_users`."""
    await sync_to_async(forget_users)(*user_ids)


def connect_signals() -> None:
    """Keep the user cache in step with the user model (called once by the app's ``ready()``)."""
    pre_save.connect(_user_saving, dispatch_uid="jwtflow-usercache-pre-save")
    post_save.connect(_user_saved, dispatch_uid="jwtflow-usercache-post-save")
    post_delete.connect(_user_deleted, dispatch_uid="jwtflow-usercache-post-delete")


def _cached_store(sender: type | None) -> CachedUserStore | None:
    """The runtime's user cache when there is one (and ``sender`` is its user model)."""
    try:
        users = current().ports.users
    except ConfigurationError:  # reported by the start-up checks, not by every model save
        return None
    if not isinstance(users, CachedUserStore):
        return None
    if sender is not None and sender is not getattr(users.users, "model", None):
        return None
    return users


def _user_saving(sender: type[Model], instance: Any, using: str, **kwargs: Any) -> None:
    """Before a save: when the id field itself changes, forget the id the cache knows."""
    store = _cached_store(sender)
    if store is None or instance.pk is None:
        return
    field = getattr(store.users, "id_field", "pk")
    if field in ("pk", sender._meta.pk.name):
        return
    manager = sender._default_manager.using(using)
    old = manager.filter(pk=instance.pk).values_list(field, flat=True).first()
    if old is not None and claim_value(old) != store.user_id(instance):
        _forget(store, claim_value(old), using)


def _user_saved(
    sender: type, instance: Any, using: str, update_fields: Any = None, **kwargs: Any
) -> None:
    store = _cached_store(sender)
    if store is None or (update_fields is not None and set(update_fields) <= HARMLESS_FIELDS):
        return
    _forget(store, store.user_id(instance), using)


def _user_deleted(sender: type, instance: Any, using: str, **kwargs: Any) -> None:
    store = _cached_store(sender)
    if store is not None:
        _forget(store, store.user_id(instance), using)


def _forget(store: CachedUserStore, user_id: str | int, using: str) -> None:
    store.forget(user_id)
    # Again at commit: if the transaction outlives the tombstone, a request may have cached the
    # old row in between.
    transaction.on_commit(lambda: store.forget(user_id), using=using)
