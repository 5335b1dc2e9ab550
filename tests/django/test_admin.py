"""The sessions admin: read-only, with an action that ends the selected sessions.

The test project does not install the admin; each test installs it (and messages) for itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from jwtflow.django.model_store import ModelBlacklistBackend
from jwtflow.django.models import TokenSession
from jwtflow.records import TokenCheck
from tests.session_cases import ALICE, HOUR, session, start

pytestmark = pytest.mark.django_db
ADMIN_APPS = ["django.contrib.admin", "django.contrib.messages", "django.contrib.sessions"]


@pytest.fixture
def model_admin() -> Iterator[Any]:
    """The registered ``TokenSessionAdmin``, with the admin installed for the test."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, *ADMIN_APPS]):
        from django.contrib import admin

        module = importlib.import_module("jwtflow.django.admin")
        registered = admin.site._registry[TokenSession]
        assert isinstance(registered, module.TokenSessionAdmin)
        yield registered


def request() -> HttpRequest:
    made: Any = RequestFactory().post("/admin/jwtflow/tokensession/")
    made.session = {}
    made._messages = FallbackStorage(made)
    return made  # type: ignore[no-any-return]


def test_the_admin_is_read_only(model_admin: Any) -> None:
    made = request()
    assert not model_admin.has_add_permission(made)
    assert not model_admin.has_change_permission(made)
    assert not model_admin.has_delete_permission(made)
    assert "end_sessions" in model_admin.actions


def test_end_sessions_ends_the_selected_live_sessions(model_admin: Any) -> None:
    backend = ModelBlacklistBackend()
    chosen, kept, expired = session(), session(), session(created=start() - 2 * HOUR)
    for record in (chosen, kept, expired):
        backend.create_session(record)
    made: Any = request()

    model_admin.end_sessions(made, TokenSession.objects.exclude(sid=kept.sid))

    now = start() + timedelta(seconds=1)
    assert not backend.check_token(TokenCheck(ALICE, chosen.sid, now.timestamp(), now))
    assert backend.check_token(TokenCheck(ALICE, kept.sid, now.timestamp(), now))
    assert [str(message) for message in made._messages] == ["Ended 1 session(s)."]
    assert str(TokenSession.objects.get(sid=kept.sid)) == kept.sid
