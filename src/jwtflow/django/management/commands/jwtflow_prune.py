"""``manage.py jwtflow_prune``: delete blacklist rows whose tokens have expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from jwtflow.django.models import BlacklistedToken


class Command(BaseCommand):
    """Delete expired rows of the blacklist table (run it daily, e.g. from cron)."""

    help = "Delete blacklist entries whose tokens have expired (exp + LEEWAY is past)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Delete the expired rows and report how many went."""
        deleted, _ = BlacklistedToken.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired blacklist entries.")
