"""The ``jwtflow`` command, run in-process (and once as ``python -m jwtflow``)."""

from __future__ import annotations

import importlib
import json
import runpy
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow import cli, codec
from jwtflow.config import Config
from jwtflow.jwk import public_jwk, secret_jwk, thumbprint
from jwtflow.keys import KeyRing
from tests.pem import KeyPair

from .helpers import SECRET

Pem = Callable[[str], KeyPair]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)`` -> (status, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        status = cli.main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return call


def sign(entry: dict[str, Any], **claims: Any) -> str:
    ring = KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))
    now = int(time.time())
    return codec.encode({"sub": "1", "iat": now, "exp": now + 300, **claims}, ring)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_keygen_prints_a_secret_and_its_kid(alg: str, run: Run) -> None:
    status, out, err = run("keygen", "--alg", alg)
    secret = out.strip()
    assert status == 0
    assert len(secret.encode()) >= int(alg[2:]) // 8
    assert err.strip() == f"# kid: {thumbprint(secret_jwk(secret.encode()))}"
    Config.from_mapping({"SIGNING_KEYS": [{"alg": alg, "key": secret}]})


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "ES384", "EdDSA"])
def test_keygen_prints_a_private_pem_and_its_public_jwk(alg: str, run: Run) -> None:
    status, out, _ = run("keygen", "--alg", alg)
    pem, _, jwk_text = out.partition("-----END PRIVATE KEY-----\n")
    pem += "-----END PRIVATE KEY-----\n"
    jwk = json.loads(jwk_text)
    assert status == 0
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    assert {**public_jwk(private.public_key()), "alg": alg, "use": "sig"} == {
        name: value for name, value in jwk.items() if name != "kid"
    }
    assert jwk["kid"] == jwcrypto_jwk.JWK(**jwk).thumbprint()
    ring = KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [{"alg": alg, "key": pem}]}))
    assert ring.signer.kid == jwk["kid"]


def test_keygen_refuses_other_algorithms(run: Run) -> None:
    with pytest.raises(SystemExit) as caught:
        run("keygen", "--alg", "none")
    assert caught.value.code == 2


def test_inspect_shows_header_and_claims_unverified(run: Run) -> None:
    token = sign({"alg": "HS256", "key": SECRET, "kid": "k1"}, nbf=0, auth_time="x")
    status, out, _ = run("inspect", token)
    assert status == 0
    assert "UNVERIFIED header:" in out
    assert '"kid": "k1"' in out
    assert "UNVERIFIED claims:" in out
    assert '"sub": "1"' in out
    assert "UNVERIFIED nbf: 1970-01-01T00:00:00+00:00" in out
    assert "UNVERIFIED exp: " in out
    assert "auth_time:" not in out


def test_inspect_refuses_what_is_not_a_token(run: Run) -> None:
    status, out, err = run("inspect", "not-a-token")
    assert (status, out) == (1, "")
    assert err.startswith("token_invalid: ")


def test_verify_with_a_public_pem_infers_eddsa(run: Run, pem: Pem, tmp_path: Path) -> None:
    token = sign({"alg": "EdDSA", "key": pem("ed25519").private})
    status, out, _ = run(
        "verify", token, "--key", str(write(tmp_path, "k.pem", pem("ed25519").public))
    )
    assert status == 0
    assert "VERIFIED claims:" in out


def test_verify_with_a_private_pem_infers_the_curve(run: Run, pem: Pem, tmp_path: Path) -> None:
    token = sign({"alg": "ES384", "key": pem("p384").private})
    key = write(tmp_path, "k.pem", pem("p384").private)
    assert run("verify", token, "--key", str(key))[0] == 0


@pytest.mark.parametrize("alg", ["RS256", "PS512"])
def test_verify_with_an_rsa_key_takes_the_rsa_alg_of_the_token(
    alg: str, run: Run, pem: Pem, tmp_path: Path
) -> None:
    token = sign({"alg": alg, "key": pem("rsa").private})
    assert run("verify", token, "--key", str(write(tmp_path, "k.pem", pem("rsa").public)))[0] == 0


def test_an_rsa_key_never_verifies_an_hmac_token(run: Run, pem: Pem, tmp_path: Path) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--key", str(write(tmp_path, "k.pem", pem("rsa").public)))
    assert status == 2
    assert "needs --alg" in err


@pytest.mark.parametrize("as_jwk", [False, True])
def test_verify_with_a_secret_file(as_jwk: bool, run: Run, tmp_path: Path) -> None:
    token = sign({"alg": "HS384", "key": SECRET})
    data = json.dumps(secret_jwk(SECRET.encode())) if as_jwk else SECRET + "\n"
    assert run("verify", token, "--key", str(write(tmp_path, "secret", data)))[0] == 0


def test_verify_with_a_jwk_file_uses_its_alg(run: Run, pem: Pem, tmp_path: Path) -> None:
    jwk = json.loads(jwcrypto_jwk.JWK.from_pem(pem("p256").public).export_public())
    token = sign({"alg": "ES256", "key": pem("p256").private})
    key = write(tmp_path, "k.json", json.dumps({**jwk, "alg": "ES256"}))
    assert run("verify", token, "--key", str(key))[0] == 0
    other = write(tmp_path, "o.json", json.dumps(jwk))
    assert run("verify", token, "--key", str(other))[0] == 0


