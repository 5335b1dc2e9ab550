"""The key ring: every key a runtime signs and verifies with, parsed once, found by ``kid``.

A ring comes from ``SIGNING_KEYS`` (the first signs, all verify) plus ``VERIFYING_KEYS``
(verify-only), or from the one-key shorthand ``SIGNING_KEY``/``VERIFYING_KEY``/``ALGORITHM``.
Each key has a ``kid`` (given, or its RFC 7638 thumbprint) and exactly one algorithm. A ring
without a signing key verifies only (``can_sign`` is False).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from jwtflow.config import Config
from jwtflow.errors import ConfigurationError, StoreUnavailable, TokenError
from jwtflow.jwk import public_jwk, secret_jwk, thumbprint
from jwtflow.keyparse import (
    HMAC_MIN_BYTES,
    Slot,
    as_bytes,
    check_kind,
    hmac_secret,
    load_entry,
    load_pem,
    looks_like_pem,
    spki,
)
from jwtflow.keyspec import KeySpec

_REVOKE_CONTEXT = b"jwtflow.revoke-token-claim"


@dataclass(frozen=True)
class Key:
    """One key: its ``kid``, its one algorithm, and the parsed key objects (never printed)."""

    kid: str
    alg: str
    #: The private key or HMAC secret; None for a verify-only key.
    signing: Any = field(default=None, repr=False)
    #: The public key or HMAC secret.
    verifying: Any = field(default=None, repr=False)
    #: What the codec derives from this key once and reuses per token (its prepared PyJWT
    #: algorithm and keys); not part of the key's identity.
    prepared: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, alg: str, signing: Any, verifying: Any, kid: str | None = None) -> Key:
        """A key whose ``kid`` defaults to the RFC 7638 thumbprint of its (public) JWK."""
        if kid is None:
            jwk = secret_jwk(verifying) if alg in HMAC_MIN_BYTES else public_jwk(verifying)
            kid = thumbprint(jwk)
        return cls(kid, alg, signing, verifying)

    @property
    def public_jwk(self) -> dict[str, str] | None:
        """The publishable JWK with kid, alg and use; None for an HMAC secret."""
        if self.alg in HMAC_MIN_BYTES:
            return None
        return {**public_jwk(self.verifying), "kid": self.kid, "alg": self.alg, "use": "sig"}


class KeySource(Protocol):
    """Keys from elsewhere (a remote JWK Set), consulted after the ring's own keys."""

    @property
    def loaded(self) -> bool:
        """Whether the source has any keys to offer yet."""

    def get(self, kid: str) -> Key | None:
        """The key with this kid, or None."""

    def keys(self) -> tuple[Key, ...]:
        """Every key of the source."""


@dataclass(frozen=True)
class KeyRing:
    """The keys a runtime signs and verifies with; build it with :meth:`from_config`.

    ``remote`` (``JWKS_URL``) adds verifying keys fetched from the issuer; the ring's own keys
    are consulted first.
    """

    keys: tuple[Key, ...]
    revoke_secret: bytes = field(repr=False)
    remote: KeySource | None = field(default=None, repr=False, compare=False)
    #: The setting a signing key would come from, for the verify-only error.
    signing_setting: str = field(default="SIGNING_KEYS", repr=False, compare=False)
    _by_kid: dict[str, Key] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_kid", {key.kid: key for key in self.keys})

    @classmethod
    def from_config(cls, config: Config, remote: KeySource | None = None) -> KeyRing:
        """Parse and check the key material of ``config``; ``remote`` serves ``JWKS_URL``.

        Raises:
            ConfigurationError: a key is missing, unreadable, too weak, does not fit its
                algorithm, or shares its kid with another; the message names its position.
        """
        if config.signing_keys or config.verifying_keys or config.jwks_url:
            return cls(_ring_keys(config), _revoke_secret(config, b""), remote)
        key, material = _shorthand_key(config)
        return cls((key,), _revoke_secret(config, material), signing_setting="SIGNING_KEY")

    @property
    def can_sign(self) -> bool:
        """Whether this ring can issue tokens (False for a verify-only service)."""
        return bool(self.keys) and self.keys[0].signing is not None

    @property
    def signer(self) -> Key:
        """The key new tokens are signed with.

        Raises:
            ConfigurationError: the ring is verify-only.
        """
        if not self.can_sign:
            raise ConfigurationError(
                self.signing_setting,
                "is not set, so this service only verifies tokens and cannot issue them. "
                "Configure a signing key on the service that issues tokens.",
            )
        return self.keys[0]

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK Set of the ring's public keys (HMAC secrets are never in it)."""
        return {"keys": [jwk for key in self.keys if (jwk := key.public_jwk) is not None]}

    def local(self, kid: str) -> Key | None:
        """The ring's own key with this kid (not a remote one), or None."""
        return self._by_kid.get(kid)

    def select(self, header: Mapping[str, Any]) -> Key:
        """The key that must have signed a token with this protected ``header``.

        Raises:
            TokenError: the kid is malformed or unknown, the token has no kid and the ring more
                than one key, or the header's ``alg`` is not that key's algorithm.
            StoreUnavailable: the key would come from ``JWKS_URL``, which was never fetched.
        """
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenError("Token header 'kid' must be a string.")
        if self.remote is not None and not self.remote.loaded and self._missing(kid):
            raise StoreUnavailable("The issuer's keys (JWKS_URL) could not be fetched.")
        key = self._only() if kid is None else self._find(kid)
        if header.get("alg") != key.alg:
            raise TokenError("Token algorithm is not allowed.")
        return key

    def _missing(self, kid: str | None) -> bool:
        return not self.keys if kid is None else kid not in self._by_kid

    def _only(self) -> Key:
        candidates = self.keys + (self.remote.keys() if self.remote is not None else ())
        if len(candidates) != 1:
            raise TokenError("Token has no 'kid' header; this server has several keys.")
        return candidates[0]

    def _find(self, kid: str) -> Key:
        found = self._by_kid.get(kid)
        if found is None and self.remote is not None:
            found = self.remote.get(kid)
        if found is None:
            raise TokenError("Token key id is not known.")
        return found


