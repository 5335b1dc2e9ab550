"""Reading a bearer token out of an Authorization header value (RFC 6750 section 2.1)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from jwtflow.errors import InvalidAuthorizationHeader

# RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def token_from_header(value: object, schemes: Sequence[str]) -> str | None:
    """Return the token of ``"<scheme> <token>"``, or None when the header is not ours.

    ``value`` is the header as the server decoded it (latin-1 under WSGI and ASGI), or bytes as
    some test clients and middleware leave it (decoded as latin-1, as DRF does); ``schemes`` are
    the accepted scheme names, compared case-insensitively.

    Raises:
        InvalidAuthorizationHeader: the scheme is ours but no single well-formed token follows,
            or the value is neither text nor bytes.
    """
    if not value:
        return None
    if isinstance(value, (bytes, bytearray)):  # a tuple: isinstance with a union is slower
        value = bytes(value).decode("latin-1")
    elif not isinstance(value, str):
        raise InvalidAuthorizationHeader("Authorization header is not text.")
    parts = _words(value.strip(" \t"))
    scheme = parts[0].casefold()
    if scheme not in map(str.casefold, schemes):
        # "Bearer\u00a0<token>": our scheme glued to a non-ASCII space is ours, and malformed.
        accepted = map(str.casefold, schemes)
        if not scheme.isascii() and any(scheme.startswith(name) for name in accepted):
            raise InvalidAuthorizationHeader("Authorization header has non-ASCII characters.")
        return None
    if len(parts) == 1:
        raise InvalidAuthorizationHeader("Authorization header has a scheme but no token.")
    if len(parts) > 2:
        raise InvalidAuthorizationHeader(
            "Authorization header must not contain spaces in the token."
        )
    if not _B64TOKEN.fullmatch(parts[1]):
        raise InvalidAuthorizationHeader("Authorization header token has invalid characters.")
    return parts[1]


def _words(value: str) -> list[str]:
    """Split ``value`` (stripped) on runs of SP and HTAB; ``[""]`` when it is empty."""
    # Only SP and HTAB separate: str.split() would also split on non-ASCII spaces such as
    # U+00A0. Not a regex split, which walks the whole token one character at a time (a third
    # of reading the header); str.split(" ") jumps from space to space.
    return [word for word in value.replace("\t", " ").split(" ") if word] or [""]
