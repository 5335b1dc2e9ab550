"""Reading the token out of an Authorization header value."""

from __future__ import annotations

import pytest

from jwtflow.bearer import token_from_header
from jwtflow.errors import InvalidAuthorizationHeader

SCHEMES = ("Bearer",)


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("Bearer\tabc", "abc"),
        ("Bearer  \t abc", "abc"),
        ("  Bearer abc \t", "abc"),
        ("Bearer a-b_c~d+e/f.g==", "a-b_c~d+e/f.g=="),
    ],
)
def test_token_is_read_from_our_scheme(value: str, token: str) -> None:
    assert token_from_header(value, SCHEMES) == token


@pytest.mark.parametrize(
    ("value", "schemes"),
    [("JWT abc", ("Bearer", "JWT")), ("jwt abc", ("Bearer", "JWT")), ("Token abc", ("token",))],
)
def test_any_configured_scheme_is_accepted(value: str, schemes: tuple[str, ...]) -> None:
    assert token_from_header(value, schemes) == "abc"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        " ",
        "\t",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearerabc",
        "JWT abc",
    ],
)
def test_other_schemes_and_no_header_are_not_ours(value: str | None) -> None:
    assert token_from_header(value, SCHEMES) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Bearer", "Authorization header has a scheme but no token."),
        ("Bearer   ", "Authorization header has a scheme but no token."),
        ("bearer\t", "Authorization header has a scheme but no token."),
        ("Bearer abc def", "Authorization header must not contain spaces in the token."),
        ("Bearer abc\tdef", "Authorization header must not contain spaces in the token."),
        ("Bearer abc def ghi", "Authorization header must not contain spaces in the token."),
        ("Bearer tökén", "Authorization header token has invalid characters."),
        ("Bearer\u00a0abc", "Authorization header has non-ASCII characters."),
        ("bearer\u00e9abc", "Authorization header has non-ASCII characters."),
        ("Bearer abc\u00a0def", "Authorization header token has invalid characters."),
        ("Bearer Ã©Ã¨", "Authorization header token has invalid characters."),
        ("Bearer =abc", "Authorization header token has invalid characters."),
        ("Bearer abc=def", "Authorization header token has invalid characters."),
        ("Bearer abc,def", "Authorization header token has invalid characters."),
        ('Bearer "abc"', "Authorization header token has invalid characters."),
        ("Bearer abc\x00", "Authorization header token has invalid characters."),
    ],
)
def test_malformed_bearer_header_is_invalid_authorization_header(value: str, message: str) -> None:
    with pytest.raises(InvalidAuthorizationHeader) as caught:
        token_from_header(value, SCHEMES)
    assert caught.value.code == "invalid_authorization_header"
    assert caught.value.message == message


# -- header values that are not str (issue 5) -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "token"),
    [
        (b"Bearer abc.def.ghi", "abc.def.ghi"),
        (bytearray(b"bearer\tabc"), "abc"),
        (b"Basic YWxpY2U=", None),
        (b"", None),
    ],
)
def test_bytes_are_read_like_text(value: bytes | bytearray, token: str | None) -> None:
    # Guards 1d843d2: DRF's get_authorization_header accepts bytes, and test clients and
    # middleware leave them in META; before, .strip(" \t") on bytes raised TypeError (a 500).
    assert token_from_header(value, SCHEMES) == token


def test_bytes_are_decoded_as_latin1_like_the_server_does() -> None:
    with pytest.raises(InvalidAuthorizationHeader, match="invalid characters"):
        token_from_header("Bearer caf\u00e9".encode("latin-1"), SCHEMES)
    with pytest.raises(InvalidAuthorizationHeader, match="invalid characters"):
        token_from_header("Bearer caf\u00e9".encode(), SCHEMES)


@pytest.mark.parametrize("value", [1, 1.5, ["Bearer", "abc"], {"Bearer": "abc"}, object()])
def test_values_that_are_not_text_are_invalid(value: object) -> None:
    with pytest.raises(InvalidAuthorizationHeader) as caught:
        token_from_header(value, SCHEMES)
    assert caught.value.message == "Authorization header is not text."
