"""Hypothesis strategies for hostile token content, and the oracle that says what is valid.

Values are drawn as Python objects with two kinds of placeholder: :class:`Raw` is JSON text
written verbatim (``1e400``, a 5,000-digit integer, 2,000 levels of nesting: valid JSON that
``json.dumps`` cannot produce) and :class:`Ref` is resolved when the token is built (a time
relative to now, the test user's id, the user's real revocation claim), so a drawn token stays
valid or invalid for the same reason however long the run takes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from hypothesis import strategies as st

from jwtflow import claims, codec
from tests.forge import b64, hs_token

#: Claims an incoming token is checked for, plus the revocation claim.
CLAIMS = ("exp", "iat", "nbf", "jti", "token_type", "user_id", "iss", "sub", "aud", "hash_password")
#: The session claims: whether a well-formed one is accepted depends on the store's sessions.
SESSION_CLAIMS = ("sid", "auth_time", "gen")
#: Header members with a meaning somewhere (JWS, JWT, RFC 7797), and one with none.
HEADER_MEMBERS = ("alg", "typ", "kid", "crit", "jku", "x5u", "jwk", "x5c", "cty", "b64", "zip")
#: Every code a 401 may carry (the public contract).
CODES_401 = frozenset(
    {
        "invalid_authorization_header",
        "token_invalid",
        "token_expired",
        "token_type_invalid",
        "token_blacklisted",
        "token_reused",
        "user_not_found",
        "user_inactive",
        "password_changed",
        "no_active_account",
    }
)
DEEP = 2000
#: JWTFLOW overrides per blacklist store (the ``store`` fixture); "redis" needs the Redis server.
STORES: dict[str, dict[str, Any]] = {
    "model": {},
    "redis": {
        "BLACKLIST_BACKEND": "jwtflow.django.stores.CacheBlacklistBackend",
        "BLACKLIST_CACHE_ALIAS": "redis",
    },
}


@dataclass(frozen=True)
class Raw:
    """JSON text placed verbatim where a value would go."""

    text: str


@dataclass(frozen=True)
class Ref:
    """A value known only when the token is built: ``now`` (+ ``offset``), ``user``, ``revoke``."""

    name: str
    offset: int = 0


@dataclass
class Context:
    """What a :class:`Ref` resolves to for one example."""

    user_id: Any
    revoke: str | None = None
    now: int = field(default_factory=lambda: int(time.time()))


# --- strategies -------------------------------------------------------------------------------

_ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
_SID_ALPHABET = st.sampled_from("ABCxyz019_-")
texts = st.one_of(
    st.text(_ANY_CHARACTER, max_size=12),
    st.sampled_from(["", "\ud800", "a\udfff", "\x00", "access", "refresh", "api", "jwt", "JWT"]),
    st.integers(min_value=0, max_value=6000).map(lambda size: "x" * size),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**100, -1, 0, 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
#: Any JSON value json.dumps can write (lone surrogates become "\udXXX" escapes).
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
#: Valid JSON that no ordinary encoder writes: overflowing numbers and deep nesting.
raw_values = st.sampled_from(
    [
        Raw("1e400"),
        Raw("-1e400"),
        Raw("9" * 5000),
        Raw("[" * DEEP + "]" * DEEP),
        Raw('{"a":' * DEEP + "1" + "}" * DEEP),
        Raw('"\\ud800"'),
        Raw('"\\udc00\\ud800"'),
    ]
)
hostile_values = st.one_of(json_values, raw_values)
#: Times around now, never within 30 s of it: the server's clock moves on while a slow (or
#: heavily loaded) test machine builds and sends the request.
relative_times = st.one_of(
    st.integers(min_value=-(10**6), max_value=-30), st.integers(min_value=30, max_value=10**6)
).map(lambda offset: Ref("now", offset))


def plausible(name: str) -> st.SearchStrategy[Any]:
    """Values of claim ``name`` that are valid, or nearly so."""
    if name in {"exp", "iat", "nbf"}:
        return relative_times | relative_times.map(lambda ref: Ref("now+half", ref.offset))
    if name == "token_type":
        return st.sampled_from(["access", "refresh", "Access", "access "])
    if name == "user_id":
        return st.sampled_from([Ref("user"), Ref("user", 1), Ref("user-text")])
    if name == "hash_password":
        return st.just(Ref("revoke"))
    if name == "aud":
        return st.sampled_from(["api", ["api"], ["api", 5], []])
    if name == "sid":
        return st.text(_SID_ALPHABET, min_size=20, max_size=66)
    if name == "auth_time":
        return relative_times
    if name == "gen":
        return st.integers(min_value=-1, max_value=3)
    return texts


def claim_values(name: str) -> st.SearchStrategy[Any]:
    """Anything at all for claim ``name``, weighted towards the interesting."""
    return st.one_of(plausible(name), hostile_values)


#: Marks a claim to leave out (``None`` is a value: JSON ``null``).
DROPPED = Raw("")


def _claim_override(name: str) -> st.SearchStrategy[tuple[str, Any]]:
    return st.tuples(st.just(name), claim_values(name) | st.just(DROPPED))


#: A few claims replaced by anything or dropped, maybe an unknown claim added.
claim_overrides = st.lists(
    st.sampled_from(CLAIMS + SESSION_CLAIMS).flatmap(_claim_override)
    | st.tuples(texts, hostile_values),
    max_size=3,
).map(dict)
_header_values = st.sampled_from(["HS256", "HS512", "RS256", "none", "JWT", "jwt", "JOSE"])
header_overrides = st.dictionaries(
    st.sampled_from(HEADER_MEMBERS) | texts,
    _header_values | hostile_values,
    min_size=1,
    max_size=3,
)
#: A segment of a compact JWS: base64url of anything, or any text at all.
segments = st.one_of(
    st.binary(max_size=64).map(b64),
    st.text(max_size=40),
    st.text(_ANY_CHARACTER, max_size=20),
    st.sampled_from(["", "e30", "bnVsbA", "W10", "=", "e30=", "a" * 9000]),
)


# --- building tokens -------------------------------------------------------------------------


def resolve(value: Any, context: Context) -> Any:
    """Replace :class:`Ref` placeholders (anywhere in ``value``) by their values."""
    if isinstance(value, Ref):
        if value.name == "now":
            return context.now + value.offset
        if value.name == "now+half":
            return context.now + value.offset + 0.5
        if value.name == "revoke":
            return context.revoke
        if value.name == "user-text":
            return str(context.user_id)
        return context.user_id + value.offset
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, context) for key, item in value.items()}
    return value


def dumps(value: Any) -> str:
    """JSON text of ``value``, with :class:`Raw` spliced in and surrogates as escapes."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, list):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        members = (f"{json.dumps(key)}:{dumps(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    return json.dumps(value)


def payload_for(
    token_type: str,
    context: Context,
    overrides: Mapping[str, Any],
    revoke: bool = False,
    audience: str | None = None,
) -> dict[str, Any]:
    """A valid payload of ``token_type`` for the context's user, then ``overrides`` applied."""
    payload: dict[str, Any] = {
        "token_type": token_type,
        "exp": Ref("now", 300),
        "iat": Ref("now", -5),
        "jti": f"property-{time.monotonic_ns()}",
        "user_id": Ref("user"),
    }
    if revoke:
        payload["hash_password"] = Ref("revoke")
    if audience is not None:
        payload["aud"] = audience
    payload.update(overrides)
    payload = {name: value for name, value in payload.items() if value is not DROPPED}
    return {name: resolve(value, context) for name, value in payload.items()}


def token(payload: Any, secret: str | bytes, header: Any = None) -> str:
    """A correctly HMAC-signed compact JWS of whatever ``payload`` and ``header`` are."""
    header_text = dumps(header) if header is not None else None
    return hs_token(dumps(payload), secret, header_text)


# --- the oracle ------------------------------------------------------------------------------


def poisoned(value: Any, depth: int = 1) -> bool:
    """Whether ``value`` holds what the codec must refuse: Raw text, lone surrogates, depth."""
    if depth > codec.MAX_JSON_DEPTH:
        return True
    if isinstance(value, Raw):
        return True
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, list):
        return any(poisoned(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return any(poisoned(key) or poisoned(item, depth + 1) for key, item in value.items())
    return False


def verdict(payload: dict[str, Any], raw: str, expect: Expect, context: Context) -> bool | None:
    """True: ``raw`` must be accepted; False: refused; None: either, by the store's sessions."""
    if len(raw) > codec.MAX_TOKEN_BYTES or not claims_valid(payload, expect, context):
        return False
    return None if any(name in payload for name in SESSION_CLAIMS) else True


def _numeric(value: Any) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= claims.MAX_NUMERIC_DATE
    )


def _column_text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and "\x00" not in value


@dataclass(frozen=True)
class Expect:
    """What the server checks: the token types it takes, whether it loads the user."""

    types: frozenset[str]
    loads_user: bool
    check_revoke: bool = False
    #: The AUDIENCE setting (ISSUER stays unset).
    audience: str | None = None


def claims_valid(payload: dict[str, Any], expect: Expect, context: Context) -> bool:
    """Whether a correctly signed ``payload`` passes the claims jwtflow checks by itself.

    ISSUER is unset; the session claims are left to :func:`verdict`.
    """
    now = context.now
    if poisoned(payload) or not _audience_valid(payload, expect.audience):
        return False
    expires, issued = payload.get("exp"), payload.get("iat")
    if not (_numeric(expires) and _numeric(issued)) or expires <= now or issued > now:
        return False
    if "nbf" in payload and not (_numeric(payload["nbf"]) and payload["nbf"] <= now):
        return False
    if any(name in payload and not isinstance(payload[name], str) for name in ("iss", "sub")):
        return False
    if not _column_text(payload.get("jti"), claims.MAX_JTI_LENGTH):
        return False
    token_type = payload.get("token_type")
    if not isinstance(token_type, str) or token_type not in expect.types:
        return False
    return _user_valid(payload, expect, context)


def _audience_valid(payload: dict[str, Any], audience: str | None) -> bool:
    if "aud" not in payload:
        return audience is None
    presented = payload["aud"]
    presented = [presented] if isinstance(presented, str) else presented
    if not isinstance(presented, list) or not all(isinstance(item, str) for item in presented):
        return False
    return audience is not None and audience in presented


def _user_valid(payload: dict[str, Any], expect: Expect, context: Context) -> bool:
    user_id = payload.get("user_id")
    if not (_column_text(user_id, 255) or (type(user_id) is int and abs(user_id) < 2**63)):
        return False
    if not expect.loads_user:
        return True
    if type(user_id) is not int or user_id != context.user_id:
        return False
    return not expect.check_revoke or payload.get("hash_password") == context.revoke


def header_valid(header: dict[str, Any]) -> bool | None:
    """Whether a token with this protected header must be accepted (HS256 configured).

    None: it depends on the key ring (a string ``kid`` may or may not name a known key).
    """
    if poisoned(header) or header.get("alg") != "HS256":
        return False
    if any(name in header for name in ("jku", "x5u", "jwk", "x5c", "crit")):
        return False
    if "kid" in header and not isinstance(header["kid"], str):
        return False
    if header.get("b64", True) is False:
        return False
    typ = header.get("typ", "JWT")
    if not isinstance(typ, str) or typ.upper() != "JWT":
        return False
    return None if "kid" in header else True
