"""The frozen :class:`Config`, built once from a settings mapping and checked field by field.

Key material is checked by :mod:`jwtflow.keys` (it has to parse it anyway); backends and rules stay
opaque here because resolving them is the framework adapter's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jwtflow import settingvalues as parse
from jwtflow.errors import ConfigurationError
from jwtflow.keysettings import KEY_SOURCES, mixing_problems, revoke_secret, ring_problems
from jwtflow.keyspec import KeySpec

#: Algorithms jwtflow signs and verifies with (defined beside their parser).
ALGORITHMS = parse.ALGORITHMS
#: Claims jwtflow mints and checks itself; settings may not reuse these names.
RESERVED_CLAIMS = frozenset(
    {"exp", "iat", "nbf", "jti", "iss", "aud", "token_type", "sid", "auth_time", "gen"}
)
DEFAULT_USER_ID_FIELD_ALLOWLIST = ("id", "pk", "uuid", "username", "email")
DEFAULT_RULE = "jwtflow.rules.default_user_authentication_rule"
DEFAULT_BLACKLIST_BACKEND = "jwtflow.django.stores.ModelBlacklistBackend"


@dataclass(frozen=True)
class Config:
    """Every jwtflow setting, validated; build it with :meth:`from_mapping`.

    Keys come either from ``signing_keys``/``verifying_keys`` (a key ring) or from the one-key
    shorthand ``signing_key``/``verifying_key``/``algorithm``. Without a signing key the service
    is verify-only: it checks tokens and issues none.
    """

    signing_key: str | bytes | None = None
    verifying_key: str | bytes | None = None
    algorithm: str = "HS256"
    access_token_lifetime: timedelta = timedelta(minutes=5)
    refresh_token_lifetime: timedelta = timedelta(days=1)
    issuer: str | None = None
    audience: tuple[str, ...] | None = None
    leeway: float = 0.0
    user_id_claim: str = "user_id"
    user_id_field: str = "id"
    user_id_field_allowlist: tuple[str, ...] = DEFAULT_USER_ID_FIELD_ALLOWLIST
    auth_header_types: tuple[str, ...] = ("Bearer",)
    check_user_is_active: bool = True
    check_revoke_token: bool = False
    revoke_token_claim: str = "hash_password"
    user_authentication_rule: object = DEFAULT_RULE
    blacklist_enabled: bool = True
    blacklist_backend: object = DEFAULT_BLACKLIST_BACKEND
    blacklist_cache_alias: str = "default"
    blacklist_allow_locmem: bool = False
    rotate_refresh_tokens: bool = True
    session_max_lifetime: timedelta | None = timedelta(days=30)
    reuse_grace_period: float = 0.0
    access_token_revocation: bool = True
    blacklist_redis_url: str | None = None
    signing_keys: tuple[KeySpec, ...] = ()
    verifying_keys: tuple[KeySpec, ...] = ()
    revoke_token_secret: str | bytes | None = None
    jwks_cache_seconds: float = 300.0
    jwks_url: str | None = None
    jwks_min_refresh_seconds: float = 30.0
    jwks_timeout_seconds: float = 3.0
    jwks_allow_http: bool = False
    user_cache_seconds: float = 0.0
    user_cache_alias: str = "default"

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> Config:
        """Build a Config from ``{"SIGNING_KEY": ..., ...}``.

        Raises:
            ConfigurationError: the first problem :func:`problems` finds.
        """
        config, found = _parse(settings)
        if config is None:
            raise found[0]
        return config


def problems(settings: Mapping[str, Any]) -> list[ConfigurationError]:
    """Every problem of a settings mapping, one error per key (empty when it is valid)."""
    return _parse(settings)[1]


def _parse(settings: Mapping[str, Any]) -> tuple[Config | None, list[ConfigurationError]]:
    if not isinstance(settings, Mapping):
        return None, [ConfigurationError("*", "settings must be a dict of jwtflow keys.")]
    found = [_unknown_key(key) for key in settings if key not in _PARSERS]
    if not any(settings.get(key) for key in KEY_SOURCES):
        found.append(
            ConfigurationError(
                "SIGNING_KEY",
                "is required. Set it to a random secret of at least 32 bytes for HS256 "
                "(`python -c 'import secrets; print(secrets.token_urlsafe(48))'` or `jwtflow "
                "keygen --alg HS256`) or to a PEM private key for RS/PS/ES/EdDSA, or list keys "
                "in SIGNING_KEYS. A service that only verifies tokens sets "
                "VERIFYING_KEY or VERIFYING_KEYS (HMAC secrets or public keys) instead.",
            )
        )
    found += mixing_problems(settings)
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key in _PARSERS:
            try:
                values[_FIELD_NAMES[key]] = _PARSERS[key](key, value)
            except ConfigurationError as error:
                found.append(error)
    if found:
        return None, found
    config = Config(**values)
    found = _cross_field_problems(config)
    return (None if found else config), found


def _unknown_key(key: object) -> ConfigurationError:
    # Imported here: only a misspelt setting needs it, and it is slow to import.
    import difflib

    close = difflib.get_close_matches(str(key), _PARSERS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigurationError(str(key), f"is not a jwtflow setting.{hint}")


def _cross_field_problems(config: Config) -> list[ConfigurationError]:
    found = []
    if config.user_id_field not in config.user_id_field_allowlist:
        found.append(
            ConfigurationError(
                "USER_ID_FIELD",
                f"{config.user_id_field!r} is not in USER_ID_FIELD_ALLOWLIST "
                f"{list(config.user_id_field_allowlist)}. Use a unique, non-secret field, or add "
                "it to USER_ID_FIELD_ALLOWLIST if you are sure it is one.",
            )
        )
    for key, claim in (
        ("USER_ID_CLAIM", config.user_id_claim),
        ("REVOKE_TOKEN_CLAIM", config.revoke_token_claim),
    ):
        if claim in RESERVED_CLAIMS:
            found.append(
                ConfigurationError(key, f"{claim!r} is a claim jwtflow sets itself; pick another.")
            )
    found += ring_problems(
        ring=bool(config.signing_keys or config.verifying_keys or config.jwks_url),
        check_revoke_token=config.check_revoke_token,
        revoke_secret=config.revoke_token_secret,
        jwks_url=config.jwks_url,
        allow_http=config.jwks_allow_http,
    )
    if config.user_id_claim == config.revoke_token_claim:
        found.append(
            ConfigurationError(
                "REVOKE_TOKEN_CLAIM", "must differ from USER_ID_CLAIM; pick another name."
            )
        )
    return found


_Parser = Callable[[str, Any], Any]
_PARSERS: dict[str, _Parser] = {
    "SIGNING_KEY": parse.key_material,
    "VERIFYING_KEY": parse.key_material,
    "ALGORITHM": parse.algorithm,
    "ACCESS_TOKEN_LIFETIME": parse.lifetime,
    "REFRESH_TOKEN_LIFETIME": parse.lifetime,
    "ISSUER": parse.optional_string,
    "AUDIENCE": parse.optional_strings,
    "LEEWAY": parse.leeway,
    "USER_ID_CLAIM": parse.string,
    "USER_ID_FIELD": parse.string,
    "USER_ID_FIELD_ALLOWLIST": parse.strings,
    "AUTH_HEADER_TYPES": parse.header_types,
    "CHECK_USER_IS_ACTIVE": parse.boolean,
    "CHECK_REVOKE_TOKEN": parse.boolean,
    "REVOKE_TOKEN_CLAIM": parse.string,
    "USER_AUTHENTICATION_RULE": parse.opaque,
    "BLACKLIST_ENABLED": parse.boolean,
    "BLACKLIST_BACKEND": parse.opaque,
    "BLACKLIST_CACHE_ALIAS": parse.string,
    "BLACKLIST_ALLOW_LOCMEM": parse.boolean,
    "ROTATE_REFRESH_TOKENS": parse.boolean,
    "SESSION_MAX_LIFETIME": parse.optional_lifetime,
    "REUSE_GRACE_PERIOD": parse.grace_period,
    "ACCESS_TOKEN_REVOCATION": parse.boolean,
    "BLACKLIST_REDIS_URL": parse.optional_string,
    "SIGNING_KEYS": parse.keys,
    "VERIFYING_KEYS": parse.keys,
    "REVOKE_TOKEN_SECRET": revoke_secret,
    "JWKS_CACHE_SECONDS": parse.cache_seconds,
    "JWKS_URL": parse.optional_string,
    "JWKS_MIN_REFRESH_SECONDS": parse.min_refresh,
    "JWKS_TIMEOUT_SECONDS": parse.timeout,
    "JWKS_ALLOW_HTTP": parse.boolean,
    "USER_CACHE_SECONDS": parse.user_cache_seconds,
    "USER_CACHE_ALIAS": parse.string,
}
_FIELD_NAMES = {key: key.lower() for key in _PARSERS}
