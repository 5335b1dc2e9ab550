"""`manage.py seed_demo`: create the demo user, or reset it to the demo password."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "jwtflow-demo"


class Command(BaseCommand):
    """Create or update the demo user so that the curl walkthrough always works."""

    help = "Create the demo user (demo / jwtflow-demo), or reset its password and activate it."

    def add_arguments(self, parser: CommandParser) -> None:
        """Allow another username or password for experiments."""
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args: Any, **options: Any) -> None:
        """Create or update the user; idempotent."""
        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            **{user_model.USERNAME_FIELD: options["username"]}
        )
        user.set_password(options["password"])
        user.is_active = True
        user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo user {options['username']!r}."))