def _ring_keys(config: Config) -> tuple[Key, ...]:
    slots = [(Slot("SIGNING_KEYS", i), True, spec) for i, spec in enumerate(config.signing_keys)]
    slots += [(Slot("VERIFYING_KEYS", i), False, s) for i, s in enumerate(config.verifying_keys)]
    seen: dict[str, Slot] = {}
    keys = []
    for slot, signing, spec in slots:
        key = _entry_key(slot, spec, signing=signing)
        other = seen.setdefault(key.kid, slot)
        if other is not slot:
            raise slot.error(
                f"has kid {key.kid!r}, like {other.setting} entry [{other.position}]. Give each "
                "key its own kid (or drop kid to use the key's thumbprint); list a key once."
            )
        keys.append(key)
    return tuple(keys)


def _entry_key(slot: Slot, spec: KeySpec, *, signing: bool) -> Key:
    kid = spec.kid
    if isinstance(spec.key, dict):
        if spec.key.get("alg", spec.alg) != spec.alg:
            raise slot.error(f"is a JWK for {spec.key['alg']!r} but its alg is {spec.alg!r}.")
        kid = kid or spec.key.get("kid")
    signing_key, verifying_key = load_entry(slot, spec.alg, spec.key, signing=signing)
    return Key.build(spec.alg, signing_key, verifying_key, kid)


def _revoke_secret(config: Config, derived_from: bytes) -> bytes:
    # REVOKE_TOKEN_SECRET wins; otherwise the one-key shorthand keeps deriving the secret from its
    # key, as it always did, so upgrading does not invalidate the claims of tokens in flight.
    material = derived_from
    if config.revoke_token_secret is not None:
        material = as_bytes(config.revoke_token_secret)
    return hmac.new(material, _REVOKE_CONTEXT, hashlib.sha256).digest()


def _shorthand_key(config: Config) -> tuple[Key, bytes]:
    material = as_bytes(config.signing_key) if config.signing_key else None
    verifying = as_bytes(config.verifying_key) if config.verifying_key else None
    algorithm = config.algorithm
    if algorithm in HMAC_MIN_BYTES:
        signing_key, verifying_key = _hmac_keys(algorithm, material, verifying)
        derived_from = verifying_key
    elif material is not None:
        signing_key, verifying_key = _asymmetric_keys(algorithm, material, verifying)
        derived_from = material
    else:
        signing_key, verifying_key = None, _public_key(algorithm, verifying)
        derived_from = _no_revoke_secret(config)
    return Key.build(algorithm, signing_key, verifying_key), derived_from


def _hmac_keys(
    algorithm: str, secret: bytes | None, verifying: bytes | None
) -> tuple[bytes | None, bytes]:
    if secret is None:
        # Verify-only: VERIFYING_KEY is the shared secret, checked like a signing key.
        return None, hmac_secret(Slot("VERIFYING_KEY"), algorithm, verifying or b"")
    hmac_secret(Slot("SIGNING_KEY"), algorithm, secret)
    if verifying is not None and verifying != secret:
        raise ConfigurationError(
            "VERIFYING_KEY",
            f"differs from SIGNING_KEY under {algorithm}: HMAC verifies with the signing secret "
            "itself. Leave VERIFYING_KEY unset (or equal to SIGNING_KEY); set only VERIFYING_KEY "
            "for a service that verifies and never issues.",
        )
    return secret, secret


def _public_key(algorithm: str, verifying: bytes | None) -> Any:
    slot = Slot("VERIFYING_KEY")
    public_key = load_pem(slot, verifying or b"", private=False)
    check_kind(slot, algorithm, public_key)
    return public_key


def _no_revoke_secret(config: Config) -> bytes:
    if config.check_revoke_token and config.revoke_token_secret is None:
        raise ConfigurationError(
            "CHECK_REVOKE_TOKEN",
            "needs SIGNING_KEY or REVOKE_TOKEN_SECRET: the revocation claim is keyed by a secret "
            "a verify-only service with a public key does not have. Set REVOKE_TOKEN_SECRET to "
            "the issuer's value, or turn CHECK_REVOKE_TOKEN off on verifiers.",
        )
    return b""


def _asymmetric_keys(algorithm: str, material: bytes, verifying: bytes | None) -> tuple[Any, Any]:
    slot = Slot("SIGNING_KEY")
    if not looks_like_pem(material):
        raise slot.error(
            f"must be a PEM-encoded private key under {algorithm}, not a plain secret. Use an "
            "HS* ALGORITHM for shared secrets.",
        )
    private_key = load_pem(slot, material, private=True)
    check_kind(slot, algorithm, private_key.public_key())
    public_key = private_key.public_key()
    if verifying is not None:
        public_key = _public_key(algorithm, verifying)
        if spki(public_key) != spki(private_key.public_key()):
            raise ConfigurationError(
                "VERIFYING_KEY", "is not the public half of SIGNING_KEY; tokens would never verify."
            )
    return private_key, public_key
