"""``manage.py jwtflow_prune``: delete what the model store no longer needs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from jwtflow.django.models import BlacklistedToken, LogoutAll, TokenSession


class Command(BaseCommand):
    """Delete expired blacklist rows, sessions and logout-all times (run it daily, from cron)."""

    help = (
        "Delete blacklist entries whose tokens have expired (exp + LEEWAY is past), sessions "
        "past their expiry (ended ones included), and logout-all times no token predates."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Delete the expired rows and report how many went."""
        now = timezone.now()
        tokens, _ = BlacklistedToken.objects.filter(expires_at__lte=now).delete()
        sessions, _ = TokenSession.objects.filter(expires__lte=now).delete()
        cutoffs, _ = LogoutAll.objects.filter(keep_until__lte=now).delete()
        self.stdout.write(f"Deleted {tokens} expired blacklist entries.")
        self.stdout.write(f"Deleted {sessions} expired sessions.")
        self.stdout.write(f"Deleted {cutoffs} expired logout-all times.")