def test_verify_with_an_explicit_alg(run: Run, pem: Pem, tmp_path: Path) -> None:
    token = sign({"alg": "ES256", "key": pem("p256").private})
    key = str(write(tmp_path, "k.pem", pem("p256").public))
    assert run("verify", token, "--key", key, "--alg", "ES256")[0] == 0
    status, _, err = run("verify", token, "--key", key, "--alg", "ES384")
    assert status == 2
    assert "is not a key for ES384" in err


@pytest.mark.parametrize(
    ("data", "message"),
    [("{broken", "is neither a PEM key"), ('{"kty": "EC"}', "is not a valid JWK")],
)
def test_verify_refuses_unusable_key_files(
    data: str, message: str, run: Run, tmp_path: Path
) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--key", str(write(tmp_path, "k", data)))
    assert status == 2
    assert message in err


def test_verify_refuses_a_missing_key_file(run: Run, tmp_path: Path) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--key", str(tmp_path / "missing"))
    assert status == 2
    assert "could not be read" in err


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"exp": 1}, "token_expired"),
        ({"nbf": 4102444800}, "token_invalid"),
        ({"exp": "soon"}, "token_invalid"),
        ({"iat": True}, "token_invalid"),
    ],
)
def test_verify_checks_the_times(
    claims: dict[str, Any], code: str, run: Run, tmp_path: Path
) -> None:
    token = sign({"alg": "HS256", "key": SECRET}, **claims)
    status, out, err = run("verify", token, "--key", str(write(tmp_path, "s", SECRET)))
    assert (status, out) == (1, "")
    assert err.startswith(f"{code}: ")


def test_leeway_accepts_a_token_that_just_expired(run: Run, tmp_path: Path) -> None:
    token = sign({"alg": "HS256", "key": SECRET}, exp=int(time.time()) - 5)
    assert (
        run("verify", token, "--key", str(write(tmp_path, "s", SECRET)), "--leeway", "60")[0] == 0
    )


def test_verify_refuses_a_wrong_signature(run: Run, tmp_path: Path) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--key", str(write(tmp_path, "s", SECRET + "!")))
    assert status == 1
    assert err == "token_invalid: Token signature is invalid.\n"


def jwks_of(pair: KeyPair, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwcrypto_jwk.JWK.from_pem(pair.public).export_public())
    return {"keys": [{**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}]}


def test_verify_with_a_jwks_file(run: Run, pem: Pem, tmp_path: Path) -> None:
    token = sign({"alg": "EdDSA", "key": pem("ed25519").private, "kid": "k1"})
    jwks = write(tmp_path, "jwks.json", json.dumps(jwks_of(pem("ed25519"), "k1")))
    assert run("verify", token, "--jwks", str(jwks))[0] == 0
    other = write(tmp_path, "other.json", json.dumps(jwks_of(pem("ed25519"), "k2")))
    status, _, err = run("verify", token, "--jwks", str(other))
    assert status == 1
    assert "Token key id is not known." in err


@pytest.mark.parametrize(
    ("data", "message"), [("[]", "is not a JWK Set"), ("x", "could not be read")]
)
def test_verify_refuses_what_is_not_a_jwks(
    data: str, message: str, run: Run, tmp_path: Path
) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--jwks", str(write(tmp_path, "j", data)))
    assert status == 2
    assert message in err


@pytest.fixture
def jwks_server(pem: Pem) -> Iterator[str]:
    """A loopback HTTP server answering /jwks.json (and 404 elsewhere)."""
    body = json.dumps(jwks_of(pem("ed25519"), "k1")).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/jwks.json"
            self.send_response(200 if found else 404)
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_verify_with_a_jwks_url(run: Run, pem: Pem, jwks_server: str) -> None:
    token = sign({"alg": "EdDSA", "key": pem("ed25519").private, "kid": "k1"})
    assert run("verify", token, "--jwks", f"{jwks_server}/jwks.json")[0] == 0
    status, _, err = run("verify", token, "--jwks", f"{jwks_server}/missing")
    assert status == 2
    assert "could not be fetched" in err


def test_a_jwks_url_needs_httpx(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--jwks", "https://issuer.example/jwks.json")
    assert status == 2
    assert "pip install 'jwtflow[jwks]'" in err


def test_a_key_on_a_curve_jose_does_not_use_is_refused(run: Run, tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP224R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = sign({"alg": "HS256", "key": SECRET})
    status, _, err = run("verify", token, "--key", str(write(tmp_path, "k.pem", public)))
    assert status == 2
    assert "is not a key for ES256" in err


def test_importing_the_main_module_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module("jwtflow.__main__")
    assert module.main is cli.main
    assert capsys.readouterr() == ("", "")


def test_python_m_jwtflow_runs_the_command_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["jwtflow", "keygen", "--alg", "HS256"])
    # runpy warns (an error here) when the module was imported before, as another test does.
    monkeypatch.delitem(sys.modules, "jwtflow.__main__", raising=False)
    with pytest.raises(SystemExit) as caught:
        runpy.run_module("jwtflow", run_name="__main__")
    assert caught.value.code == 0
    assert len(capsys.readouterr().out.strip()) >= 32


def test_python_m_jwtflow_without_django(tmp_path: Path) -> None:
    token = sign({"alg": "HS256", "key": SECRET})
    script = (
        "import sys, runpy; sys.argv = ['jwtflow'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('jwtflow', run_name='__main__')\n"
        "finally:\n    assert 'django' not in sys.modules, 'django was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "inspect", token],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "UNVERIFIED claims:" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "jwtflow", "verify", token, "--key", str(write(tmp_path, "s", "x"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "HS256 needs at least 32" in done.stderr
