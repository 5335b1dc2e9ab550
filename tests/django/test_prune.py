"""``manage.py jwtflow_prune``: expired blacklist rows go, live ones stay."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from jwtflow.django.models import BlacklistedToken, LogoutAll, TokenSession
from jwtflow.django.stores import ModelBlacklistBackend
from jwtflow.records import TokenCheck
from tests.session_cases import ALICE, BOB, HOUR, session, start

pytestmark = pytest.mark.django_db


def prune() -> str:
    out = io.StringIO()
    call_command("jwtflow_prune", stdout=out)
    return out.getvalue()


def blacklist(jti: str, seconds_from_now: float) -> None:
    expires_at = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    assert ModelBlacklistBackend().blacklist(jti, expires_at=expires_at) is True


def test_deletes_expired_rows_and_keeps_live_ones() -> None:
    blacklist("expired-long-ago", -86400)
    blacklist("expired-just-now", -1)
    blacklist("live", 60)
    blacklist("live-for-long", 86400)

    output = prune()

    assert output.splitlines()[0] == "Deleted 2 expired blacklist entries."
    remaining = sorted(BlacklistedToken.objects.values_list("jti", flat=True))
    assert remaining == ["live", "live-for-long"]
    assert ModelBlacklistBackend().is_blacklisted("live") is True
    assert ModelBlacklistBackend().is_blacklisted("expired-just-now") is False


def test_nothing_to_delete() -> None:
    blacklist("live", 60)

    assert prune() == (
        "Deleted 0 expired blacklist entries.\n"
        "Deleted 0 expired sessions.\n"
        "Deleted 0 expired logout-all times.\n"
    )
    assert BlacklistedToken.objects.count() == 1


def test_runs_again_without_finding_more() -> None:
    blacklist("expired", -60)

    assert prune().splitlines()[0] == "Deleted 1 expired blacklist entries."
    assert prune() == (
        "Deleted 0 expired blacklist entries.\n"
        "Deleted 0 expired sessions.\n"
        "Deleted 0 expired logout-all times.\n"
    )


def test_works_without_time_zone_support(settings: Any) -> None:
    settings.USE_TZ = False
    blacklist("expired", -60)
    blacklist("live", 60)

    assert prune().splitlines()[0] == "Deleted 1 expired blacklist entries."
    assert list(BlacklistedToken.objects.values_list("jti", flat=True)) == ["live"]
    assert BlacklistedToken.objects.get().expires_at > timezone.now()


def test_deletes_expired_sessions_ended_ones_included_and_old_logout_all_times() -> None:
    backend, now = ModelBlacklistBackend(), start()
    expired = session(created=now - 3 * HOUR)
    live, ended = session(), session()
    for record in (expired, live, ended):
        backend.create_session(record)
    backend.end_session(ended.sid, ALICE, now=now)
    backend.end_all_sessions(ALICE, now=now - 2 * HOUR, keep_until=now - HOUR)
    backend.end_all_sessions(BOB, now=now, keep_until=now + HOUR)

    output = prune()

    assert output.splitlines()[1:] == [
        "Deleted 1 expired sessions.",
        "Deleted 1 expired logout-all times.",
    ]
    assert sorted(TokenSession.objects.values_list("sid", flat=True)) == sorted(
        [live.sid, ended.sid]
    )
    assert list(LogoutAll.objects.values_list("user_key", flat=True)) == [BOB]
    bob_before = TokenCheck(BOB, None, now.timestamp() - 1, now)
    assert backend.check_token(bob_before) is False
