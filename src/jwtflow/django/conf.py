"""``settings.JWTFLOW`` read once into a Config and a Runtime, cached until the settings change."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from jwtflow.config import Config
from jwtflow.errors import ConfigurationError
from jwtflow.ports import BlacklistBackend
from jwtflow.runtime import Ports, Runtime
from jwtflow.usercache import CachedAccounts

#: Settings whose change invalidates the cached runtime (``override_settings`` in tests).
WATCHED_SETTINGS = frozenset({"JWTFLOW", "AUTH_USER_MODEL", "CACHES", "USE_TZ"})


@functools.cache
def get_config() -> Config:
    """Return the validated ``settings.JWTFLOW``.

    Raises:
        ConfigurationError: a key is unknown, missing or wrong.
    """
    return Config.from_mapping(getattr(settings, "JWTFLOW", {}))


@functools.cache
def get_runtime() -> Runtime:
    """Return the runtime built from the settings: keys parsed, stores and rule resolved.

    Raises:
        ConfigurationError: a setting, a key, the backend or the rule is wrong.
    """
    from jwtflow.django.usercache import cached_users
    from jwtflow.django.users import DjangoUserStore

    config = get_config()
    blacklist, users = blacklist_backend(config), DjangoUserStore(config.user_id_field)
    if config.user_cache_seconds:
        cached = cached_users(config, users)
        ports = Ports(blacklist, cached, accounts=CachedAccounts(blacklist, cached))
    else:
        ports = Ports(blacklist, users)
    return Runtime.build(config, ports, rule=authentication_rule(config))


def clear_caches(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver: forget the cached config and runtime."""
    if setting in WATCHED_SETTINGS:
        get_config.cache_clear()
        get_runtime.cache_clear()


def blacklist_backend(config: Config) -> BlacklistBackend:
    """Resolve ``BLACKLIST_BACKEND`` (dotted path, class or instance) to an instance.

    Raises:
        ConfigurationError: it cannot be imported, is not a BlacklistBackend, or (with
            ``BLACKLIST_ENABLED``) lacks the session operations.
    """
    value = _resolve("BLACKLIST_BACKEND", config.blacklist_backend)
    backend = _build(value, config) if isinstance(value, type) else value
    if not isinstance(backend, BlacklistBackend):
        raise ConfigurationError(
            "BLACKLIST_BACKEND", f"{backend!r} is not a jwtflow.BlacklistBackend subclass."
        )
    _check_method_kinds(backend)
    missing = [
        name
        for name in BlacklistBackend.SESSION_METHODS
        if getattr(type(backend), name) is getattr(BlacklistBackend, name)
    ]
    if config.blacklist_enabled and missing:
        raise ConfigurationError(
            "BLACKLIST_BACKEND",
            f"{type(backend).__qualname__} does not implement the session operations "
            f"{missing}. Implement them (see docs/sessions.md), or use ModelBlacklistBackend, "
            "CacheBlacklistBackend or RedisBlacklistBackend.",
        )
    return backend


#: The store calls the drivers make: each sync method has an async twin named ``a<name>``.
_STORE_METHODS = ("blacklist", "is_blacklisted", "load_user", *BlacklistBackend.SESSION_METHODS)


def _check_method_kinds(backend: BlacklistBackend) -> None:
    """Refuse ``async def blacklist`` (a store ported from drf-restflow) and ``def ablacklist``.

    The sync driver would get a coroutine for an answer and the async one a plain value: a
    500 or a wrong answer on the first request, instead of a message at start-up.
    """
    for name in _STORE_METHODS:
        for method, want_async in ((name, False), ("a" + name, True)):
            if inspect.iscoroutinefunction(getattr(backend, method)) != want_async:
                kind = "an async def" if want_async else "a plain def (not async)"
                raise ConfigurationError(
                    "BLACKLIST_BACKEND",
                    f"{type(backend).__qualname__}.{method} must be {kind}: jwtflow calls "
                    f"{name}() from sync code and awaits a{name}(). See docs/stores.md.",
                )


def _build(backend_class: type, config: Config) -> object:
    if not issubclass(backend_class, BlacklistBackend):
        return backend_class
    try:
        return backend_class.from_config(config)
    except TypeError as error:  # abstract, or a constructor that wants arguments
        raise ConfigurationError(
            "BLACKLIST_BACKEND", f"cannot build {backend_class.__qualname__}: {error}."
        ) from None


def authentication_rule(config: Config) -> Any:
    """Resolve ``USER_AUTHENTICATION_RULE`` to a callable ``rule(user) -> bool``.

    Raises:
        ConfigurationError: it cannot be imported or is not callable.
    """
    rule = _resolve("USER_AUTHENTICATION_RULE", config.user_authentication_rule)
    if not callable(rule):
        raise ConfigurationError("USER_AUTHENTICATION_RULE", f"{rule!r} is not callable.")
    return rule


def _resolve(key: str, value: object) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return import_string(value)
    except ImportError as error:
        raise ConfigurationError(key, f"cannot import {value!r}: {error}.") from None
