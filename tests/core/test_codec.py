"""The codec: shape and size caps, header rules, strict JSON, signatures, every algorithm."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import string
from collections.abc import Callable
from typing import Any

import pytest

from jwtflow import codec
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.keys import KeyRing
from tests.forge import b64, hs_token, segment
from tests.pem import KeyPair

from .helpers import ALGORITHM_CASES, SECRET

PAYLOAD = {"sub": "1", "n": 1}


@pytest.fixture(scope="module")
def keys() -> KeyRing:
    return KeyRing.from_config(Config.from_mapping({"SIGNING_KEY": SECRET}))


@pytest.fixture
def rsa_keys(pem: Callable[[str], KeyPair]) -> KeyRing:
    settings = {"SIGNING_KEY": pem("rsa").private, "ALGORITHM": "RS256"}
    return KeyRing.from_config(Config.from_mapping(settings))


def rejected(raw: Any, keys: KeyRing, message: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        codec.decode(raw, keys)
    error = caught.value
    assert type(error) is TokenError
    assert error.code == "token_invalid"
    assert error.message == message
    if isinstance(raw, str) and raw:
        assert raw not in str(error)
        for part in raw.split("."):
            assert len(part) < 8 or part not in error.message
    return error


def test_round_trip(keys: KeyRing) -> None:
    raw = codec.encode(PAYLOAD, keys)
    assert codec.decode(raw, keys) == PAYLOAD


def test_encoded_header_is_typed_and_names_the_key(keys: KeyRing) -> None:
    header = json.loads(base64.urlsafe_b64decode(codec.encode(PAYLOAD, keys).split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT", "kid": keys.signer.kid}


def test_encode_does_not_mutate_the_payload(keys: KeyRing) -> None:
    payload = {"a": [1, 2]}
    codec.encode(payload, keys)
    assert payload == {"a": [1, 2]}


@pytest.mark.parametrize(("algorithm", "key_name"), ALGORITHM_CASES)
def test_every_algorithm_round_trips(
    algorithm: str, key_name: str | None, signing_settings: Callable[..., dict[str, Any]]
) -> None:
    ring = KeyRing.from_config(Config.from_mapping(signing_settings(algorithm, key_name)))
    raw = codec.encode(PAYLOAD, ring)
    assert codec.decode(raw, ring) == PAYLOAD
    header = json.loads(base64.urlsafe_b64decode(raw.split(".")[0] + "=="))
    assert header["alg"] == algorithm


@pytest.mark.parametrize(("algorithm", "key_name"), ALGORITHM_CASES)
def test_every_algorithm_rejects_a_changed_payload(
    algorithm: str, key_name: str | None, signing_settings: Callable[..., dict[str, Any]]
) -> None:
    ring = KeyRing.from_config(Config.from_mapping(signing_settings(algorithm, key_name)))
    header, _, signature = codec.encode(PAYLOAD, ring).split(".")
    forged = f"{header}.{segment({'sub': '2', 'n': 1})}.{signature}"
    rejected(forged, ring, "Token signature is invalid.")


def test_token_signed_by_another_key_pair_is_rejected(pem: Callable[[str], KeyPair]) -> None:
    def ring(name: str) -> KeyRing:
        # One kid for both keys: the signature check, not the key lookup, must refuse it.
        entry = {"alg": "RS256", "key": pem(name).private, "kid": "same"}
        return KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))

    raw = codec.encode(PAYLOAD, ring("rsa-other"))
    rejected(raw, ring("rsa"), "Token signature is invalid.")


def test_token_signed_with_another_secret_is_rejected(keys: KeyRing) -> None:
    rejected(hs_token(PAYLOAD, SECRET + "?"), keys, "Token signature is invalid.")


@pytest.mark.parametrize("raw", [b"a.b.c", None, 5, ["a", "b", "c"]])
def test_token_must_be_a_string(raw: Any, keys: KeyRing) -> None:
    rejected(raw, keys, "Token must be a string.")


def test_token_over_8_kib_is_rejected_before_decoding(keys: KeyRing) -> None:
    oversized = hs_token({**PAYLOAD, "pad": "x" * 8192}, SECRET)
    rejected(oversized, keys, "Token is too large.")
    rejected("a" * 8193, keys, "Token is too large.")


def test_token_of_exactly_8_kib_is_accepted(keys: KeyRing) -> None:
    # A payload segment is never 4n+1 characters long, so for a given header some totals cannot
    # occur: headers padded with 0-2 spaces make sure 8192 does.
    kid = keys.signer.kid
    headers = [f'{{"alg":"HS256",{" " * pad}"kid":"{kid}"}}' for pad in range(3)]
    tokens = [hs_token({"pad": "x" * n}, SECRET, h) for h in headers for n in range(5950, 6050)]
    raw = next(token for token in tokens if len(token) == codec.MAX_TOKEN_BYTES)
    assert len(raw) == codec.MAX_TOKEN_BYTES
    assert codec.decode(raw, keys)["pad"].startswith("x")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "abc.def",
        "abc.def.ghi.jkl",
        "abc..ghi",
        ".def.ghi",
        "abc.def.",
        " abc.def.ghi",
        "abc.def.ghi\n",
        "abc.d+f.ghi",
        "abc.d/f.ghi",
        "abc=.def.ghi",
        "äbc.def.ghi",
        "abc.def.gh\u0131",
        "Bearer abc.def.ghi",
    ],
)
def test_token_that_is_not_three_base64url_segments_is_rejected(raw: str, keys: KeyRing) -> None:
    rejected(raw, keys, "Token is not a compact JWS of three base64url segments.")


def test_unsigned_token_is_rejected_as_malformed(keys: KeyRing) -> None:
    raw = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(PAYLOAD)}."
    rejected(raw, keys, "Token is not a compact JWS of three base64url segments.")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "NoNe"])
def test_alg_none_is_rejected_in_any_letter_case(alg: str, keys: KeyRing) -> None:
    raw = f"{segment({'alg': alg, 'typ': 'JWT'})}.{segment(PAYLOAD)}.{b64(b'signature')}"
    rejected(raw, keys, "Unsigned tokens are not accepted.")


@pytest.mark.parametrize(
    "header", [{"typ": "JWT"}, {"alg": None}, {"alg": 256}, {"alg": ["HS256"]}]
)
def test_header_without_a_string_alg_is_rejected(header: dict[str, Any], keys: KeyRing) -> None:
    rejected(hs_token(PAYLOAD, SECRET, header), keys, "Unsigned tokens are not accepted.")


@pytest.mark.parametrize("alg", ["HS384", "HS512", "hs256", "RS256", "ES256", "EdDSA", "HS256 "])
def test_header_alg_other_than_configured_is_rejected(alg: str, keys: KeyRing) -> None:
    raw = hs_token(PAYLOAD, SECRET, {"alg": alg, "typ": "JWT"})
    rejected(raw, keys, "Token algorithm is not allowed.")


def test_hs256_token_keyed_with_the_rsa_public_key_is_rejected(
    rsa_keys: KeyRing, pem: Callable[[str], KeyPair]
) -> None:
    # The classic key-confusion attack: HMAC keyed with the server's public PEM.
    public_pem = pem("rsa").public
    raw = hs_token(PAYLOAD, public_pem, alg="HS256")
    rejected(raw, rsa_keys, "Token algorithm is not allowed.")


def test_hmac_signature_under_an_rsa_header_is_rejected(
    rsa_keys: KeyRing, pem: Callable[[str], KeyPair]
) -> None:
    signing_input = f"{segment({'alg': 'RS256', 'typ': 'JWT'})}.{segment(PAYLOAD)}"
    digest = hmac.new(pem("rsa").public, signing_input.encode(), hashlib.sha256).digest()
    rejected(f"{signing_input}.{b64(digest)}", rsa_keys, "Token signature is invalid.")


@pytest.mark.parametrize("name", ["jku", "x5u", "jwk", "x5c"])
def test_key_pointing_header_parameters_are_rejected(name: str, keys: KeyRing) -> None:
    header = {"alg": "HS256", "typ": "JWT", name: "https://attacker.example/key"}
    raw = hs_token(PAYLOAD, SECRET, header)
    rejected(raw, keys, f"Token header parameter {name!r} is not accepted.")


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "HS256", "crit": ["exp"]},
        {"alg": "HS256", "crit": ["b64"], "b64": False},
        {"alg": "HS256", "crit": []},
        {"alg": "HS256", "crit": "x"},
    ],
)
def test_crit_header_is_rejected(header: dict[str, Any], keys: KeyRing) -> None:
    raw = hs_token(PAYLOAD, SECRET, header)
    rejected(raw, keys, "Token requires extensions this server does not understand.")


@pytest.mark.parametrize("typ", ["JWS", "at+jwt", "", 1, None, ["JWT"]])
def test_typ_other_than_jwt_is_rejected(typ: Any, keys: KeyRing) -> None:
    raw = hs_token(PAYLOAD, SECRET, {"alg": "HS256", "typ": typ})
    rejected(raw, keys, "Token header 'typ' must be 'JWT'.")


@pytest.mark.parametrize("header", [{"alg": "HS256"}, {"alg": "HS256", "typ": "jwt"}])
def test_typ_may_be_missing_or_lower_case(header: dict[str, Any], keys: KeyRing) -> None:
    assert codec.decode(hs_token(PAYLOAD, SECRET, header), keys) == PAYLOAD


@pytest.mark.parametrize(
    "header",
    [
        '{"alg":"HS256","alg":"none"}',
        '{"alg":"HS256","typ":"JWT","typ":"JWT"}',
        '{"alg":"HS256","x":NaN}',
        '{"alg":"HS256","x":Infinity}',
        '{"alg":"HS256","x":-Infinity}',
        '{"alg":"HS256"',
        "not json",
    ],
)
def test_header_that_is_not_strict_json_is_rejected(header: str, keys: KeyRing) -> None:
    raw = hs_token(PAYLOAD, SECRET, header)
    rejected(raw, keys, "Token header is not valid base64url-encoded JSON.")


@pytest.mark.parametrize("part", ["header", "payload"])
def test_json_nested_deeper_than_the_parser_goes_is_rejected(part: str, keys: KeyRing) -> None:
    nested = "[" * 2500 + "]" * 2500
    try:
        json.loads(nested)
    except RecursionError:  # Python 3.11 and 3.12: the parser gives up
        expected = f"Token {part} is not valid base64url-encoded JSON."
    else:  # Python 3.13 parses it: a list, not an object
        expected = f"Token {part} is not a JSON object."
    raw = hs_token(PAYLOAD, SECRET, nested) if part == "header" else hs_token(nested, SECRET)
    rejected(raw, keys, expected)


def test_header_that_is_not_utf8_is_rejected(keys: KeyRing) -> None:
    header = b64(b"\xff\xfe{}")
    raw = f"{header}.{segment(PAYLOAD)}.{b64(b'sig')}"
    rejected(raw, keys, "Token header is not valid base64url-encoded JSON.")


def test_header_segment_of_impossible_length_is_rejected(keys: KeyRing) -> None:
    # 4n+1 base64 characters cannot encode whole bytes.
    raw = f"abcde.{segment(PAYLOAD)}.{b64(b'sig')}"
    rejected(raw, keys, "Token header is not valid base64url-encoded JSON.")


@pytest.mark.parametrize("header", ["[]", '"HS256"', "1", "null"])
def test_header_that_is_not_an_object_is_rejected(header: str, keys: KeyRing) -> None:
    rejected(hs_token(PAYLOAD, SECRET, header), keys, "Token header is not a JSON object.")


@pytest.mark.parametrize(
    "payload",
    [
        '{"sub":"1","sub":"2"}',
        '{"exp":NaN}',
        '{"exp":Infinity}',
        '{"exp":-Infinity}',
        '{"sub":',
        "plain text",
        b"\xff\xfe",
    ],
)
def test_signed_payload_that_is_not_strict_json_is_rejected(
    payload: str | bytes, keys: KeyRing
) -> None:
    raw = hs_token(payload, SECRET)
    rejected(raw, keys, "Token payload is not valid base64url-encoded JSON.")


@pytest.mark.parametrize("payload", ["[]", '"text"', "42", "null", "true"])
def test_signed_payload_that_is_not_an_object_is_rejected(payload: str, keys: KeyRing) -> None:
    rejected(hs_token(payload, SECRET), keys, "Token payload is not a JSON object.")


@pytest.mark.parametrize(
    ("header", "signature"),
    [
        ({"alg": "HS256", "typ": "JWT"}, "A"),
        ({"alg": "HS256", "typ": "JWT", "b64": False}, None),
    ],
)
def test_other_pyjwt_failures_are_mapped(
    header: dict[str, Any], signature: str | None, keys: KeyRing
) -> None:
    raw = hs_token(PAYLOAD, SECRET, header)
    if signature is not None:
        raw = raw.rsplit(".", 1)[0] + "." + signature
    error = rejected(raw, keys, "Token could not be decoded.")
    assert error.__cause__ is None
    assert error.__suppress_context__


def _respelled(text: str) -> str:
    """The same bytes with the unused bits of the last character set: a second spelling."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    unused = {2: 0b1111, 3: 0b11}[len(text) % 4]
    return text[:-1] + alphabet[alphabet.index(text[-1]) | unused]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_second_spelling_of_any_segment_is_rejected(index: int, keys: KeyRing) -> None:
    # Lengths of 4n+2 or 4n+3 characters leave unused bits in every segment (HS256: 43 chars).
    header_segment = segment({"alg": "HS256", "typ": "JWT", "x": "a"})
    parts = [header_segment, segment({**PAYLOAD, "x": "a"}), ""]
    assert all(len(part) % 4 in (2, 3) for part in parts[:2])
    parts[index] = _respelled(parts[index]) if index < 2 else ""
    digest = hmac.new(SECRET.encode(), ".".join(parts[:2]).encode(), hashlib.sha256).digest()
    parts[2] = b64(digest) if index < 2 else _respelled(b64(digest))
    assert codec.unverified(".".join(parts))[1] == {**PAYLOAD, "x": "a"}
    rejected(".".join(parts), keys, "Token could not be decoded.")


