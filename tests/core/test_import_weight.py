"""Importing the core loads no heavy third-party package; each loads on first use, and works.

PyJWT and cryptography come with the first key prepared or parsed, httpx with the first JWKS
fetch, asgiref (and asyncio) with the first default async twin: see docs/benchmarks.md, "Import
time". These tests check what is imported, never how long it takes (machines are noisy).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import jwtflow

#: Top-level packages that no core module may import when it is imported.
HEAVY = (
    "jwt",
    "cryptography",
    "httpx",
    "asgiref",
    "asyncio",
    "django",
    "rest_framework",
    "redis",
    "difflib",
)
#: ``jwtflow.urls`` re-exports the DRF URLconf: it is the one module meant to need DRF.
CORE_MODULES = sorted(
    "jwtflow" if path.stem == "__init__" else f"jwtflow.{path.stem}"
    for path in Path(jwtflow.__file__).parent.glob("*.py")
    if path.stem != "urls"
)
LOADED = "sorted({name.split('.')[0] for name in sys.modules} & set(HEAVY))"


def run(script: str, *args: str) -> str:
    """Run ``script`` in a fresh interpreter with ``HEAVY`` defined; return its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\nHEAVY = {HEAVY!r}\n{script}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_core_module_is_listed() -> None:
    assert {"jwtflow", "jwtflow.tokens", "jwtflow.codec", "jwtflow.cli"} <= set(CORE_MODULES)
    assert "jwtflow.urls" not in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_importing_a_core_module_loads_no_heavy_package(module: str) -> None:
    assert run(f"import {module}\nprint({LOADED})") == "[]\n"


def test_the_public_token_api_loads_no_heavy_package() -> None:
    script = f"from jwtflow import AccessToken, RefreshToken, TokenError\nprint({LOADED})"
    assert run(script) == "[]\n"


FIRST_USE = """
from jwtflow import codec
from jwtflow.config import Config
from jwtflow.errors import TokenError
from jwtflow.keys import KeyRing

ring = KeyRing.from_config(Config.from_mapping({"SIGNING_KEY": "s" * 32}))
print("ring", LOADED())
try:
    codec.decode("eyJhbGciOiJIUzI1NiJ9.e31.e30", ring)  # the payload is not canonical
except TokenError as error:
    print("refused", error.message, LOADED())
token = codec.encode({"sub": "1"}, ring)
print("signed", LOADED())
print("verified", codec.decode(token, ring))
try:
    codec.decode(token[:-2] + ("AA" if token[-2:] != "AA" else "BA"), ring)
except TokenError as error:
    print("refused", error.message)
"""


def test_pyjwt_and_cryptography_load_with_the_first_token_and_work() -> None:
    out = run(f"def LOADED():\n    return {LOADED}\n{FIRST_USE}").splitlines()
    assert out == [
        "ring []",
        "refused Token could not be decoded. []",
        "signed ['cryptography', 'jwt']",
        "verified {'sub': '1'}",
        "refused Token signature is invalid.",
    ]


ASYMMETRIC = """
from pathlib import Path
from jwtflow import codec
from jwtflow.config import Config
from jwtflow.keys import KeyRing

pem = Path(sys.argv[1]).read_bytes()
ring = KeyRing.from_config(Config.from_mapping({"ALGORITHM": "ES256", "SIGNING_KEY": pem}))
print("ring", LOADED())
print("verified", codec.decode(codec.encode({"sub": "1"}, ring), ring))
"""


def test_cryptography_loads_with_the_first_pem_key(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(pem)
    out = run(f"def LOADED():\n    return {LOADED}\n{ASYMMETRIC}", str(tmp_path / "key.pem"))
    assert out.splitlines() == ["ring ['cryptography']", "verified {'sub': '1'}"]


DEFAULT_TWIN = """
import asyncio
from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.ports import BlacklistBackend

class Plain(BlacklistBackend):
    def blacklist(self, jti, *, expires_at):
        return True

    def is_blacklisted(self, jti):
        return jti == "gone"

print("imported", "asgiref" in sys.modules)
asyncio.run(MemoryBlacklistBackend().ais_blacklisted("x"))
print("native twin", "asgiref" in sys.modules)
print("answers", asyncio.run(Plain().ais_blacklisted("gone")), "asgiref" in sys.modules)
"""


def test_asgiref_loads_with_the_first_default_async_twin() -> None:
    assert run(DEFAULT_TWIN).splitlines() == [
        "imported False",
        "native twin False",
        "answers True True",
    ]
