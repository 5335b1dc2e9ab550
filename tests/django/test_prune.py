"""``manage.py jwtflow_prune``: expired blacklist rows go, live ones stay."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from jwtflow.django.models import BlacklistedToken
from jwtflow.django.stores import ModelBlacklistBackend

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

    assert output == "Deleted 2 expired blacklist entries.\n"
    remaining = sorted(BlacklistedToken.objects.values_list("jti", flat=True))
    assert remaining == ["live", "live-for-long"]
    assert ModelBlacklistBackend().is_blacklisted("live") is True
    assert ModelBlacklistBackend().is_blacklisted("expired-just-now") is False


def test_nothing_to_delete() -> None:
    blacklist("live", 60)

    assert prune() == "Deleted 0 expired blacklist entries.\n"
    assert BlacklistedToken.objects.count() == 1


def test_runs_again_without_finding_more() -> None:
    blacklist("expired", -60)

    assert prune() == "Deleted 1 expired blacklist entries.\n"
    assert prune() == "Deleted 0 expired blacklist entries.\n"


def test_works_without_time_zone_support(settings: Any) -> None:
    settings.USE_TZ = False
    blacklist("expired", -60)
    blacklist("live", 60)

    assert prune() == "Deleted 1 expired blacklist entries.\n"
    assert list(BlacklistedToken.objects.values_list("jti", flat=True)) == ["live"]
    assert BlacklistedToken.objects.get().expires_at > timezone.now()
