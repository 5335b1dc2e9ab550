"""System checks for ``settings.JWTFLOW``.

Run by ``manage.py check`` (and by every command that checks, runserver and migrate among them)
and by ``AppConfig.ready()`` in server processes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from jwtflow.config import problems as config_problems
from jwtflow.django import conf
from jwtflow.django.stores import CacheBlacklistBackend
from jwtflow.errors import ConfigurationError

#: Caches that are not shared between processes, or store nothing: a blacklist there is a fiction.
LOCAL_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"


@checks.register(checks.Tags.security)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Check ``settings.JWTFLOW``: values, keys, backend, rule, user model and cache."""
    conf.clear_caches(setting="JWTFLOW")
    problems = config_problems(getattr(settings, "JWTFLOW", {}))
    if problems:
        return [_e001(error) for error in problems]
    try:
        runtime = conf.get_runtime()
    except ConfigurationError as error:
        return [_e001(error)]
    config = runtime.config
    messages = _check_user_id_field(config.user_id_field)
    if isinstance(runtime.ports.blacklist, CacheBlacklistBackend):
        messages += _check_cache(runtime.ports.blacklist.alias, config.blacklist_allow_locmem)
    if config.user_cache_seconds:
        messages += _check_user_cache(config.user_cache_alias)
    if config.rotate_refresh_tokens and not config.blacklist_enabled:
        messages.append(
            checks.Warning(
                "ROTATE_REFRESH_TOKENS is on but BLACKLIST_ENABLED is off: a rotated-away refresh "
                "token keeps working until it expires.",
                hint="Set JWTFLOW['BLACKLIST_ENABLED'] = True so rotation spends the old token.",
                id="jwtflow.W001",
            )
        )
    return messages


def _e001(error: ConfigurationError) -> checks.CheckMessage:
    hint = f"Fix the {error.key!r} entry of settings.JWTFLOW; see docs/settings.md."
    return checks.Error(str(error), hint=hint, id="jwtflow.E001")


def _check_user_id_field(field_name: str) -> list[checks.CheckMessage]:
    if field_name == "pk":
        return []
    model = get_user_model()
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        problem = "has no field"
    else:
        unique_together = any(
            constraint.fields == (field_name,)
            for constraint in model._meta.total_unique_constraints
        )
        if getattr(field, "unique", False) or unique_together:
            return []
        problem = "has no unique constraint on"
    return [
        checks.Error(
            f"JWTFLOW['USER_ID_FIELD']: {model.__name__} {problem} {field_name!r}.",
            hint="Name a unique field of your user model, such as 'id' or 'uuid'.",
            id="jwtflow.E002",
        )
    ]


def _check_cache(alias: str, allow_local: bool) -> list[checks.CheckMessage]:
    if alias not in settings.CACHES:
        return [
            checks.Error(
                f"JWTFLOW['BLACKLIST_CACHE_ALIAS']: there is no cache {alias!r} in CACHES.",
                hint="Name a cache from settings.CACHES, e.g. a RedisCache.",
                id="jwtflow.E003",
            )
        ]
    backend = settings.CACHES[alias].get("BACKEND", "")
    if backend == DUMMY_CACHE or (backend in LOCAL_CACHES and not allow_local):
        return [
            checks.Error(
                f"JWTFLOW['BLACKLIST_BACKEND']: CacheBlacklistBackend on {backend} does not "
                "share (or keep) revocations across processes, so logged-out tokens would work.",
                hint="Use a shared cache such as django.core.cache.backends.redis.RedisCache; "
                "for a single-process test setup set JWTFLOW['BLACKLIST_ALLOW_LOCMEM'] = True "
                "(never for DummyCache, which stores nothing).",
                id="jwtflow.E004",
            )
        ]
    if _swallows_errors(settings.CACHES[alias], backend):
        return [
            checks.Error(
                f"JWTFLOW['BLACKLIST_BACKEND']: the cache {alias!r} is configured to ignore "
                "exceptions (IGNORE_EXCEPTIONS), so a cache outage would read as 'not revoked' "
                "and logged-out tokens would work.",
                hint=f"Remove IGNORE_EXCEPTIONS from CACHES[{alias!r}]['OPTIONS'] (and "
                "DJANGO_REDIS_IGNORE_EXCEPTIONS), or give jwtflow its own cache alias without "
                "it in BLACKLIST_CACHE_ALIAS; jwtflow answers 503 while the cache is down.",
                id="jwtflow.E005",
            )
        ]
    return []


def _check_user_cache(alias: str) -> list[checks.CheckMessage]:
    """The user cache needs a cache that exists, stores, raises on errors, and is shared."""
    cache = settings.CACHES.get(alias)
    backend = "" if cache is None else cache.get("BACKEND", "")
    if cache is None:
        problem = f"there is no cache {alias!r} in CACHES"
    elif backend == DUMMY_CACHE:
        problem = f"the cache {alias!r} is a DummyCache, which stores nothing"
    elif _swallows_errors(cache, backend):
        problem = f"the cache {alias!r} ignores exceptions, so forgetting a changed user could fail"
    else:
        problem = ""
    if problem:
        return [
            checks.Error(
                f"JWTFLOW['USER_CACHE_ALIAS']: {problem}.",
                hint="Name a shared cache from settings.CACHES (RedisCache, Memcached) that "
                "raises on errors, or set JWTFLOW['USER_CACHE_SECONDS'] = 0.",
                id="jwtflow.E006",
            )
        ]
    if backend in LOCAL_CACHES:
        return [
            checks.Warning(
                f"JWTFLOW['USER_CACHE_ALIAS']: the cache {alias!r} is a LocMemCache, private to "
                "each process: a user changed in another process (another worker, a shell, a "
                "task queue) stays cached here for up to USER_CACHE_SECONDS.",
                hint="Use a shared cache such as django.core.cache.backends.redis.RedisCache "
                "unless the application runs in a single process.",
                id="jwtflow.W002",
            )
        ]
    return []


def _swallows_errors(cache: dict[str, Any], backend: str) -> bool:
    """Whether the cache answers "miss" instead of raising when its server is down.

    django-redis reads ``OPTIONS["IGNORE_EXCEPTIONS"]`` (some forks spell it in lower case),
    falling back to the global ``DJANGO_REDIS_IGNORE_EXCEPTIONS``. Django's own backends read
    neither, so the global only counts for third-party ones.
    """
    for key, value in (cache.get("OPTIONS") or {}).items():
        if str(key).upper() == "IGNORE_EXCEPTIONS":
            return bool(value)
    global_setting = getattr(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS", False)
    return bool(global_setting) and not backend.startswith("django.core.cache.backends.")
