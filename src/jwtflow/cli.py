"""The ``jwtflow`` command: ``keygen``, ``inspect`` and ``verify``; no Django needed.

Exit status: 0 on success, 1 when ``verify`` refuses the token (its error code is printed),
2 for a usage or key problem.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jwtflow import codec
from jwtflow.errors import ConfigurationError, JWTFlowError, TokenError, TokenExpired
from jwtflow.jwk import secret_jwk, thumbprint
from jwtflow.jwkset import keys_from_jwks
from jwtflow.keyparse import HMAC_MIN_BYTES
from jwtflow.keys import Key, KeyRing
from jwtflow.verifykey import key_from_file

KEYGEN_ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "EdDSA")
TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")
MAX_DATE = 253402300799  # 9999-12-31T23:59:59Z


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ConfigurationError as error:
        message = str(error).removeprefix(f"JWTFLOW[{error.key!r}]: ")
        print(f"error: {error.key} {message}", file=sys.stderr)
        return 2
    return status


def keygen(args: argparse.Namespace) -> int:
    """Print a new secret (HS*) or PEM private key, with its kid and public JWK."""
    alg: str = args.alg
    if alg in HMAC_MIN_BYTES:
        secret = secrets.token_urlsafe(HMAC_MIN_BYTES[alg])
        print(secret)
        print(f"# kid: {thumbprint(secret_jwk(secret.encode()))}", file=sys.stderr)
        return 0
    # Imported here, not at the top: cryptography is slow to import; HS* keys need none.
    from cryptography.hazmat.primitives import serialization

    private = _generate(alg)
    key = Key.build(alg, private, private.public_key())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    print(pem.decode(), end="")
    print(json.dumps(key.public_jwk, indent=2))
    return 0


def inspect(args: argparse.Namespace) -> int:
    """Print the header and claims of a token, UNVERIFIED, with readable times."""
    try:
        header, payload = codec.unverified(args.token)
    except TokenError as error:
        return _refused(error)
    print("UNVERIFIED header:")
    print(json.dumps(header, indent=2, sort_keys=True))
    print("UNVERIFIED claims:")
    print(json.dumps(payload, indent=2, sort_keys=True))
    for name, text in _times(payload):
        print(f"UNVERIFIED {name}: {text}")
    return 0


def verify(args: argparse.Namespace) -> int:
    """Verify signature and times of a token with a key file or a JWK Set; print its claims."""
    try:
        header, _ = codec.unverified(args.token)
        ring = _ring(args, header)
        payload = codec.decode(args.token, ring)
        _check_times(payload, datetime.now(tz=UTC).timestamp(), args.leeway)
    except JWTFlowError as error:
        return _refused(error)
    print("VERIFIED claims:")
    print(json.dumps(payload, indent=2, sort_keys=True))
    return 0


def _ring(args: argparse.Namespace, header: dict[str, Any]) -> KeyRing:
    if args.key is not None:
        return KeyRing((key_from_file(args.key, args.alg, header),), b"")
    document = _load_jwks(args.jwks)
    try:
        keys = keys_from_jwks(document)
    except ValueError:
        raise ConfigurationError("--jwks", "is not a JWK Set (a JSON object with keys).") from None
    return KeyRing(keys, b"")


def _load_jwks(source: str) -> Any:
    if source.startswith(("https://", "http://")):
        try:
            import httpx
        except ImportError:  # the `jwks` extra is not installed
            raise ConfigurationError(
                "--jwks", "needs httpx: pip install 'jwtflow[jwks]'."
            ) from None
        try:
            return httpx.get(source, timeout=10, follow_redirects=False).raise_for_status().json()
        except (httpx.HTTPError, ValueError) as error:
            raise ConfigurationError("--jwks", f"could not be fetched: {error}") from None
    try:
        return json.loads(Path(source).read_bytes())
    except (OSError, ValueError) as error:
        raise ConfigurationError("--jwks", f"could not be read: {error}") from None


def _check_times(payload: dict[str, Any], now: float, leeway: float) -> None:
    for name in ("exp", "nbf", "iat"):
        value = payload.get(name)
        if name in payload and (not isinstance(value, int | float) or isinstance(value, bool)):
            raise TokenError(f"Token claim {name!r} is not a valid NumericDate.")
    if "exp" in payload and now >= payload["exp"] + leeway:
        raise TokenExpired()
    if "nbf" in payload and payload["nbf"] > now + leeway:
        raise TokenError("Token is not valid yet.")


def _times(payload: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for name in TIME_CLAIMS:
        value = payload.get(name)
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and 0 <= value <= MAX_DATE
        ):
            moment = datetime.fromtimestamp(value, tz=UTC).isoformat()
            found.append((name, moment))
    return found


def _refused(error: JWTFlowError) -> int:
    print(f"{error.code}: {error.message}", file=sys.stderr)
    return 1


def _generate(alg: str) -> Any:
    # Imported here, not at the top: cryptography is slow to import; HS* keys need none.
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if alg.startswith(("RS", "PS")):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    curves = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1}
    if alg in curves:
        return ec.generate_private_key(curves[alg]())
    return ed25519.Ed25519PrivateKey.generate()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jwtflow", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    command = commands.add_parser("keygen", help="print a new key and its public JWK with kid")
    command.add_argument("--alg", required=True, choices=KEYGEN_ALGORITHMS)
    command.set_defaults(run=keygen)
    command = commands.add_parser("inspect", help="show a token's header and claims, UNVERIFIED")
    command.add_argument("token")
    command.set_defaults(run=inspect)
    command = commands.add_parser("verify", help="verify a token's signature and times")
    command.add_argument("token")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--key", type=Path, help="a PEM, JWK or secret file")
    source.add_argument("--jwks", help="a JWK Set URL or file")
    command.add_argument("--alg", help="the key's algorithm (default: from the key or token)")
    command.add_argument("--leeway", type=float, default=0.0, help="clock skew, in seconds")
    command.set_defaults(run=verify)
    return parser