def test_pyjwt_wording_never_reaches_the_message(keys: KeyRing) -> None:
    error = rejected(hs_token(PAYLOAD, SECRET + "?"), keys, "Token signature is invalid.")
    assert "verification failed" not in error.message.lower()
    assert error.__suppress_context__


# -- JSON that parses but that no claim may hold (issue 5) ------------------------------------


def _with_member(part: str, member: str, keys: KeyRing) -> str:
    """A correctly signed token whose header or payload JSON text has ``member`` added."""
    header, payload = '{"alg":"HS256","typ":"JWT"', '{"sub":"1"'
    if part == "header":
        header += "," + member
    else:
        payload += "," + member
    return hs_token(payload + "}", SECRET, header + "}")


@pytest.mark.parametrize("part", ["header", "payload"])
@pytest.mark.parametrize(
    "member",
    [
        '"hash_password":"\\ud800"',
        '"jti":"a\\udfffb"',
        '"x":["\\udc00\\ud800"]',
        '"\\ud800":1',
        '"x":{"y":"\\udbff"}',
    ],
)
def test_lone_surrogate_escapes_are_rejected_anywhere(
    part: str, member: str, keys: KeyRing
) -> None:
    # Guards 1d843d2: "\ud800" is valid JSON but no store, comparison or encoder takes it
    # (UnicodeEncodeError in the revoke-claim check and the model store: 500s).
    raw = _with_member(part, member, keys)
    rejected(raw, keys, f"Token {part} is not valid base64url-encoded JSON.")


