"""The rules between the key settings: the shorthand, key rings, ``JWKS_URL`` and the revoke secret.

:mod:`jwtflow.config` parses each value; this module checks how they combine, and
``REVOKE_TOKEN_SECRET``'s own value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jwtflow.errors import ConfigurationError

#: Settings that provide keys; at least one must be set.
KEY_SOURCES = ("SIGNING_KEY", "VERIFYING_KEY", "SIGNING_KEYS", "VERIFYING_KEYS", "JWKS_URL")
#: The shortest ``REVOKE_TOKEN_SECRET``.
MIN_SECRET_BYTES = 32


def mixing_problems(settings: Mapping[str, Any]) -> list[ConfigurationError]:
    """The settings that cannot be combined: the one-key shorthand with a ring or ``JWKS_URL``."""
    ring = [key for key in ("SIGNING_KEYS", "VERIFYING_KEYS") if settings.get(key)]
    shorthand = [key for key in ("SIGNING_KEY", "VERIFYING_KEY", "ALGORITHM") if key in settings]
    if settings.get("JWKS_URL") and (shorthand or settings.get("SIGNING_KEYS")):
        return [
            ConfigurationError(
                "JWKS_URL",
                "is for services that only verify: it cannot be combined with SIGNING_KEY, "
                "VERIFYING_KEY, ALGORITHM or SIGNING_KEYS (list extra local keys in "
                "VERIFYING_KEYS; an issuer publishes its own JWKS instead).",
            )
        ]
    if not ring or not shorthand:
        return []
    return [
        ConfigurationError(
            ring[0],
            f"cannot be combined with the one-key shorthand {shorthand}: every entry of "
            "SIGNING_KEYS/VERIFYING_KEYS names its own alg. Move the shorthand key into the list "
            '(e.g. SIGNING_KEYS = [{"alg": ALGORITHM, "key": SIGNING_KEY}]) and remove it.',
        )
    ]


def ring_problems(
    *,
    ring: bool,
    check_revoke_token: bool,
    revoke_secret: object,
    jwks_url: str | None,
    allow_http: bool,
) -> list[ConfigurationError]:
    """The revoke secret a ring needs, and a ``JWKS_URL`` that may not be fetched."""
    found = []
    if ring and check_revoke_token and revoke_secret is None:
        found.append(
            ConfigurationError(
                "REVOKE_TOKEN_SECRET",
                "is required when CHECK_REVOKE_TOKEN is on with SIGNING_KEYS/VERIFYING_KEYS: a "
                "secret derived from a key would change when the key rotates and log everyone "
                "out. Set it to a random secret of 32+ bytes, the same on every service (when "
                "moving from SIGNING_KEY, use the old SIGNING_KEY value to keep tokens valid).",
            )
        )
    fetchable = jwks_url is None or jwks_url.startswith("https://")
    if not fetchable and not (allow_http and str(jwks_url).startswith("http://")):
        found.append(
            ConfigurationError(
                "JWKS_URL",
                f"{jwks_url!r} must be an https:// URL (http:// only with "
                "JWKS_ALLOW_HTTP = True, for a trusted network).",
            )
        )
    return found


def revoke_secret(key: str, value: Any) -> str | bytes | None:
    """Parse ``REVOKE_TOKEN_SECRET``: None, or text or bytes of 32 bytes or more.

    Raises:
        ConfigurationError: it is another type or too short.
    """
    if value is None:
        return None
    if not isinstance(value, str | bytes):
        raise ConfigurationError(key, "must be a string or bytes (a random secret).")
    size = len(value.encode() if isinstance(value, str) else value)
    if size < MIN_SECRET_BYTES:
        raise ConfigurationError(key, f"is {size} bytes; use a random secret of 32 bytes or more.")
    return value
