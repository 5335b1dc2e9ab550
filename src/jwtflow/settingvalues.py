"""The parsers of single setting values: each takes ``(key, value)`` and returns the value as
:class:`~jwtflow.config.Config` holds it.

Raises:
    ConfigurationError: from every parser, naming ``key`` and saying what it must be.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jwtflow.errors import ConfigurationError
from jwtflow.keyspec import KeySpec, key_list

#: Algorithms jwtflow signs and verifies with; "none" is never among them (RFC 8725 section 3.1).
ALGORITHMS = frozenset(
    {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
    | {"ES256", "ES256K", "ES384", "ES512", "EdDSA"}
)
#: REUSE_GRACE_PERIOD's ceiling: a longer window would let a stolen token replay unnoticed.
MAX_REUSE_GRACE_SECONDS = 60
#: The longest lifetime a setting may give tokens or sessions: ten years.
MAX_LIFETIME_SECONDS = 10 * 366 * 24 * 3600


def string(key: str, value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(key, f"must be a non-empty string, not {value!r}.")
    return value


def optional_string(key: str, value: Any) -> str | None:
    """None, or a non-empty string."""
    return None if value is None else string(key, value)


def boolean(key: str, value: Any) -> bool:
    """True or False (not a truthy value)."""
    if not isinstance(value, bool):
        raise ConfigurationError(key, f"must be True or False, not {value!r}.")
    return value


def duration_seconds(key: str, value: Any) -> float:
    """A timedelta or a number of seconds, as float seconds."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ConfigurationError(key, f"must be a timedelta or a number of seconds, not {value!r}.")


def lifetime(key: str, value: Any) -> timedelta:
    """A token or session lifetime: one second to ten years."""
    seconds = duration_seconds(key, value)
    if not seconds > 0:
        raise ConfigurationError(key, "must be longer than zero.")
    if not 1 <= seconds <= MAX_LIFETIME_SECONDS:
        # Claims hold whole seconds, and exp must stay a representable NumericDate.
        raise ConfigurationError(key, "must be between one second and ten years.")
    return timedelta(seconds=seconds)


def leeway(key: str, value: Any) -> float:
    """Clock leeway: 0 to 300 seconds."""
    return _seconds_within(
        key, value, 0, 300, "must be between 0 and 300 seconds; clocks drift less."
    )


def key_material(key: str, value: Any) -> str | bytes | None:
    """None, or a secret or PEM key as str or bytes."""
    if value is None or isinstance(value, str | bytes):
        return value
    raise ConfigurationError(key, "must be a string or bytes (a secret or a PEM-encoded key).")


def cache_seconds(key: str, value: Any) -> float:
    """A cache lifetime: one second to one day."""
    return _seconds_within(key, value, 1, 86400, "must be between 1 second and one day.")


def user_cache_seconds(key: str, value: Any) -> float:
    """The user cache lifetime: 0 (off), or one second to one day."""
    if duration_seconds(key, value) == 0:
        return 0.0
    message = "must be 0 (no user cache) or between 1 second and one day."
    return _seconds_within(key, value, 1, 86400, message)


def min_refresh(key: str, value: Any) -> float:
    """The least time between two JWKS refetches: one second to one hour."""
    return _seconds_within(key, value, 1, 3600, "must be between 1 second and one hour.")


def timeout(key: str, value: Any) -> float:
    """A network timeout: more than 0, at most 60 seconds."""
    seconds = duration_seconds(key, value)
    if not 0 < seconds <= 60:
        raise ConfigurationError(key, "must be more than 0 and at most 60 seconds.")
    return seconds


def keys(key: str, value: Any) -> tuple[KeySpec, ...]:
    """A list of key entries (``SIGNING_KEYS``, ``VERIFYING_KEYS``)."""
    return key_list(key, value, ALGORITHMS)


def algorithm(key: str, value: Any) -> str:
    """A supported algorithm name; "none" in any case is refused."""
    if isinstance(value, str) and value.lower() == "none":
        raise ConfigurationError(key, "'none' means unsigned tokens and is never allowed.")
    if not isinstance(value, str) or value not in ALGORITHMS:
        raise ConfigurationError(
            key, f"{value!r} is not supported; use one of {sorted(ALGORITHMS)}."
        )
    return str(value)


def strings(key: str, value: Any) -> tuple[str, ...]:
    """A string, or a non-empty list of non-empty strings, as a tuple."""
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset) or not items:
        raise ConfigurationError(
            key, f"must be a string or a non-empty list of strings, not {value!r}."
        )
    return tuple(string(key, item) for item in items)


def optional_strings(key: str, value: Any) -> tuple[str, ...] | None:
    """None, or :func:`strings`."""
    return None if value is None else strings(key, value)


def header_types(key: str, value: Any) -> tuple[str, ...]:
    """Authorization schemes: :func:`strings` of ASCII letters and digits."""
    types = strings(key, value)
    for item in types:
        if not item.isascii() or not item.isalnum():
            raise ConfigurationError(key, f"{item!r} is not a valid scheme name like 'Bearer'.")
    return types


def optional_lifetime(key: str, value: Any) -> timedelta | None:
    """None, or a :func:`lifetime`."""
    return None if value is None else lifetime(key, value)


def grace_period(key: str, value: Any) -> float:
    """The refresh-token reuse grace period: 0 to 60 seconds."""
    message = (
        f"must be between 0 and {MAX_REUSE_GRACE_SECONDS} seconds; a longer window lets a "
        "stolen refresh token be replayed without ending the session."
    )
    return _seconds_within(key, value, 0, MAX_REUSE_GRACE_SECONDS, message)


def opaque(key: str, value: Any) -> object:
    """A dotted path, class or instance (resolved by the framework adapter); not None."""
    if value is None:
        raise ConfigurationError(key, "must be a dotted path, a class or an instance, not None.")
    return value


def _seconds_within(key: str, value: Any, low: float, high: float, message: str) -> float:
    """:func:`duration_seconds`, refused with ``message`` outside ``low..high`` (inclusive)."""
    seconds = duration_seconds(key, value)
    if not low <= seconds <= high:
        raise ConfigurationError(key, message)
    return seconds
