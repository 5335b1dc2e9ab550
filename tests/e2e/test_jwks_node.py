"""The demo serves its JWKS under uvicorn; the npm package ``jose`` in Node.js verifies a token.

Skipped outside CI only when Node.js is absent; in CI (``CI=true``) a missing Node is a failure.
``jose`` is installed with npm into a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.servers import ROOT, demo_manage, uvicorn

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("verify_with_jose.mjs")
CREDENTIALS = {"username": "demo", "password": "jwtflow-demo"}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def node_jose(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with ``jose`` installed and the verifying script; skips without Node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if in_ci():
            pytest.fail("Node.js and npm are required in CI for the JWKS interoperability test.")
        pytest.skip("Node.js is not installed")
    workdir = tmp_path_factory.mktemp("node")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", "jose"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm install jose failed:\n{done.stdout}{done.stderr}"
    shutil.copy(SCRIPT, workdir / SCRIPT.name)
    return workdir


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with an Ed25519 key ring under uvicorn; yields its base URL."""
    tmp = tmp_path_factory.mktemp("demo-jwks")
    key = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp / "signing.pem").write_bytes(key)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.jwks_settings",
        "JWTFLOW_DEMO_DB": str(tmp / "db.sqlite3"),
        "JWTFLOW_E2E_SIGNING_KEY_FILE": str(tmp / "signing.pem"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
    }
    demo_manage(env, "migrate", "--noinput")
    demo_manage(env, "seed_demo")
    with uvicorn(
        "demo_project.asgi:application",
        cwd=ROOT,
        env=env,
        log=tmp / "uvicorn.log",
        probe="/auth/.well-known/jwks.json",
        app_dir="example",
    ) as url:
        yield url


def verify_in_node(workdir: Path, jwks_url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", SCRIPT.name, jwks_url, token],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_node_jose_verifies_a_jwtflow_token_with_the_published_jwks(
    demo: str, node_jose: Path
) -> None:
    jwks = httpx.get(f"{demo}/auth/.well-known/jwks.json", timeout=10)
    assert jwks.status_code == 200
    assert [key["kid"] for key in jwks.json()["keys"]] == ["e2e-ed25519"]
    pair = httpx.post(f"{demo}/auth/token/", json=CREDENTIALS, timeout=10).json()

    done = verify_in_node(node_jose, f"{demo}/auth/.well-known/jwks.json", pair["access"])

    assert done.returncode == 0, done.stderr
    verified: dict[str, Any] = json.loads(done.stdout)
    assert verified["protectedHeader"] == {"alg": "EdDSA", "typ": "JWT", "kid": "e2e-ed25519"}
    assert verified["payload"]["token_type"] == "access"
    header, payload, signature = pair["access"].split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    refused = verify_in_node(node_jose, f"{demo}/auth/.well-known/jwks.json", forged)
    assert refused.returncode == 1
    assert "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" in refused.stderr
