"""End to end: the README quickstart, pasted into a fresh `startproject` and served by uvicorn.

The code comes from README.md itself, so the README and this test cannot drift apart: each
block is found by the comment on its first line, and a missing block fails the test.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.servers import uvicorn

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PROJECT = "mysite"
USERNAME = "alice"
PASSWORD = "correct-horse-battery-staple"
VIEWS = ["/api/hello/", "/api/hello-async/"]
COMMAND_TIMEOUT = 120.0

# The first line of each quickstart block, as README.md spells it.
INSTALL = "pip install /path/to/jwtflow uvicorn"
KEY = "# a signing key for HS256"
SETTINGS = f"# {PROJECT}/settings.py"
VIEWS_FILE = f"# {PROJECT}/views.py"
URLS = f"# {PROJECT}/urls.py"
DATABASE = "# database and a user"
SERVE = "# serve on http://127.0.0.1:8000"
CURL = "BASE=http://127.0.0.1:8000"

FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE)


def readme_block(first_line: str) -> str:
    """Return the one fenced block of README.md whose first line starts with ``first_line``."""
    bodies = [match["body"] for match in FENCE.finditer(README.read_text(encoding="utf-8"))]
    found = [body for body in bodies if body.startswith(first_line)]
    assert len(found) == 1, (
        f"README.md must have exactly one code block starting with {first_line!r}, "
        f"found {len(found)}"
    )
    return found[0]


def project_env(signing_key: str = "") -> dict[str, str]:
    """The environment of a user's shell in the new project: this venv's `python` first.

    pytest-django exports DJANGO_SETTINGS_MODULE=tests.settings, which manage.py's setdefault
    would keep, so it is set to the new project's settings here.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": f"{PROJECT}.settings"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("JWTFLOW_SIGNING_KEY", None)
    if signing_key:
        env["JWTFLOW_SIGNING_KEY"] = signing_key
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run ``command``; return its stdout, or fail the test with its output."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def bash(script: str, cwd: Path, env: dict[str, str]) -> str:
    """Run a README shell block the way a reader pastes it, stopping at the first failure."""
    return run(["bash", "-euo", "pipefail", "-c", script], cwd, env)


@dataclass(frozen=True)
class Quickstart:
    """The project built from the README, and the URL it is served on."""

    directory: Path
    base_url: str


def build_project(directory: Path) -> str:
    """Follow steps 1-6 of the quickstart in ``directory``; return the signing key made."""
    assert f"startproject {PROJECT}" in readme_block(INSTALL)
    run([sys.executable, "-m", "django", "startproject", PROJECT], directory, project_env())
    package = directory / PROJECT / PROJECT
    with (package / "settings.py").open("a", encoding="utf-8") as settings:
        settings.write("\n" + readme_block(SETTINGS))
    (package / "views.py").write_text(readme_block(VIEWS_FILE), encoding="utf-8")
    with (package / "urls.py").open("a", encoding="utf-8") as urls:
        urls.write("\n" + readme_block(URLS))

    key_script = readme_block(KEY) + 'printf "%s" "$JWTFLOW_SIGNING_KEY"\n'
    signing_key = bash(key_script, directory, project_env())
    assert len(signing_key) >= 32, "the README's key command must make a key for HS256"
    database = readme_block(DATABASE)
    assert f"--username {USERNAME}" in database
    assert f"DJANGO_SUPERUSER_PASSWORD={PASSWORD} " in database
    bash(database, directory / PROJECT, project_env(signing_key))
    return signing_key


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Quickstart]:
    """Build the README's project, serve it as step 7 says (on a free port), yield it."""
    directory = tmp_path_factory.mktemp("quickstart")
    signing_key = build_project(directory)
    serve = readme_block(SERVE)
    assert f"python -m uvicorn {PROJECT}.asgi:application" in serve

    with uvicorn(
        f"{PROJECT}.asgi:application",
        cwd=directory / PROJECT,
        env=project_env(signing_key),
        log=directory / "uvicorn.log",
        probe=VIEWS[0],
    ) as base_url:
        yield Quickstart(directory, base_url)


@pytest.fixture
def client(quickstart: Quickstart) -> Iterator[httpx.Client]:
    """An HTTP client bound to the quickstart server."""
    with httpx.Client(base_url=quickstart.base_url, timeout=10.0) as http:
        yield http


def obtain(client: httpx.Client) -> dict[str, str]:
    """Sign in as the README's user; return the token pair."""
    response = client.post("/auth/token/", json={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    return {"access": str(pair["access"]), "refresh": str(pair["refresh"])}


@pytest.mark.parametrize("path", VIEWS)
def test_view_without_token_is_401(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="api"')


@pytest.mark.parametrize("path", VIEWS)
def test_view_with_access_token_is_200(client: httpx.Client, path: str) -> None:
    access = obtain(client)["access"]

    response = client.get(path, headers={"Authorization": f"Bearer {access}"})

    assert response.status_code == 200, response.text
    assert response.json() == {"hello": USERNAME}


def test_refresh_gives_a_new_pair_that_works(client: httpx.Client) -> None:
    old = obtain(client)

    response = client.post("/auth/token/refresh/", json={"refresh": old["refresh"]})

    assert response.status_code == 200, response.text
    new = response.json()
    assert new["refresh"] != old["refresh"]
    hello = client.get(VIEWS[1], headers={"Authorization": f"Bearer {new['access']}"})
    assert hello.status_code == 200, hello.text


def test_readme_curl_walkthrough(quickstart: Quickstart) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    script = readme_block(CURL).replace(CURL, f"BASE={quickstart.base_url}", 1)

    output = bash(script, quickstart.directory, project_env()).splitlines()

    assert output[0] == "401"
    assert output[1:3] == ['{"hello":"alice"}', '{"hello":"alice"}']
    assert '"access"' in output[3]
    assert '"refresh"' in output[3]
