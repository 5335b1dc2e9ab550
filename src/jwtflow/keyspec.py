"""The shape of ``SIGNING_KEYS`` and ``VERIFYING_KEYS`` entries, checked when the settings are read.

The key material itself is parsed later, once, by :mod:`jwtflow.keys` when the runtime is built.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from jwtflow.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

#: Longest ``kid`` accepted in settings and in token headers.
MAX_KID_LENGTH = 255
_MEMBERS = frozenset({"alg", "key", "kid"})


@dataclass(frozen=True)
class KeySpec:
    """One configured key: its algorithm, its material and, optionally, its ``kid``."""

    alg: str
    key: str | bytes | dict[str, Any] | Path
    kid: str | None = None


def key_list(setting: str, value: Any, algorithms: Collection[str]) -> tuple[KeySpec, ...]:
    """Parse a list of ``{"alg", "key", "kid"?}`` dicts.

    Raises:
        ConfigurationError: the value is not a non-empty list of such dicts; the message names
            the entry's position.
    """
    if not isinstance(value, list | tuple) or not value:
        raise ConfigurationError(
            setting, 'must be a non-empty list of {"alg": ..., "key": ..., "kid": ...} dicts.'
        )
    return tuple(_entry(setting, index, item, algorithms) for index, item in enumerate(value))


def is_kid(value: object) -> bool:
    """Whether ``value`` can be a key id: a non-empty string of at most 255 characters."""
    return isinstance(value, str) and 0 < len(value) <= MAX_KID_LENGTH


def is_path(value: object) -> TypeGuard[Path]:
    """Whether ``value`` is a ``pathlib.Path``, without importing pathlib to find out."""
    # No Path exists before pathlib is imported; importing it (slow: it loads urllib) only to
    # answer no would put it on `import jwtflow`.
    pathlib = sys.modules.get("pathlib")
    return pathlib is not None and isinstance(value, pathlib.Path)


def _entry(setting: str, index: int, item: Any, algorithms: Collection[str]) -> KeySpec:
    def error(message: str) -> ConfigurationError:
        return ConfigurationError(setting, f"entry [{index}] {message}")

    if not isinstance(item, Mapping):
        raise error('must be a dict {"alg": ..., "key": ..., "kid": ...}.')
    unknown = sorted(str(name) for name in item if name not in _MEMBERS)
    if unknown:
        raise error(f"has unknown members {unknown}; use only alg, key and kid.")
    alg = item.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise error(f"'alg' {alg!r} is not supported; use one of {sorted(algorithms)}.")
    key = item.get("key")
    if (isinstance(key, str | bytes) and key) or is_path(key):
        material: str | bytes | dict[str, Any] | Path = key
    elif isinstance(key, Mapping) and key:
        material = dict(key)
    else:
        raise error("'key' must be a PEM or secret (str or bytes), a JWK dict, or a Path.")
    kid = item.get("kid")
    if kid is not None and not is_kid(kid):
        raise error("'kid' must be a non-empty string of at most 255 characters.")
    return KeySpec(alg, material, kid)
