"""End to end: the example project served by uvicorn, driven over HTTP like the README's curl."""

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import ROOT, demo_manage, uvicorn

pytestmark = pytest.mark.e2e

CREDENTIALS = {"username": "demo", "password": "jwtflow-demo"}


def demo_env(db: Path) -> dict[str, str]:
    """Environment for the demo's processes: its own settings and database.

    pytest-django exports DJANGO_SETTINGS_MODULE=tests.settings, which manage.py's setdefault
    would keep, so it is overridden here.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "demo_project.settings",
        "JWTFLOW_DEMO_DB": str(db),
    }


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and seed a fresh demo database, serve it with uvicorn, yield the server's URL."""
    tmp = tmp_path_factory.mktemp("demo")
    env = demo_env(tmp / "db.sqlite3")
    demo_manage(env, "migrate", "--noinput")
    demo_manage(env, "seed_demo")

    with uvicorn(
        "demo_project.asgi:application",
        cwd=ROOT,
        env=env,
        log=tmp / "uvicorn.log",
        probe="/api/me/",
        app_dir="example",
    ) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client bound to the demo server."""
    with httpx.Client(base_url=base_url, timeout=10.0) as http:
        yield http


def obtain(client: httpx.Client) -> dict[str, Any]:
    """Log in as the demo user and return the token pair."""
    response = client.post("/auth/token/", json=CREDENTIALS)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for the token."""
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response: httpx.Response, code: str) -> None:
    """A 401 with the contract's body and a Bearer challenge that names the rejected token."""
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api"')
    assert 'error="invalid_token"' in challenge


def test_obtain_returns_access_and_refresh(client: httpx.Client) -> None:
    pair = obtain(client)

    assert set(pair) >= {"access", "refresh"}
    assert pair["access"] != pair["refresh"]


@pytest.mark.parametrize("path", ["/api/me/", "/api/me-sync/"])
def test_me_with_access_token(client: httpx.Client, path: str) -> None:
    access = obtain(client)["access"]

    response = client.get(path, headers=bearer(access))

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id", "username"}
    assert body["username"] == "demo"
    assert isinstance(body["id"], int)


@pytest.mark.parametrize("path", ["/api/me/", "/api/me-sync/"])
def test_me_without_token_is_401(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401, response.text
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api"')
    assert "error=" not in challenge


@pytest.mark.parametrize("path", ["/api/me/", "/api/me-sync/"])
def test_me_with_garbage_token_is_401_token_invalid(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers=bearer("not.a.token"))

    assert_refused(response, "token_invalid")


def test_refresh_rotate_blacklist_walkthrough(client: httpx.Client) -> None:
    original = obtain(client)

    refreshed = client.post("/auth/token/refresh/", json={"refresh": original["refresh"]})
    assert refreshed.status_code == 200, refreshed.text
    pair = refreshed.json()
    assert set(pair) >= {"access", "refresh"}
    assert pair["refresh"] != original["refresh"]
    assert client.get("/api/me/", headers=bearer(pair["access"])).status_code == 200

    logout = client.post("/auth/token/blacklist/", json={"refresh": pair["refresh"]})
    assert logout.status_code == 204, logout.text

    reused = client.post("/auth/token/refresh/", json={"refresh": pair["refresh"]})
    assert_refused(reused, "token_blacklisted")
    rotated_away = client.post("/auth/token/refresh/", json={"refresh": original["refresh"]})
    assert_refused(rotated_away, "token_blacklisted")


def sid_of(access: str) -> str:
    """The session id an access token carries (its payload, not verified: the server did)."""
    payload = access.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(data["sid"])


def test_logout_refuses_the_access_token_at_once(client: httpx.Client) -> None:
    pair = obtain(client)
    assert client.get("/api/me/", headers=bearer(pair["access"])).status_code == 200

    logout = client.post("/auth/token/blacklist/", json={"refresh": pair["refresh"]})
    assert logout.status_code == 204, logout.text

    assert_refused(client.get("/api/me/", headers=bearer(pair["access"])), "token_blacklisted")


def test_reuse_of_a_rotated_refresh_token_ends_the_whole_session(client: httpx.Client) -> None:
    stolen = obtain(client)
    rotated = client.post("/auth/token/refresh/", json={"refresh": stolen["refresh"]}).json()

    replay = client.post("/auth/token/refresh/", json={"refresh": stolen["refresh"]})

    assert_refused(replay, "token_reused")
    successor = client.post("/auth/token/refresh/", json={"refresh": rotated["refresh"]})
    assert_refused(successor, "token_blacklisted")
    assert_refused(client.get("/api/me/", headers=bearer(rotated["access"])), "token_blacklisted")


def test_session_list_end_one_session_and_logout_all(client: httpx.Client) -> None:
    laptop = client.post(
        "/auth/token/", json=CREDENTIALS, headers={"User-Agent": "laptop-browser/1.0"}
    ).json()
    phone = client.post("/auth/token/", json=CREDENTIALS, headers={"User-Agent": "phone-app/2.0"})
    phone_pair = phone.json()

    listed = client.get("/auth/sessions/", headers=bearer(laptop["access"]))
    assert listed.status_code == 200, listed.text
    mine = {item["sid"]: item for item in listed.json()}
    laptop_sid, phone_sid = sid_of(laptop["access"]), sid_of(phone_pair["access"])
    assert mine[laptop_sid]["current"] is True
    assert mine[phone_sid]["current"] is False
    assert mine[phone_sid]["user_agent"] == "phone-app/2.0"

    ended = client.delete(f"/auth/sessions/{phone_sid}/", headers=bearer(laptop["access"]))
    assert ended.status_code == 204, ended.text
    assert_refused(
        client.get("/api/me/", headers=bearer(phone_pair["access"])), "token_blacklisted"
    )

    out = client.post("/auth/logout-all/", headers=bearer(laptop["access"]))
    assert out.status_code == 204, out.text
    assert_refused(client.get("/api/me/", headers=bearer(laptop["access"])), "token_blacklisted")
    again = obtain(client)
    assert client.get("/api/me/", headers=bearer(again["access"])).status_code == 200