def test_surrogate_pair_escapes_are_accepted(keys: KeyRing) -> None:
    raw = _with_member("payload", '"x":"\\ud83d\\ude00"', keys)
    assert codec.decode(raw, keys)["x"] == "\U0001f600"


@pytest.mark.parametrize("part", ["header", "payload"])
@pytest.mark.parametrize("literal", ["1e400", "-1e400", "1E+999", "[0.5,1e309]"])
def test_numbers_that_overflow_a_double_are_rejected_anywhere(
    part: str, literal: str, keys: KeyRing
) -> None:
    # 1e400 parses to infinity: a carried claim holding it made minting the next token fail
    # with ValueError (RefreshToken.access_token, rotate) instead of refusing the token.
    raw = _with_member(part, f'"x":{literal}', keys)
    rejected(raw, keys, f"Token {part} is not valid base64url-encoded JSON.")


def test_large_finite_numbers_are_accepted(keys: KeyRing) -> None:
    raw = _with_member("payload", '"x":[1e308,-1.5e-300,123456789012345678901234567890]', keys)
    assert codec.decode(raw, keys)["x"] == [1e308, -1.5e-300, 123456789012345678901234567890]


def _nested(depth: int) -> str:
    """JSON ``depth`` levels deep, alternating arrays and objects."""
    opening = "".join("[" if level % 2 else '{"k":' for level in range(depth))
    closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
    return opening + "1" + closing


