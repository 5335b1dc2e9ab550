"""A BLACKLIST_BACKEND without the session operations is refused at start-up, naming the key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from jwtflow.django import conf
from jwtflow.errors import ConfigurationError
from jwtflow.ports import BlacklistBackend

JWTSettings = Callable[..., None]


class JtiOnlyBackend(BlacklistBackend):
    """A backend written for jwtflow 0.1."""

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        return True

    def is_blacklisted(self, jti: str) -> bool:
        return False


def test_a_backend_without_sessions_is_refused(jwt_settings: JWTSettings) -> None:
    jwt_settings(BLACKLIST_BACKEND=JtiOnlyBackend)
    with pytest.raises(
        ConfigurationError, match="does not implement the session operations"
    ) as caught:
        conf.get_runtime()
    assert caught.value.key == "BLACKLIST_BACKEND"
    assert "create_session" in str(caught.value)
    assert "docs/sessions.md" in str(caught.value)


def test_it_is_accepted_when_no_store_is_used(jwt_settings: JWTSettings) -> None:
    jwt_settings(BLACKLIST_BACKEND=JtiOnlyBackend, BLACKLIST_ENABLED=False)
    assert isinstance(conf.get_runtime().ports.blacklist, JtiOnlyBackend)
