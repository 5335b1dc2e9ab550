"""A revocation outlives the app process: revoke, restart uvicorn, the token is still refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User

from tests.forge import PASSWORD
from tests.process.harness import Uvicorn, child_settings, has_session

pytestmark = pytest.mark.django_db(transaction=True)


def test_revocation_survives_an_app_restart(
    store: dict[str, Any], user: User, tmp_path: Path
) -> None:
    app = Uvicorn({**child_settings(), "JWTFLOW": store}, tmp_path / "app.log")
    credentials = {"username": user.username, "password": PASSWORD}
    app.start()
    try:
        with httpx.Client(base_url=app.base_url, timeout=10) as http:
            pair = http.post("/auth/token/", json=credentials).json()
            kept = http.post("/auth/token/", json=credentials).json()
            logout = http.post("/auth/token/blacklist/", json={"refresh": pair["refresh"]})
        app.stop()
        app.start()
        with httpx.Client(base_url=app.base_url, timeout=10) as http:
            revoked = http.post("/auth/token/refresh/", json={"refresh": pair["refresh"]})
            alive = http.post("/auth/token/refresh/", json={"refresh": kept["refresh"]})
            bearer = {"Authorization": f"Bearer {pair['access']}"}
            revoked_access = http.get("/api/me/", headers=bearer)
    finally:
        app.stop()

    assert logout.status_code == 204
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "token_blacklisted"
    assert alive.status_code == 200, (tmp_path / "app.log").read_text()
    # With sessions, logout ends the access tokens of the session at once, restart or not.
    assert revoked_access.status_code == (401 if has_session(pair["refresh"]) else 200)