@pytest.mark.parametrize("part", ["header", "payload"])
def test_json_nested_past_the_depth_cap_is_rejected(part: str, keys: KeyRing) -> None:
    # Parsing depth otherwise depends on the interpreter's recursion limit (and on the stack
    # the request arrives on): the cap makes the answer the same everywhere.
    raw = _with_member(part, '"x":' + _nested(codec.MAX_JSON_DEPTH), keys)
    rejected(raw, keys, f"Token {part} is nested too deeply.")


@pytest.mark.parametrize("part", ["header", "payload"])
def test_json_with_many_brackets_but_shallow_is_accepted(part: str, keys: KeyRing) -> None:
    raw = _with_member(part, '"x":[' + ",".join(['{"k":[1]}'] * codec.MAX_JSON_DEPTH) + "]", keys)
    assert codec.decode(raw, keys)["sub"] == "1"


@pytest.mark.parametrize("part", ["header", "payload"])
def test_json_nested_up_to_the_depth_cap_is_accepted(part: str, keys: KeyRing) -> None:
    raw = _with_member(part, '"x":' + _nested(codec.MAX_JSON_DEPTH - 1), keys)
    assert codec.decode(raw, keys)["sub"] == "1"


def test_prepare_readies_every_key_of_the_ring(rsa_keys: KeyRing) -> None:
    fresh = KeyRing.from_config(Config.from_mapping({"SIGNING_KEY": "p" * 48}))
    for ring in (fresh, rsa_keys):
        codec.prepare(ring)
        assert all("codec" in key.prepared for key in ring.keys)
        assert codec.decode(codec.encode({"a": 1}, ring), ring) == {"a": 1}
